"""Daily use of the forum pages: the handle to mention someone is shown beside their posts."""

from __future__ import annotations

from tests.forum.factories import make_reply, make_topic
from tests.helpers import make_user, text_of


async def test_the_handle_to_mention_someone_is_shown_beside_their_posts(client) -> None:
    sophie = await make_user(display_name="Sophie Laurent")
    topic = await make_topic(sophie)
    await make_reply(topic, await make_user(display_name="Marc Dupont"))
    text = text_of((await client.get(f"/forum/t/{topic.id}")).text)
    assert "Sophie Laurent @SophieLaurent" in text and "Marc Dupont @MarcDupont" in text


async def test_tags_take_accented_letters() -> None:
    topic = await make_topic(tags=["été", "Première", "c++"])
    await topic.fetch_related("tags")
    assert sorted(tag.name for tag in topic.tags) == ["c++", "première", "été"]


async def test_similar_questions_ignore_stop_words() -> None:
    from forum import search

    await make_topic(title="Un cours sans ordinateur pour la seconde")
    found = await search.similar_topics("Travailler sans tableau blanc")
    assert found == []
    found = await search.similar_topics("Débrancher un ordinateur ?")
    assert [item["title"] for item in found] == ["Un cours sans ordinateur pour la seconde"]


async def test_search_shows_a_topic_once_with_its_number_of_matching_posts(client) -> None:
    topic = await make_topic(title="Récursivité en première", body="La récursivité fait peur.")
    await make_reply(topic, body="La récursivité se dessine en arbre.")
    await make_reply(topic, body="Encore la récursivité, avec les tours de Hanoï.")
    page = (await client.get("/forum/search?q=récursivité")).text
    assert page.count(">Récursivité en première</a>") == 1
    assert "3 messages de ce sujet correspondent" in text_of(page)


async def test_questions_are_voted_on_and_discussion_posts_thanked(client) -> None:
    import pytest

    from forum import services
    from tierslieu.errors import Invalid

    asker, reader = await make_user(), await make_user()
    question = await make_topic(asker)
    first = await question.posts.all().order_by("number").first()
    assert (await services.vote(reader, first.id, 1)).score == 1  # the question itself
    discussion = await make_topic(asker, kind="discussion")
    opening = await discussion.posts.all().order_by("number").first()
    assert (await services.vote(reader, opening.id, 1)).score == 1  # a thanks
    with pytest.raises(Invalid):
        await services.vote(reader, opening.id, -1)
    from tests.helpers import login

    await login(client, reader.email)
    text = text_of((await client.get(f"/forum/t/{discussion.id}")).text)
    assert "1 remerciement" in text and "Merci" in text
