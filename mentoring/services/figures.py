"""Mentoring's figures on the evaluation dashboard: requests made in the period, the share
matched, the median time to a match, relationships completed and their average rating."""

from __future__ import annotations

import statistics
from datetime import timedelta

from mentoring.models import Request, RequestStatus
from tierslieu import i18n
from tierslieu.errors import N_
from tierslieu.parts import Figure, Figures, Period, ResearchRecord

REQUESTS = N_("Mentoring requests made")
MATCHED = N_("Share of those requests matched with a mentor, in per cent")
MEDIAN_DAYS = N_("Median time from request to match (days)")
COMPLETED = N_("Mentoring relationships completed")
RATING = N_("Average rating of completed relationships (1 to 5)")


async def numbers(period: Period) -> list[tuple[str, float | int | None]]:
    made = await Request.filter(created_at__gte=period.start, created_at__lt=period.end).values_list(
        "created_at", "accepted_at"
    )
    waits = [(accepted - created) / timedelta(days=1) for created, accepted in made if accepted is not None]
    completed = await Request.filter(
        status=RequestStatus.COMPLETED, closed_at__gte=period.start, closed_at__lt=period.end
    ).values_list("rating", flat=True)
    ratings = [rating for rating in completed if rating is not None]
    return [
        (REQUESTS, len(made)),
        (MATCHED, round(100 * len(waits) / len(made)) if made else None),
        (MEDIAN_DAYS, round(statistics.median(waits), 1) if waits else None),
        (COMPLETED, len(completed)),
        (RATING, round(statistics.mean(ratings), 1) if ratings else None),
    ]


async def figures(period: Period, locale: str) -> Figures:
    """The dashboard's figures, labels in ``locale``; None where there is nothing to say."""
    return Figures(figures=[Figure(i18n.gettext(locale, label), value) for label, value in await numbers(period)])


async def research(period: Period) -> list[ResearchRecord]:
    """``mentoring.request``: one record per request made in the period; no subject;
    category what became of it (``open``, ``offered``, ``active``, ``completed``,
    ``cancelled``, ``expired``, ``withdrawn``); measure the days it took to find a mentor,
    none while it has none."""
    rows = await Request.filter(created_at__gte=period.start, created_at__lt=period.end).values_list(
        "created_at", "accepted_at", "status", "mentee_id"
    )
    return [
        ResearchRecord(
            dataset="mentoring.request",
            day=created.date(),
            category=str(status),
            person=mentee,
            measure=round((accepted - created) / timedelta(days=1), 1) if accepted is not None else None,
        )
        for created, accepted, status, mentee in rows
    ]
