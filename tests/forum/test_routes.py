"""Forum pages and JSON endpoints: status codes, the permission matrix, bad input, safety."""

from __future__ import annotations

from html.parser import HTMLParser
from xml.etree import ElementTree as ET

import pytest

from forum import moderation, notify, services
from forum.models import Post, Topic
from notifications.models import Notification
from tests.forum.factories import make_category, make_moderator, make_reply, make_topic
from tests.helpers import api_token, csrf_token, login, make_user, post_form, record_queries


async def _topic_payload(category: int, **overrides) -> dict:
    return {
        "category_id": category,
        "title": "Comment débuter Python en SNT ?",
        "body": "Par quoi commencer avec des élèves de seconde ?",
        "kind": "question",
        "tags": ["python", "snt"],
        **overrides,
    }


async def test_api_contract_and_permission_matrix(client) -> None:
    category = await make_category("SNT")
    asker = await make_user()
    member = await make_user()
    answerer = await make_user()
    moderator = await make_moderator()
    ask = await api_token(client, asker.email)
    other = await api_token(client, member.email)
    answering = await api_token(client, answerer.email)
    moderating = await api_token(client, moderator.email)

    # anonymous: reads only
    listing = await client.get("/api/v1/forum/categories")
    assert listing.json() == {"items": [{"id": category.id, "slug": "snt", "name": "SNT", "parent_id": None}]}
    for path, body in (
        ("/api/v1/forum/topics", await _topic_payload(category.id)),
        ("/api/v1/forum/categories", {"name": "Nouvelle"}),
        ("/api/v1/forum/topics/1/posts", {"body": "Bonjour"}),
        ("/api/v1/forum/posts/1/votes", {"value": 1}),
        ("/api/v1/forum/posts/1/accept", None),
    ):
        assert (await client.post(path, json=body)).status_code == 401, path

    # member: categories are for moderators
    assert (await client.post("/api/v1/forum/categories", json={"name": "X y"}, headers=other)).status_code == 403
    created = await client.post("/api/v1/forum/categories", json={"name": "Python"}, headers=moderating)
    assert created.status_code == 201 and created.json()["slug"] == "python"

    response = await client.post("/api/v1/forum/topics", json=await _topic_payload(category.id), headers=ask)
    assert response.status_code == 201, response.text
    topic = response.json()
    assert topic["url"].startswith("http://testserver/forum/t/")
    assert topic["tags"] == ["python", "snt"] and topic["kind"] == "question"
    reply = await client.post(
        f"/api/v1/forum/topics/{topic['id']}/posts", json={"body": "Avec Capytale !"}, headers=answering
    )
    assert reply.status_code == 201 and "Capytale" in reply.json()["body_html"]
    post_id = reply.json()["id"]

    # votes: not the author, once per person, 0 removes
    assert (
        await client.post(f"/api/v1/forum/posts/{post_id}/votes", json={"value": 1}, headers=answering)
    ).status_code == 403
    for value, score in ((1, 1), (1, 1), (-1, -1), (0, 0)):
        voted = await client.post(f"/api/v1/forum/posts/{post_id}/votes", json={"value": value}, headers=other)
        assert voted.status_code == 200 and voted.json() == {"score": score}
    assert (
        await client.post(f"/api/v1/forum/posts/{post_id}/votes", json={"value": 2}, headers=other)
    ).status_code == 422

    # accepting: the asker or a moderator, not someone else
    assert (await client.post(f"/api/v1/forum/posts/{post_id}/accept", headers=other)).status_code == 403
    assert (await client.post(f"/api/v1/forum/posts/{post_id}/accept", headers=answering)).status_code == 403
    assert (await client.post(f"/api/v1/forum/posts/{post_id}/accept", headers=ask)).status_code == 200
    assert (await client.post(f"/api/v1/forum/posts/{post_id}/accept", headers=moderating)).status_code == 200

    shown = (await client.get(f"/api/v1/forum/topics/{topic['id']}")).json()
    assert shown["solved_post_id"] == post_id and shown["page"] == 1 and shown["pages"] == 1
    assert [p["accepted"] for p in shown["posts"]] == [False, True]
    assert set(shown["posts"][0]) >= {"id", "author", "body_html", "score", "accepted", "created_at"}
    assert shown["posts"][1]["created_at"].endswith("Z")

    found = (await client.get("/api/v1/forum/search", params={"q": "eleve"})).json()["items"]
    assert found and found[0]["topic_id"] == topic["id"] and "<mark>" in found[0]["snippet"]
    assert (await client.get("/api/v1/forum/topics/999")).status_code == 404


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"body": ""}, 422),
        ({"body": "x" * 100_000}, 422),
        ({"title": "T" * 500}, 422),
        ({"category_id": 999}, 422),
        ({"tags": ["a", "b", "c", "d", "e", "f"]}, 422),
        ({"tags": ["pas un tag!"]}, 422),
        ({"kind": "poll"}, 422),
        ({"category_id": "x"}, 422),
    ],
)
async def test_bad_topic_input_gets_clear_errors(client, change: dict, status: int) -> None:
    category = await make_category()
    user = await make_user()
    headers = await api_token(client, user.email)
    response = await client.post(
        "/api/v1/forum/topics", json=await _topic_payload(category.id, **change), headers=headers
    )
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["message"] and error["fields"]


