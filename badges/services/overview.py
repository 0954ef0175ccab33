"""Badges on the evaluation dashboard and in the export for researchers."""

from __future__ import annotations

from collections import Counter

from badges.models import Award, BadgeClass, Origin
from tierslieu.errors import N_
from tierslieu.i18n import gettext
from tierslieu.parts import Chart, Figure, Figures, Period, ResearchRecord

ORIGIN_LABELS = {
    Origin.EVENT: N_("On attendance"),
    Origin.MANUAL: N_("By hand"),
    Origin.MENTORING: N_("By a mentor"),
}


async def figures(period: Period, locale: str) -> Figures:
    """Badges awarded in the period (revoked ones since included), the people who earned
    them, those revoked in the period, and the awards per class and per way of awarding."""
    awards = await Award.filter(issued_at__gte=period.start, issued_at__lt=period.end).values_list(
        "badge_class_id", "recipient_id", "origin"
    )
    revoked = await Award.filter(revoked_at__gte=period.start, revoked_at__lt=period.end).count()
    names = dict(await BadgeClass.all().values_list("id", "name"))
    per_class = Counter(badge_class_id for badge_class_id, _, _ in awards)
    per_origin = Counter(origin for _, _, origin in awards)
    return Figures(
        figures=(
            Figure(gettext(locale, N_("Badges awarded")), len(awards)),
            Figure(gettext(locale, N_("People who earned a badge")), len({who for _, who, _ in awards if who})),
            Figure(gettext(locale, N_("Badges revoked")), revoked),
        ),
        charts=(
            Chart(
                gettext(locale, N_("Badges awarded per badge")),
                "bars",
                (gettext(locale, N_("Awards")),),
                tuple(
                    (names[ident], (count,)) for ident, count in sorted(per_class.items(), key=lambda item: -item[1])
                ),
            ),
            Chart(
                gettext(locale, N_("Badges awarded per way of awarding")),
                "bars",
                (gettext(locale, N_("Awards")),),
                tuple(
                    (gettext(locale, label), (per_origin.get(origin, 0),)) for origin, label in ORIGIN_LABELS.items()
                ),
            ),
        ),
    )


async def research(period: Period) -> list[ResearchRecord]:
    """``badges.award``: one record per award issued in the period; subject the badge class,
    category the way it was awarded, measure 1 when it has been revoked since, else 0."""
    rows = await Award.filter(issued_at__gte=period.start, issued_at__lt=period.end).values_list(
        "badge_class_id", "recipient_id", "origin", "issued_at", "revoked_at"
    )
    return [
        ResearchRecord(
            dataset="badges.award",
            day=issued_at.date(),
            category=str(origin),
            subject=f"badge_class:{badge_class_id}",
            person=recipient_id,
            measure=int(revoked_at is not None),
        )
        for badge_class_id, recipient_id, origin, issued_at, revoked_at in rows
    ]
