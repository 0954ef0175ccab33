"""The forum's figures for the evaluation dashboard, and its block of the home page."""

from __future__ import annotations

import statistics
from datetime import timedelta
from typing import Any

from forum.models import Post, Topic, TopicKind, Watch
from tierslieu.errors import N_
from tierslieu.i18n import gettext
from tierslieu.parts import Figure, Figures, Period, ResearchRecord

HOME_TOPICS = 5


async def first_answers(period: Period) -> list[float]:
    """For each visible question asked in the period that has one, the time in hours from
    the question to its first answer (the first visible reply of someone other than the
    asker), shortest first."""
    questions = await Topic.filter(
        kind=TopicKind.QUESTION, hidden_at=None, created_at__gte=period.start, created_at__lt=period.end
    ).values_list("id", "created_at", "author_id")
    asked = {ident: (created_at, author_id) for ident, created_at, author_id in questions}
    replies = await Post.filter(topic_id__in=list(asked), number__gt=1, hidden_at=None).values_list(
        "topic_id", "author_id", "created_at"
    )
    first: dict[int, Any] = {}
    for topic_id, author_id, created_at in replies:
        if author_id != asked[topic_id][1] and (topic_id not in first or created_at < first[topic_id]):
            first[topic_id] = created_at
    return sorted((moment - asked[topic_id][0]) / timedelta(hours=1) for topic_id, moment in first.items())


async def figures(period: Period, locale: str) -> Figures:
    """Questions asked in the period; of them, the share (a rounded percentage) answered by
    someone other than the asker, the share with an accepted answer, and the median time to
    a first answer; a share or a median is None while there is no question or no answer."""
    questions = Topic.filter(
        kind=TopicKind.QUESTION, hidden_at=None, created_at__gte=period.start, created_at__lt=period.end
    )
    total = await questions.count()
    solved = await questions.filter(solved_post_id__not_isnull=True).count()
    delays = await first_answers(period)
    answered, median = len(delays), round(statistics.median(delays), 1) if delays else None

    def share(count: int) -> int | None:
        return round(100 * count / total) if total else None

    return Figures(
        figures=(
            Figure(gettext(locale, N_("Questions asked")), total),
            Figure(gettext(locale, N_("Questions answered (per cent)")), share(answered)),
            Figure(gettext(locale, N_("Questions with an accepted answer (per cent)")), share(solved)),
            Figure(gettext(locale, N_("Median time to a first answer (hours)")), median),
        )
    )


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


async def research(period: Period) -> list[ResearchRecord]:
    """``forum.question``: one record per visible question asked in the period; subject its
    category, category ``answered`` or ``unanswered``, measure the hours to its first answer."""
    questions = await Topic.filter(
        kind=TopicKind.QUESTION, hidden_at=None, created_at__gte=period.start, created_at__lt=period.end
    ).values_list("id", "category_id", "author_id", "created_at")
    asked = {ident: created_at for ident, _, _, created_at in questions}
    authors = {ident: author_id for ident, _, author_id, _ in questions}
    replies = await Post.filter(topic_id__in=list(asked), number__gt=1, hidden_at=None).values_list(
        "topic_id", "author_id", "created_at"
    )
    first: dict[int, Any] = {}
    for topic_id, author_id, created_at in replies:
        if author_id != authors[topic_id] and (topic_id not in first or created_at < first[topic_id]):
            first[topic_id] = created_at
    return [
        ResearchRecord(
            dataset="forum.question",
            day=created_at.date(),
            category="answered" if ident in first else "unanswered",
            subject=f"forum_category:{category_id}",
            person=author_id,
            measure=round((first[ident] - created_at) / timedelta(hours=1), 2) if ident in first else None,
        )
        for ident, category_id, author_id, created_at in questions
    ]