async def test_bad_reply_input(client) -> None:
    user = await make_user()
    headers = await api_token(client, user.email)
    topic = await make_topic()
    path = f"/api/v1/forum/topics/{topic.id}/posts"
    assert (await client.post(path, json={"body": " "}, headers=headers)).status_code == 422
    assert (await client.post(path, json={"body": "x" * 100_000}, headers=headers)).status_code == 422
    assert (await client.post(path, content=b"{not json", headers=headers)).status_code == 400
    assert (
        await client.post("/api/v1/forum/topics/999/posts", json={"body": "ok ok"}, headers=headers)
    ).status_code == 404
    moderator = await make_moderator()
    await moderation.set_topic_state(moderator, topic.id, "lock", "Clos")
    locked = await client.post(path, json={"body": "Encore"}, headers=headers)
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "topic_locked"
    await moderation.set_topic_state(moderator, topic.id, "hide", "Caché")
    assert (await client.post(path, json={"body": "Encore"}, headers=headers)).status_code == 404


async def test_openapi_lists_the_forum_endpoints(client) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/forum/categories"])
    for path, method in (
        ("/forum/topics", "post"),
        ("/forum/topics/{topic_id}", "get"),
        ("/forum/topics/{topic_id}/posts", "post"),
        ("/forum/posts/{post_id}/votes", "post"),
        ("/forum/posts/{post_id}/accept", "post"),
        ("/forum/search", "get"),
    ):
        assert method in paths[path], path


class _Unsafe(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and not (named.get("src") or "").startswith("/static/"):
            self.problems.append("inline script")
        if tag in ("style", "iframe", "object", "embed"):
            self.problems.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag}[{name}]")
            if name in ("href", "src") and (value or "").strip().lower().startswith(("javascript:", "data:")):
                self.problems.append(f"{tag}[{name}={value}]")


def unsafe(html: str) -> list[str]:
    parser = _Unsafe()
    parser.feed(html)
    return parser.problems


XSS = '<script>alert(1)</script><img src=x onerror=alert(2)><style>body{display:none}</style>" onmouseover="alert(3)'


async def test_script_style_and_handlers_are_inert_everywhere(client) -> None:
    moderator = await make_moderator()
    from forum.forms import CategoryIn

    category = await services.create_category(moderator, CategoryIn(name=XSS[:80], description=XSS))
    author = await make_user(display_name='<img src=x onerror="alert(4)">')
    body = XSS + "\n\n[clic](javascript:alert(5)) ![i](javascript:alert(6)) <a href='javascript:alert(7)'>a</a>"
    topic = await make_topic(author, category=category, title=XSS[:150], body=body)
    await make_reply(topic, body=XSS)
    await moderation.flag_post(await make_user(), (await Post.get(topic_id=topic.id, number=2)).id, XSS[:500])
    await login(client, moderator.email)
    for path in (
        "/forum",
        f"/forum/c/{category.slug}",
        f"/forum/t/{topic.id}",
        "/forum/search?q=alert",
        "/forum/search?q=" + XSS,
        "/forum/moderation",
        "/notifications",
    ):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert unsafe(response.text) == [], path
    feed = await client.get("/forum/feed.atom")
    root = ET.fromstring(feed.content)  # noqa: S314 - our own feed
    for entry in root.iter("{http://www.w3.org/2005/Atom}content"):
        assert unsafe(entry.text or "") == []


