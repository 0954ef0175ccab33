"""@mentions: links in the rendered post, the people found from a handle, the people
suggested while typing, and a person's forum page. Rendered posts are read as HTML trees,
not as strings."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from accounts import services as accounts
from accounts.models import User
from forum import mentions, moderation, services
from forum.forms import PostEdit
from forum.models import MentionName, Post
from notifications.models import Notification
from tests.forum.factories import make_category, make_moderator, make_reply, make_topic
from tests.helpers import login, make_user, text_of
from tierslieu import clock

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def walk(self, inside: tuple[str, ...] = ()):
        """Every element, with the tags of the elements around it."""
        for child in self.children:
            if isinstance(child, Node):
                yield child, inside
                yield from child.walk((*inside, child.tag))


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.open[-1].children.append(node)
        if tag not in VOID:
            self.open.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self.open[-1].tag == tag, f"</{tag}> closes <{self.open[-1].tag}>"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)


def tree(html: str) -> Node:
    parser = _Tree()
    parser.feed(html)
    parser.close()
    assert parser.open == [parser.root], "an element is left open"
    return parser.root


def mention_links(html: str) -> list[tuple[str, str]]:
    """(href, text) of every mention link."""
    return [
        (str(node.attrs.get("href")), node.text())
        for node, _ in tree(html).walk()
        if node.tag == "a" and node.attrs.get("class") == "mention"
    ]


async def rendered(text: str) -> str:
    return (await mentions.render(text)).html


# --- rendering ---------------------------------------------------------------------------------


async def test_a_mention_of_a_known_person_is_a_link_to_their_page() -> None:
    sophie = await make_user(display_name="Sophie Laurent")
    html = await rendered("Merci @SophieLaurent, et merci aussi à @sophie.laurent.")
    assert mention_links(html) == [
        (f"/forum/u/{sophie.id}", "@SophieLaurent"),
        (f"/forum/u/{sophie.id}", "@sophie.laurent"),
    ]
    paragraph = next(node for node, _ in tree(html).walk() if node.tag == "p")
    assert paragraph.text() == "Merci @SophieLaurent, et merci aussi à @sophie.laurent."  # the full stop stays out
    link = next(node for node, _ in tree(html).walk() if node.tag == "a")
    assert set(link.attrs) == {"class", "href", "rel"}


async def test_accents_and_case_do_not_matter() -> None:
    emilie = await make_user(display_name="Émilie Côté")
    html = await rendered("@EmilieCote et @ÉMILIECÔTÉ")
    assert [href for href, _ in mention_links(html)] == [f"/forum/u/{emilie.id}"] * 2


async def test_unknown_and_deleted_people_stay_plain_text() -> None:
    gone = await make_user(display_name="Paul Parti")
    await accounts.erase_account(gone)
    html = await rendered("@PersonneInconnue et @PaulParti")
    assert mention_links(html) == []
    assert tree(html).text().strip() == "@PersonneInconnue et @PaulParti"
    assert (await mentions.render("@PaulParti")).mentioned == []


async def test_no_mention_in_code_in_a_link_or_escaped() -> None:
    await make_user(display_name="Sophie Laurent")
    text = (
        "`@SophieLaurent` dans du code\n\n"
        "```\n@SophieLaurent en bloc\n```\n\n"
        "    @SophieLaurent en retrait\n\n"
        "[voir @SophieLaurent](https://example.org/) et <https://example.org/@SophieLaurent>\n\n"
        "\\@SophieLaurent échappé, sophie@SophieLaurent.fr"
    )
    result = await mentions.render(text)
    assert mention_links(result.html) == []
    assert result.mentioned == []
    links = [node.attrs["href"] for node, _ in tree(result.html).walk() if node.tag == "a"]
    assert links == ["https://example.org/", "https://example.org/@SophieLaurent", "mailto:sophie@SophieLaurent.fr"]
    codes = [node.text() for node, _ in tree(result.html).walk() if node.tag == "code"]
    assert codes == ["@SophieLaurent", "@SophieLaurent en bloc\n", "@SophieLaurent en retrait\n"]


async def test_mentions_in_headings_lists_and_quotes_are_links() -> None:
    karim = await make_user(display_name="Karim Benali")
    html = await rendered("# Pour @KarimBenali\n\n- **@KarimBenali**\n\n> — @KarimBenali\n")
    found = [(node.attrs["href"], inside) for node, inside in tree(html).walk() if node.tag == "a"]
    assert found == [
        (f"/forum/u/{karim.id}", ("h1",)),
        (f"/forum/u/{karim.id}", ("ul", "li", "strong")),
        (f"/forum/u/{karim.id}", ("blockquote", "p")),
    ]


async def test_a_handle_two_people_share_is_no_link_but_both_hear_of_it() -> None:
    first = await make_user(display_name="Marie Martin")
    second = await make_user(display_name="Marie  Martin")
    result = await mentions.render("@MarieMartin")
    assert mention_links(result.html) == []
    assert {person.id for person in result.mentioned} == {first.id, second.id}


@pytest.mark.parametrize(
    "name",
    [
        "<img src=x onerror=alert(1)>",
        '"><script>alert(1)</script>',
        "javascript:alert(1)",
        "Zoé' onmouseover='alert(1)",
        "a&lt;b&gt;&amp;",
    ],
)
async def test_hostile_display_names_give_safe_links(name: str) -> None:
    person = await make_user(display_name=name)
    handle = mentions.mention_handle(person)
    html = await rendered(f"Bonjour @{handle} !")
    assert mention_links(html) == [(f"/forum/u/{person.id}", f"@{handle}")]
    for node, _ in tree(html).walk():
        assert node.tag in {"p", "a"}, node.tag
        assert not any(attribute.startswith("on") for attribute in node.attrs)
    assert "<script" not in html and "onerror" not in html.replace(handle, "")


async def test_the_sanitiser_keeps_no_other_class_and_no_class_elsewhere() -> None:
    from tierslieu.markdown import Document

    html = Document("@Quelqu1").html(lambda handle: 'javascript:alert(1)" class="evil')
    links = [node for node, _ in tree(html).walk() if node.tag == "a"]
    assert [link.attrs.get("href") for link in links] == [None]  # the scheme is refused, the link stays text
    assert links[0].attrs.get("class") == "mention"


async def test_creating_replying_and_editing_render_the_mentions() -> None:
    sophie = await make_user(display_name="Sophie Laurent")
    karim = await make_user(display_name="Karim Benali")
    author = await make_user()
    topic = await make_topic(author, body="Question pour @SophieLaurent")
    opening = await Post.get(topic_id=topic.id, number=1)
    assert mention_links(opening.body_html) == [(f"/forum/u/{sophie.id}", "@SophieLaurent")]
    reply = await make_reply(topic, author, body="Et @KarimBenali ?")
    assert mention_links(reply.body_html) == [(f"/forum/u/{karim.id}", "@KarimBenali")]
    notified = set(await Notification.filter(kind="forum.mention").values_list("user_id", flat=True))
    assert notified == {sophie.id, karim.id}

    edited = await services.edit_post(author, reply.id, PostEdit(body="Plutôt @SophieLaurent, pas `@KarimBenali`"))
    assert mention_links(edited.body_html) == [(f"/forum/u/{sophie.id}", "@SophieLaurent")]
    edited = await services.edit_post(author, reply.id, PostEdit(body="Personne finalement."))
    assert mention_links(edited.body_html) == []


async def test_a_new_name_is_found_and_the_old_one_no_longer() -> None:
    from accounts.forms import Profile

    person = await make_user(display_name="Léa Petit")
    assert mention_links(await rendered("@LeaPetit"))
    await accounts.update_profile(person, Profile(display_name="Léa Grand"))
    assert mention_links(await rendered("@LeaPetit")) == []
    assert mention_links(await rendered("@LeaGrand")) == [(f"/forum/u/{person.id}", "@LeaGrand")]
    assert await MentionName.filter(user_id=person.id).count() == 1


# --- suggestions while typing --------------------------------------------------------------------


async def test_suggestions_fold_accents_and_match_handles_and_words() -> None:
    viewer = await make_user(display_name="Alix Martin")
    emilie = await make_user(display_name="Émilie Côté")
    await make_user(display_name="Cécile Dubois")
    assert await mentions.suggest(viewer, "emi") == [{"handle": "ÉmilieCôté", "name": "Émilie Côté"}]
    assert await mentions.suggest(viewer, "ÉMILIEC") == [{"handle": "ÉmilieCôté", "name": "Émilie Côté"}]
    assert [s["name"] for s in await mentions.suggest(viewer, "cote")] == [emilie.display_name]
    # handles first, then words of names
    assert [s["name"] for s in await mentions.suggest(viewer, "c")] == ["Cécile Dubois", "Émilie Côté"]
    assert await mentions.suggest(viewer, "alix") == []  # not oneself
    assert await mentions.suggest(viewer, "@@") == []
    assert await mentions.suggest(viewer, "") == []


async def test_at_most_eight_suggestions_those_who_wrote_in_the_topic_first() -> None:
    viewer = await make_user()
    people = [await make_user(display_name=f"Sophie Numéro{n:02d}") for n in range(12)]
    await User.filter(id=people[0].id).update(deleted_at=clock.now())  # deleted, name kept
    topic = await make_topic(people[11])
    await make_reply(topic, people[10])
    found = await mentions.suggest(viewer, "sop", topic)
    assert len(found) == 8
    assert [s["name"] for s in found[:2]] == ["Sophie Numéro10", "Sophie Numéro11"]
    assert "Sophie Numéro00" not in {s["name"] for s in await mentions.suggest(viewer, "sop")}


async def test_the_suggestion_endpoint_is_for_signed_in_people(client) -> None:
    sophie = await make_user(display_name="Sophie Laurent")
    refused = await client.get("/forum/mentions?q=sop", headers={"Accept": "application/json"})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    redirected = await client.get("/forum/mentions?q=sop", headers={"Accept": "text/html"})
    assert redirected.status_code == 303 and redirected.headers["location"].startswith("/login?next=")

    member = await make_user()
    await login(client, member.email)
    answer = await client.get("/forum/mentions?q=sop", headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert answer.json() == [{"handle": "SophieLaurent", "name": sophie.display_name}]
    for query in ("", "q=", "q=%40", "q=%E2%80%94", "q=sop&topic=abc", "q=sop&topic=99999999999999999999"):
        response = await client.get(f"/forum/mentions?{query}")
        assert response.status_code == 200, query
    assert (await client.get("/forum/mentions?q=%40")).json() == []
    for bad in ("x" * 81, "so%00p"):
        response = await client.get(f"/forum/mentions?q={bad}", headers={"Accept": "application/json"})
        assert response.status_code == 422 and response.json()["error"]["fields"]["q"], bad


async def test_a_hidden_topic_gives_a_member_the_same_answer_as_none(client) -> None:
    moderator = await make_moderator()
    writer = await make_user(display_name="Sophie Zèbre")
    await make_user(display_name="Sophie Abeille")
    topic = await make_topic(writer)
    await moderation.set_topic_state(moderator, topic.id, "hide", "Hors sujet")
    member = await make_user()
    await login(client, member.email)
    hidden = (await client.get(f"/forum/mentions?q=sophie&topic={topic.id}")).json()
    assert hidden == (await client.get("/forum/mentions?q=sophie")).json()
    assert [s["name"] for s in hidden] == ["Sophie Abeille", "Sophie Zèbre"]


# --- a person's page ----------------------------------------------------------------------------


async def test_a_persons_page_shows_their_handle_and_what_the_viewer_may_read(client) -> None:
    moderator = await make_moderator()
    category = await make_category("Python")
    sophie = await make_user(display_name="Sophie Laurent")
    shown = await make_topic(sophie, category=category, title="Une question visible de Sophie")
    hidden_topic = await make_topic(sophie, title="Un sujet caché de Sophie")
    other = await make_topic(title="Le sujet de quelqu’un d’autre")
    await make_reply(other, sophie, body="Une réponse visible")
    hidden_reply = await make_reply(other, sophie, body="Une réponse cachée")
    elsewhere = await make_topic(title="Un sujet qui sera caché")
    await make_reply(elsewhere, sophie, body="Réponse dans un sujet caché")
    await moderation.set_topic_state(moderator, hidden_topic.id, "hide", "Doublon")
    await moderation.set_topic_state(moderator, elsewhere.id, "hide", "Doublon")
    await moderation.set_post_hidden(moderator, hidden_reply.id, True, "Hors sujet")

    page = await client.get(f"/forum/u/{sophie.id}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Sophie Laurent" in text and "@SophieLaurent" in text
    assert "1 sujet ouvert" in text and "1 réponse" in text
    assert shown.title in text and "Python" in text
    assert f"Dans « {other.title} »" in text  # (text_of makes the no-break spaces plain)
    for secret in (hidden_topic.title, elsewhere.title):
        assert secret not in text
    assert page.text.count(f'href="/forum/p/{hidden_reply.id}"') == 0

    await login(client, moderator.email)
    text = text_of((await client.get(f"/forum/u/{sophie.id}")).text)
    assert hidden_topic.title in text and elsewhere.title in text
    assert "2 sujets ouverts" in text and "3 réponses" in text


async def test_no_page_for_deleted_unknown_or_silent_people_to_anonymous_visitors(client) -> None:
    silent = await make_user(display_name="Jamais Écrit")
    gone = await make_user(display_name="Parti Depuis")
    await make_topic(gone)
    await accounts.erase_account(gone)
    only_hidden = await make_user()
    topic = await make_topic(only_hidden)
    await moderation.set_topic_state(await make_moderator(), topic.id, "hide", "Spam évident")
    for user_id in (silent.id, gone.id, only_hidden.id, 999_999, 10**30):
        response = await client.get(f"/forum/u/{user_id}")
        assert response.status_code == 404, user_id
    member = await make_user()
    await login(client, member.email)
    assert (await client.get(f"/forum/u/{silent.id}")).status_code == 200
    assert (await client.get(f"/forum/u/{gone.id}")).status_code == 404


async def test_post_authors_link_to_their_page_and_the_help_shows_my_handle(client) -> None:
    sophie = await make_user(display_name="Sophie Laurent")
    topic = await make_topic(sophie)
    page = (await client.get(f"/forum/t/{topic.id}")).text
    author = [node for node, inside in tree(_main(page)).walk() if node.tag == "a" and "header" in inside]
    assert any(node.attrs["href"] == f"/forum/u/{sophie.id}" and node.text() == "Sophie Laurent" for node in author)

    writer = await make_user(display_name="Marc Dupont")
    await login(client, writer.email)
    post = await Post.get(topic_id=topic.id, number=1)
    for path in (f"/forum/t/{topic.id}", "/forum/new"):
        help_text = text_of((await client.get(path)).text)
        assert "le vôtre est @MarcDupont" in help_text, path
    await make_reply(topic, writer)
    mine = await Post.filter(topic_id=topic.id, author_id=writer.id).first()
    assert "le vôtre est @MarcDupont" in text_of((await client.get(f"/forum/p/{mine.id}/edit")).text)
    assert post.id != mine.id


def _main(page: str) -> str:
    """The posts of a topic page, the part these checks read as a tree."""
    start = page.index('<div class="posts" id="posts">')
    return page[start : page.index('<p class="live-new"', start)]


async def test_deleting_an_account_removes_the_name_kept_to_find_it() -> None:
    from tests.helpers import personal_data

    person = await make_user(display_name="Nadia Sow")
    assert mention_links(await rendered("@NadiaSow"))
    await personal_data("forum").erase(person)
    assert not await MentionName.exists(user_id=person.id)
