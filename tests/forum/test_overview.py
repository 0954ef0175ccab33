"""The forum's evaluation figures and its block of the home page."""

from __future__ import annotations

from datetime import timedelta

from accounts.services import Role
from forum import moderation, overview, services
from forum.models import Post, Topic
from tests.forum.factories import make_category, make_moderator, make_reply, make_topic
from tests.helpers import login, make_user
from tierslieu import clock
from tierslieu.parts import Period

ASKED = "Questions asked"
ANSWERED = "Questions answered (per cent)"
ACCEPTED = "Questions with an accepted answer (per cent)"
MEDIAN = "Median time to a first answer (hours)"


def last_days(days: int = 30) -> Period:
    now = clock.now()
    return Period(now - timedelta(days=days), now)


async def _figures(days: int = 30) -> dict[str, float | int | None]:
    return {figure.label: figure.value for figure in (await overview.figures(last_days(days), "en")).figures}


async def _asked(days_ago: float, **options) -> Topic:
    topic = await make_topic(**options)
    moment = clock.now() - timedelta(days=days_ago)
    await Topic.filter(id=topic.id).update(created_at=moment)
    await Post.filter(topic_id=topic.id, number=1).update(created_at=moment)
    topic.created_at = moment
    return topic


async def _answered(topic: Topic, hours_after: float, author=None) -> Post:
    post = await make_reply(topic, author)
    await Post.filter(id=post.id).update(created_at=topic.created_at + timedelta(hours=hours_after))
    return post


async def test_an_empty_forum_counts_its_questions_and_measures_nothing(database) -> None:
    assert await _figures() == {ASKED: 0, ANSWERED: None, ACCEPTED: None, MEDIAN: None}
    assert await overview.first_answers(last_days()) == []


async def test_figures_on_a_small_forum(database) -> None:
    category = await make_category()
    asker = await make_user()
    old = await _asked(40, author=asker, category=category)
    accepted = await _answered(old, 2)
    await services.accept_answer(asker, accepted.id)
    recent = await _asked(10, author=asker, category=category)
    await _answered(recent, 1, author=asker)  # the asker's own reply is no answer
    await _answered(recent, 5)
    await _answered(recent, 6)
    await _asked(1, category=category)  # not answered yet
    hidden = await _asked(2, category=category)
    await _answered(hidden, 0.5)
    await moderation.set_topic_state(await make_moderator(), hidden.id, "hide", "Hors sujet")
    discussion = await _asked(3, category=category, kind="discussion")
    await _answered(discussion, 0.25)

    # the last 30 days: recent (first answer after 5 h) and the unanswered one
    assert await _figures() == {ASKED: 2, ANSWERED: 50, ACCEPTED: 0, MEDIAN: 5.0}
    # the last 60 days: old (solved, first answer after 2 h) too
    assert await _figures(60) == {ASKED: 3, ANSWERED: 67, ACCEPTED: 33, MEDIAN: 3.5}
    third = await _asked(5, category=category)
    await _answered(third, 10)
    assert await overview.first_answers(last_days(60)) == [2.0, 5.0, 10.0]
    assert (await _figures(60))[MEDIAN] == 5.0
    # a period that ended before anything was asked
    assert await _figures(1) == {ASKED: 0, ANSWERED: None, ACCEPTED: None, MEDIAN: None}


async def test_the_home_panel_lists_the_latest_visible_questions(client) -> None:
    category = await make_category()
    assert await overview.home_panel(None) is None
    assert "Dernières questions du forum" not in (await client.get("/")).text

    shown = [await _asked(days, category=category, title=f"Question vieille de {days} jours") for days in range(1, 7)]
    await services.accept_answer(shown[0].author, (await _answered(shown[0], 1)).id)
    await _answered(shown[1], 1)
    hidden = await _asked(0.5, category=category, title="Une question cachée")
    await moderation.set_topic_state(await make_moderator(), hidden.id, "hide", "Hors sujet")
    await _asked(0.2, category=category, title="Une simple discussion", kind="discussion")

    panel = await overview.home_panel(None)
    assert panel is not None
    assert [topic["id"] for topic in panel["topics"]] == [topic.id for topic in shown[:5]]
    page = (await client.get("/")).text
    assert "Dernières questions du forum" in page
    assert f'href="/forum/t/{shown[0].id}"' in page and f'href="/forum/t/{shown[5].id}"' not in page
    assert "Une question cachée" not in page and "Une simple discussion" not in page
    assert "Résolu" in page and "Avec réponse" in page and "Sans réponse" in page


async def test_the_dashboard_shows_the_forum_s_figures_after_the_accounts_ones(client, other_client) -> None:
    topic = await _asked(1)
    await _answered(topic, 1.5)
    await login(client, (await make_user(roles=(Role.COORDINATOR,), locale="en")).email)
    await login(other_client, (await make_user(roles=(Role.ADMIN,), locale="fr")).email)

    page = (await client.get("/admin/dashboard")).text
    assert page.index('<h2 id="figures-accounts">Accounts</h2>') < page.index('<h2 id="figures-forum">Forum</h2>')
    assert "<dt>Questions asked</dt>\n    <dd>1</dd>" in page
    assert "<dt>Questions with an accepted answer (per cent)</dt>\n    <dd>0</dd>" in page
    assert "<dt>Median time to a first answer (hours)</dt>\n    <dd>1.5</dd>" in page
    page = (await other_client.get("/admin/dashboard")).text
    assert "<dt>Questions posées</dt>\n    <dd>1</dd>" in page
    assert "<dt>Délai médian avant une première réponse (en heures)</dt>\n    <dd>1,5</dd>" in page