async def test_html_flow_preview_similar_publish_reply_and_quote(client) -> None:
    category = await make_category("NSI")
    existing = await make_topic(category=category, title="Évaluer un projet Python en terminale NSI")
    user = await make_user()
    await login(client, user.email)
    form = {
        "category_id": str(category.id),
        "kind": "question",
        "title": "Comment évaluer les projets Python ?",
        "body": "Quelle grille utilisez-vous ?",
        "tags": "nsi, projet",
    }
    preview = await post_form(client, "/forum/new", {**form, "step": "preview"}, from_page="/forum/new")
    assert preview.status_code == 200
    assert f'/forum/t/{existing.id}"' in preview.text and "Quelle grille" in preview.text
    assert await Topic.all().count() == 1
    published = await post_form(client, "/forum/new", {**form, "step": "publish"}, from_page="/forum/new")
    assert published.status_code == 303
    topic = await Topic.get(title=form["title"])
    assert published.headers["location"] == f"/forum/t/{topic.id}"
    page = f"/forum/t/{topic.id}"
    answered = await post_form(client, f"{page}/reply", {"body": "Une grille en 4 critères."}, from_page=page)
    assert answered.status_code == 303 and answered.headers["location"].startswith(page + "#p")
    second = await Post.get(topic_id=topic.id, number=2)
    quoted = await client.get(f"{page}?quote={second.id}")
    assert "&gt; Une grille en 4 critères." in quoted.text
    empty = await post_form(client, f"{page}/reply", {"body": ""}, from_page=page)
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.text


async def test_locked_topic_page_explains_and_refuses(client) -> None:
    topic = await make_topic()
    moderator = await make_moderator()
    await moderation.set_topic_state(moderator, topic.id, "lock", "Clos")
    user = await make_user()
    await login(client, user.email)
    page = f"/forum/t/{topic.id}"
    shown = await client.get(page)
    assert "verrouillé" in shown.text or "locked" in shown.text
    refused = await post_form(client, f"{page}/reply", {"body": "Je force"}, from_page=page)
    assert refused.status_code == 409
    assert await Post.filter(topic_id=topic.id).count() == 1


async def test_html_votes_accept_and_moderation_matrix(client, other_client) -> None:
    asker = await make_user()
    topic = await make_topic(asker)
    answer = await make_reply(topic)
    stranger = await make_user()
    page = f"/forum/t/{topic.id}"
    await login(client, stranger.email)
    assert (await post_form(client, f"/forum/p/{answer.id}/vote", {"value": "1"}, from_page=page)).status_code == 303
    assert (await post_form(client, f"/forum/p/{answer.id}/accept", from_page=page)).status_code == 403
    moderate = {"action": "lock", "reason": "Essai"}
    assert (await post_form(client, f"/forum/t/{topic.id}/moderate", moderate, from_page=page)).status_code == 403
    assert (await client.get("/forum/moderation")).status_code == 403
    await login(other_client, asker.email)
    assert (await post_form(other_client, f"/forum/p/{answer.id}/accept", from_page=page)).status_code == 303
    shown = await other_client.get(page)
    assert 'class="post accepted' in shown.text
    moderator = await make_moderator()
    await login(client, moderator.email)
    assert (await post_form(client, f"/forum/t/{topic.id}/moderate", moderate, from_page=page)).status_code == 303
    log = await client.get("/forum/moderation/log")
    assert "Sujet verrouillé" in log.text and "Essai" in log.text
    anonymous_redirect = await other_client.__class__(
        transport=other_client._transport, base_url="http://testserver"
    ).get("/forum/new")
    assert anonymous_redirect.status_code == 303


