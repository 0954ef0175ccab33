"""Topic pages kept for anonymous readers: the same bytes while nothing changes, a fresh page
the moment anything the page shows changes, and never a kept page for someone signed in."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from accounts import services as accounts
from accounts.forms import Profile
from forum import moderation, services
from forum.forms import CategoryIn, PostEdit
from forum.models import Topic
from tests.conftest import TEST_REDIS_URL
from tests.forum.factories import make_category, make_moderator, make_reply, make_topic
from tests.helpers import PASSWORD, login, make_user
from tierslieu import pagecache


async def _page(client, topic_id: int) -> str:
    response = await client.get(f"/forum/t/{topic_id}")
    assert response.status_code == 200
    return response.text


async def _kept_twice(client, topic_id: int) -> str:
    """Read the page twice: the second read must come from the cache, byte for byte."""
    cache = pagecache.current()
    assert cache is not None
    first = await _page(client, topic_id)
    hits = cache.hits
    second = await _page(client, topic_id)
    assert cache.hits == hits + 1 and second == first
    return second


async def test_every_change_that_shows_on_a_topic_page_is_seen_at_once(app, client) -> None:
    asker = await make_user(display_name="Awa Ndiaye")
    moderator = await make_moderator()
    topic = await make_topic(asker, title="Tortue et fractales en seconde", tags=["python"])
    helper = await make_user(display_name="Yao Kouassi")
    answer = await make_reply(topic, helper, body="Essayez le module turtle.")
    voter = await make_user()
    hidden = await make_reply(topic, body="Un message à cacher.")

    async def after(change) -> str:
        await _kept_twice(client, topic.id)
        await change()
        return await _kept_twice(client, topic.id)

    page = await after(lambda: make_reply(topic, body="Et Scratch pour commencer ?"))
    assert "Et Scratch pour commencer ?" in page
    page = await after(lambda: services.edit_post(helper, answer.id, PostEdit(body="Essayez le module turtle de Python.")))
    assert "Essayez le module turtle de Python." in page
    page = await after(lambda: services.vote(voter, answer.id, 1))
    assert f'data-post-score="{answer.id}">1<' in page
    page = await after(lambda: services.accept_answer(asker, answer.id))
    assert f'class="post accepted" id="p{answer.id}"' in page
    page = await after(lambda: moderation.set_topic_state(moderator, topic.id, "lock", "Résolu depuis longtemps"))
    assert "no longer accepts replies" in page or "n’accepte plus" in page or "n'accepte plus" in page
    cache = pagecache.current()
    misses = cache.misses
    await after(lambda: moderation.set_topic_state(moderator, topic.id, "pin", ""))
    assert cache.misses == misses + 1  # not shown to anonymous readers, but the page was made afresh
    other = await make_category("Intelligence artificielle")
    page = await after(lambda: moderation.move_topic(moderator, topic.id, other.id, "Mieux rangé ici"))
    assert "Intelligence artificielle" in page
    page = await after(lambda: services.update_category(moderator, other.id, CategoryIn(name="IA au lycée")))
    assert "IA au lycée" in page
    page = await after(lambda: moderation.rename_tag(moderator, "python", "python3", ""))
    assert "#python3" in page
    page = await after(lambda: moderation.merge_tags(moderator, "python3", "programmation", ""))
    assert "#programmation" in page and "#python3" not in page
    page = await after(lambda: moderation.set_post_hidden(moderator, hidden.id, True, "Hors sujet"))
    assert "Un message à cacher." not in page
    page = await after(
        lambda: accounts.update_profile(asker, Profile(display_name="Awa N.", locale="fr", timezone="Africa/Dakar"))
    )
    assert "Awa N." in page and "Awa Ndiaye" not in page
    page = await after(lambda: accounts.delete_account(voter, PASSWORD, limiter=app.state.limiter))
    assert "Anonyme" in page or voter.display_name not in page


async def test_signed_in_readers_never_get_a_kept_page(client) -> None:
    topic = await make_topic(title="Des capteurs en SNT")
    anonymous = await _kept_twice(client, topic.id)
    reader = await make_user(display_name="Lucas Petit")
    await login(client, reader.email)
    signed_in = await _page(client, topic.id)
    assert signed_in != anonymous and "Lucas Petit" in signed_in and 'name="csrf_token"' in signed_in
    cache = pagecache.current()
    hits = cache.hits
    assert await _page(client, topic.id) != anonymous and cache.hits == hits


async def test_kept_pages_follow_the_reader_s_language_and_zone(client) -> None:
    topic = await make_topic(title="Les réseaux en NSI")
    french = await _kept_twice(client, topic.id)
    english = await client.get(f"/forum/t/{topic.id}", headers={"Accept-Language": "en"})
    assert english.text != french and 'lang="en"' in english.text
    client.cookies.set("tl_tz", "Africa/Dakar")
    dakar = await client.get(f"/forum/t/{topic.id}")
    assert dakar.status_code == 200 and dakar.text != french  # the times are an hour earlier


async def test_a_hidden_topic_is_not_served_from_the_cache(client) -> None:
    topic = await make_topic(title="Un sujet bientôt caché")
    await _kept_twice(client, topic.id)
    moderator = await make_moderator()
    await moderation.set_topic_state(moderator, topic.id, "hide", "Spam")
    assert (await client.get(f"/forum/t/{topic.id}")).status_code == 404
    assert await Topic.exists(id=topic.id)


async def test_switched_off_nothing_is_kept(app, client) -> None:
    pagecache.use(None)
    topic = await make_topic()
    assert await _page(client, topic.id) == await _page(client, topic.id)
    assert pagecache.current() is None


@pytest.mark.redis
async def test_a_change_in_one_process_reaches_the_pages_kept_by_another() -> None:
    """Two processes' caches share their versions through Redis; each keeps its own bytes."""
    first, second = Redis.from_url(TEST_REDIS_URL), Redis.from_url(TEST_REDIS_URL)
    try:
        one, two = pagecache.PageCache(first), pagecache.PageCache(second)
        depends = ("forum.topic:987654", "forum", pagecache.PEOPLE)
        stamp = await two.versions(depends)
        assert stamp is not None
        from starlette.responses import Response

        two.put("/forum/t/987654?|fr|Europe/Paris", stamp, Response(b"old", media_type="text/html"))
        assert two.get("/forum/t/987654?|fr|Europe/Paris", stamp) is not None
        await one.bump("forum.topic:987654")
        fresh = await two.versions(depends)
        assert fresh != stamp and two.get("/forum/t/987654?|fr|Europe/Paris", fresh) is None
    finally:
        await first.aclose()
        await second.aclose()


async def test_when_redis_does_not_answer_pages_are_made_afresh() -> None:
    down = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    cache = pagecache.PageCache(down)
    try:
        assert await cache.versions(("forum",)) is None
        await cache.bump("forum")  # kept for later, nothing raised
        assert cache.pending == {"forum"}
    finally:
        await down.aclose()
