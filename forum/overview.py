"""The forum's figures for the evaluation dashboard, and its block of the home page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tortoise import connections

from forum.models import Topic, TopicKind, Watch
from tierslieu import clock
from tierslieu.errors import N_
from tierslieu.parts import Figure

RECENT = timedelta(days=30)
HOME_TOPICS = 5

# The median, in hours, of the time from a question to its first answer (the first visible
# reply of someone other than the asker), over the visible questions that have one. Window
# functions and integer division give the middle row (or the two middle rows) on SQLite and
# PostgreSQL alike; only the difference of two instants is written in each dialect.
MEDIAN_FIRST_ANSWER_SQL = """
SELECT AVG(hours) AS median FROM (
    SELECT hours, ROW_NUMBER() OVER (ORDER BY hours) AS position, COUNT(*) OVER () AS total FROM (
        SELECT {hours} AS hours
        FROM forum_topic AS t JOIN forum_post AS p ON p.topic_id = t.id
        WHERE t.kind = 'question' AND t.hidden_at IS NULL
          AND p.number > 1 AND p.hidden_at IS NULL AND p.author_id <> t.author_id
        GROUP BY t.id, t.created_at
    ) AS answered
) AS ranked
WHERE position IN ((total + 1) / 2, (total + 2) / 2)
"""
HOURS = {
    "sqlite": "(julianday(MIN(p.created_at)) - julianday(t.created_at)) * 24",
    "postgres": "EXTRACT(EPOCH FROM MIN(p.created_at) - t.created_at) / 3600",
}


async def median_hours_to_first_answer() -> float | None:
    """None while no visible question has an answer."""
    connection = connections.get("default")
    sql = MEDIAN_FIRST_ANSWER_SQL.format(hours=HOURS[connection.capabilities.dialect])
    rows = await connection.execute_query_dict(sql)
    median = rows[0]["median"] if rows else None
    return None if median is None else round(float(median), 1)


async def figures() -> list[Figure]:
    """Questions asked in the last 30 days; of all visible questions, the share (a rounded
    percentage) with an accepted answer and the median time to a first answer, both left
    out while there is no question, or no answer, to measure."""
    questions = Topic.filter(kind=TopicKind.QUESTION, hidden_at=None)
    shown = [
        Figure(
            N_("Questions asked in the last 30 days"),
            await questions.filter(created_at__gte=clock.now() - RECENT).count(),
        )
    ]
    total = await questions.count()
    if total:
        solved = await questions.filter(solved_post_id__not_isnull=True).count()
        shown.append(Figure(N_("Questions with an accepted answer (per cent)"), round(100 * solved / total)))
    median = await median_hours_to_first_answer()
    if median is not None:
        shown.append(Figure(N_("Median time to a first answer (hours)"), median))
    return shown


async def home_panel(user: Any) -> dict[str, Any] | None:
    """The latest visible questions, and for a signed-in person the unanswered ones in the
    categories they watch (where their answer is awaited)."""
    fields = ("id", "title", "created_at", "post_count", "solved_post_id")
    topics = (
        await Topic.filter(kind=TopicKind.QUESTION, hidden_at=None)
        .order_by("-created_at", "-id")
        .limit(HOME_TOPICS)
        .values(*fields)
    )
    waiting: list[dict[str, Any]] = []
    if user is not None:
        watched = await Watch.filter(user_id=user.id, category_id__not_isnull=True).values_list(
            "category_id", flat=True
        )
        if watched:
            waiting = (
                await Topic.filter(kind=TopicKind.QUESTION, hidden_at=None, post_count=1, category_id__in=list(watched))
                .exclude(author_id=user.id)
                .order_by("-created_at", "-id")
                .limit(HOME_TOPICS)
                .values(*fields)
            )
    return {"topics": topics, "waiting": waiting} if topics or waiting else None