async def test_permalinks_open_the_right_page_and_unread_jump(client) -> None:
    topic = await make_topic()
    replies = [await make_reply(topic) for _ in range(24)]
    permalink = await client.get(f"/forum/p/{replies[-1].id}")
    assert permalink.status_code == 302
    assert permalink.headers["location"] == f"/forum/t/{topic.id}?page=2#p{replies[-1].id}"
    page2 = await client.get(f"/forum/t/{topic.id}?page=2")
    assert f'id="p{replies[-1].id}"' in page2.text
    reader = await make_user()
    await login(client, reader.email)
    await client.get(f"/forum/t/{topic.id}")
    jump = await client.get(f"/forum/t/{topic.id}/unread")
    assert jump.headers["location"].endswith(f"?page=2#p{replies[19].id}")
    await make_reply(topic)
    listing = await client.get("/forum")
    assert "6 nouveaux" in listing.text or "6 new" in listing.text


def _writes(queries: list[str]) -> list[str]:
    return [query for query in queries if query.upper().startswith(("INSERT", "UPDATE", "DELETE"))]


async def test_a_plain_read_writes_nothing(client, monkeypatch) -> None:
    topic = await make_topic(tags=["python"])
    await make_reply(topic)
    queries = record_queries(monkeypatch)
    for path in ("/forum", f"/forum/t/{topic.id}", f"/api/v1/forum/topics/{topic.id}", "/forum/search?q=python"):
        assert (await client.get(path)).status_code == 200
    assert _writes(queries) == []
    reader = await make_user()
    await login(client, reader.email)
    await client.get(f"/forum/t/{topic.id}")  # the first visit records how far one has read
    queries.clear()
    await client.get(f"/forum/t/{topic.id}")
    assert _writes(queries) == []


async def test_a_topic_page_asks_the_same_few_queries_whatever_it_shows(client, other_client, monkeypatch) -> None:
    """A page of 20 posts costs a fixed number of queries, not a few per post: for a signed-in
    reader the session (with the person and their roles), the page (the topic with its
    category, author, tags, accepted answer and the reader's position and watch, beside its
    posts with their authors and the reader's votes) and the notifications badge; anonymously
    the page alone."""
    asker = await make_user()
    topic = await make_topic(asker, tags=["python", "tortue"])
    replies = [await make_reply(topic, body=f"Réponse numéro {n}") for n in range(24)]
    reader = await make_user()
    await services.vote(reader, replies[0].id, 1)
    await services.accept_answer(asker, replies[20].id)
    await notify.watch_topic(reader, topic)
    await login(client, reader.email)
    assert (await client.get(f"/forum/t/{topic.id}")).status_code == 200  # records how far one has read
    queries = record_queries(monkeypatch)
    page = await client.get(f"/forum/t/{topic.id}")
    assert page.status_code == 200 and page.text.count("<article") == 20
    assert f'class="post accepted" id="p{replies[20].id}"' in page.text and "#tortue" in page.text
    assert 'aria-pressed="true"' in page.text and page.text.count("Réponse numéro") == 19
    assert len(queries) == 3 and _writes(queries) == [], queries
    queries.clear()
    anonymous = await other_client.get(f"/forum/t/{topic.id}?page=2")
    assert anonymous.status_code == 200 and anonymous.text.count("<article") == 5
    assert len(queries) == 1, queries


async def test_a_list_of_topics_asks_the_same_few_queries_whatever_it_shows(client, monkeypatch) -> None:
    """A category's page of 30 topics: the category, the categories (parent and children), the
    count, the topics with their categories and authors, their tags; not a few per topic."""
    category = await make_category("Python au lycée")
    for n in range(32):
        await make_topic(category=category, title=f"Sujet {n}", tags=["python", "tortue"] if n % 2 else [])
    queries = record_queries(monkeypatch)
    page = await client.get(f"/forum/c/{category.slug}")
    assert page.status_code == 200 and page.text.count('class="topic-row"') == 30 and "#tortue" in page.text
    assert len(queries) == 5, queries


async def test_notifications_page_and_badge(client) -> None:
    asker = await make_user()
    topic = await make_topic(asker)
    await make_reply(topic)
    await login(client, asker.email)
    page = await client.get("/forum")
    assert 'data-live-count="notification.created"' in page.text
    listing = await client.get("/notifications")
    notification = await Notification.get(user_id=asker.id)
    assert f"/notifications/{notification.id}" in listing.text
    opened = await client.get(f"/notifications/{notification.id}")
    assert opened.status_code == 303 and opened.headers["location"].startswith("/forum/p/")
    await notification.refresh_from_db()
    assert notification.read_at is not None
    outsider = await make_user()
    await login(client, outsider.email)
    assert (await client.get(f"/notifications/{notification.id}")).status_code == 404


async def test_feeds_are_atom(client) -> None:
    category = await make_category("Python")
    await make_topic(category=category, title="Un premier sujet Python")
    await make_topic(title="Ailleurs dans le forum")
    for path, count in (("/forum/feed.atom", 2), ("/forum/c/python/feed.atom", 1)):
        response = await client.get(path)
        assert response.headers["content-type"].startswith("application/atom+xml")
        root = ET.fromstring(response.content)  # noqa: S314 - our own feed
        assert len(root.findall("{http://www.w3.org/2005/Atom}entry")) == count
    assert (await client.get("/forum/c/nowhere/feed.atom")).status_code == 404


async def test_flag_and_review_queue_pages(client) -> None:
    topic = await make_topic()
    answer = await make_reply(topic, body="Publicité")
    reporter = await make_user()
    await login(client, reporter.email)
    flag_page = f"/forum/p/{answer.id}/flag"
    assert (await post_form(client, flag_page, {"reason": "Spam"}, from_page=flag_page)).status_code == 200
    moderator = await make_moderator()
    await login(client, moderator.email)
    queue = await client.get("/forum/moderation")
    assert "Spam" in queue.text
    token = await csrf_token(client, "/forum/moderation")
    from forum.models import Flag

    flag = await Flag.get(post_id=answer.id)
    done = await client.post(
        f"/forum/moderation/flags/{flag.id}", data={"csrf_token": token, "action": "hide", "reason": "Spam avéré"}
    )
    assert done.status_code == 303
    await answer.refresh_from_db()
    assert answer.hidden_at is not None
    anonymous = await client.get(f"/api/v1/forum/topics/{topic.id}")
    assert anonymous.json()["posts"][1]["hidden"] is True


async def test_edit_history_and_moderator_pages(client) -> None:
    author = await make_user()
    topic = await make_topic(author, title="Titre avant correction")
    opening = await Post.get(topic_id=topic.id, number=1)
    await login(client, author.email)
    edit = f"/forum/p/{opening.id}/edit"
    assert (await client.get(edit)).status_code == 200
    saved = await post_form(client, edit, {"title": "Titre après correction", "body": "Texte **revu**"}, from_page=edit)
    assert saved.status_code == 303
    history = await client.get(f"/forum/p/{opening.id}/history")
    assert "Titre avant correction" in history.text and "<strong>revu</strong>" in history.text
    stranger = await make_user()
    await login(client, stranger.email)
    assert (await client.get(edit)).status_code == 403
    assert (await client.get("/forum/moderation/tags")).status_code == 403
    moderator = await make_moderator()
    await login(client, moderator.email)
    for path in (
        "/forum/moderation",
        "/forum/moderation/log",
        "/forum/moderation/tags",
        "/forum/moderation/categories/new",
    ):
        assert (await client.get(path)).status_code == 200, path
    made = await post_form(
        client, "/forum/moderation/categories/new", {"name": "Réseaux", "description": "TCP/IP"}, from_page=edit
    )
    assert made.status_code == 303 and made.headers["location"] == "/forum/c/reseaux"
    from forum.models import Category

    reseaux = await Category.get(slug="reseaux")
    edit_page = f"/forum/moderation/categories/{reseaux.id}/edit"
    assert (await client.get(edit_page)).status_code == 200
    changed = await post_form(client, edit_page, {"name": "Réseaux et Internet", "description": ""}, from_page=edit)
    assert changed.status_code == 303
    assert (await Category.get(id=reseaux.id)).name == "Réseaux et Internet"


async def test_watching_a_category_from_its_page(client) -> None:
    category = await make_category("Robotique")
    watcher = await make_user()
    await login(client, watcher.email)
    page = f"/forum/c/{category.slug}"
    assert (await post_form(client, f"{page}/watch", {"action": "watch"}, from_page=page)).status_code == 303
    await make_topic(category=category)
    assert await Notification.filter(user_id=watcher.id, kind="forum.topic").count() == 1
    shown = await client.get("/notifications")
    assert "Robotique" not in shown.text or shown.status_code == 200


async def test_new_replies_fragment_for_the_live_button(client) -> None:
    topic = await make_topic()
    first = await make_reply(topic, body="Première réponse")
    second = await make_reply(topic, body="Deuxième réponse")
    fragment = await client.get(f"/forum/t/{topic.id}/after", params={"after": first.number})
    assert fragment.status_code == 200
    assert f'id="p{second.id}"' in fragment.text and f'id="p{first.id}"' not in fragment.text
    assert "<html" not in fragment.text
    page = await client.get(f"/forum/t/{topic.id}")
    assert f'data-live-channel="topic:{topic.id}"' in page.text and "forum.js" in page.text


async def test_first_view_of_a_topic_is_light(client) -> None:
    import gzip
    import re

    topic = await make_topic(body="Une question " * 50)
    for _ in range(25):
        await make_reply(topic, body="Une réponse détaillée avec du `code` et des explications. " * 10)
    page = await client.get(f"/forum/t/{topic.id}")
    assets = re.findall(r'(?:href|src)="(?:http://testserver)?(/static/[^"]+)"', page.text)
    assert 1 + len(assets) <= 5, assets
    size = len(gzip.compress(page.content))
    for asset in assets:
        size += len(gzip.compress((await client.get(asset)).content))
    assert size <= 50 * 1024


async def test_similar_and_unread_endpoints(client) -> None:
    topic = await make_topic(title="Débuter la programmation Python en seconde")
    found = (await client.get("/api/v1/forum/similar", params={"title": "programmation python"})).json()
    assert [item["id"] for item in found["items"]] == [topic.id]
    assert (await client.get("/api/v1/forum/similar", params={"title": "<script>"})).json() == {"items": []}
    assert (await client.get("/api/v1/forum/notifications/unread")).status_code == 401
    asker = await topic.author
    await make_reply(topic)
    headers = await api_token(client, asker.email)
    assert (await client.get("/api/v1/forum/notifications/unread", headers=headers)).json() == {"unread": 1}


async def test_new_accounts_are_rate_limited_over_http(client) -> None:
    topic = await make_topic()
    newcomer = await make_user()
    headers = await api_token(client, newcomer.email)
    path = f"/api/v1/forum/topics/{topic.id}/posts"
    for _ in range(10):
        assert (await client.post(path, json={"body": "Encore moi"}, headers=headers)).status_code == 201
    limited = await client.post(path, json={"body": "Encore moi"}, headers=headers)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0


async def test_topic_list_api_is_paginated_with_a_cursor(client) -> None:
    category = await make_category("Python")
    made = [await make_topic(category=category, title=f"Sujet Python numéro {n}") for n in range(5)]
    await make_topic(title="Ailleurs")
    first = (await client.get("/api/v1/forum/topics", params={"category_id": category.id, "limit": 3})).json()
    assert [t["id"] for t in first["items"]] == [made[4].id, made[3].id, made[2].id]
    second = await client.get(
        "/api/v1/forum/topics", params={"category_id": category.id, "limit": 3, "cursor": first["next_cursor"]}
    )
    assert [t["id"] for t in second.json()["items"]] == [made[1].id, made[0].id]
    assert second.json()["next_cursor"] is None
    assert (await client.get("/api/v1/forum/topics", params={"cursor": "n'importe quoi"})).status_code == 422
    assert (await client.get("/api/v1/forum/topics", params={"limit": 1000})).status_code == 422
    assert (await client.get("/api/v1/forum/topics", params={"status": "unanswered"})).json()["items"]


async def test_a_hidden_post_is_not_found_for_whoever_cannot_see_it(client, other_client) -> None:
    """Issue 17, finding 9: a hidden post cannot be located, quoted, flagged, voted on,
    accepted, edited or read in its history by whoever cannot see it (404, not a redirect or a
    403); moderators still reach it."""
    asker = await make_user()
    topic = await make_topic(asker)
    author = await make_user()
    hidden = await make_reply(topic, author, body="Texte masqué par la modération")
    moderator = await make_moderator()
    await moderation.set_post_hidden(moderator, hidden.id, True, "Hors sujet")
    member = await make_user()
    for who in (member, asker, author):
        await login(client, who.email)
        token = await csrf_token(client, "/forum")
        for method, path, data in [
            ("GET", f"/forum/p/{hidden.id}", None),
            ("GET", f"/forum/p/{hidden.id}/flag", None),
            ("POST", f"/forum/p/{hidden.id}/flag", {"reason": "Spam"}),
            ("POST", f"/forum/p/{hidden.id}/vote", {"value": "1"}),
            ("POST", f"/forum/p/{hidden.id}/accept", {}),
            ("GET", f"/forum/p/{hidden.id}/edit", None),
            ("POST", f"/forum/p/{hidden.id}/edit", {"body": "Réécrit"}),
            ("GET", f"/forum/p/{hidden.id}/history", None),
        ]:
            if method == "GET":
                response = await client.get(path)
            else:
                response = await client.post(path, data={"csrf_token": token, **data})
            assert response.status_code == 404, f"{who.email} {method} {path}: {response.status_code}"
        quoted = await client.get(f"/forum/t/{topic.id}", params={"quote": hidden.id})
        assert quoted.status_code == 200 and "Texte masqué" not in quoted.text
        headers = await api_token(other_client, who.email)
        for path, body in [
            (f"/api/v1/forum/posts/{hidden.id}/votes", {"value": 1}),
            (f"/api/v1/forum/posts/{hidden.id}/accept", {}),
        ]:
            response = await other_client.post(path, json=body, headers=headers)
            assert response.status_code == 404, f"{who.email} POST {path}: {response.text}"
            assert response.json()["error"]["code"] == "not_found"
        response = await other_client.patch(
            f"/api/v1/forum/posts/{hidden.id}", json={"body": "Réécrit"}, headers=headers
        )
        assert response.status_code == 404, response.text
    from forum.models import Flag

    assert not await Flag.exists(post_id=hidden.id)
    await client.get("/logout")
    assert (await client.get(f"/forum/p/{hidden.id}")).status_code == 404
    await login(client, moderator.email)
    assert (await client.get(f"/forum/p/{hidden.id}")).status_code == 302
    assert (await client.get(f"/forum/p/{hidden.id}/history")).status_code == 200


async def test_moderators_see_what_they_just_did(client) -> None:
    topic = await make_topic()
    answer = await make_reply(topic, body="Un message hors sujet.")
    page = f"/forum/t/{topic.id}"
    moderator = await make_moderator()
    await login(client, moderator.email)
    hidden = await post_form(
        client, f"/forum/p/{answer.id}/moderate", {"action": "hide", "reason": "Hors sujet"}, from_page=page
    )
    assert hidden.status_code == 303 and hidden.headers["location"] == f"/forum/p/{answer.id}?done=post-hidden"
    landed = await client.get(hidden.headers["location"])
    assert landed.headers["location"] == f"{page}?done=post-hidden#p{answer.id}"
    shown = await client.get(f"{page}?done=post-hidden")
    assert 'role="status"' in shown.text
    assert "Le message est masqué" in shown.text
    locked = await post_form(client, f"{page}/moderate", {"action": "lock", "reason": "Fini"}, from_page=page)
    assert locked.headers["location"] == f"{page}?done=lock"
    member = await make_user()
    await login(client, member.email)
    assert "Le message est masqué" not in (await client.get(f"{page}?done=post-hidden")).text
