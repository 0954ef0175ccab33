"""The accounts part's figures for the evaluation dashboard, over a period."""

from __future__ import annotations

from accounts.models import User
from tierslieu.errors import N_
from tierslieu.i18n import gettext
from tierslieu.parts import Figure, Figures, Period, ResearchRecord


async def figures(period: Period, locale: str) -> Figures:
    """People with an account at the end of the period (deleted ones left out), those who
    signed up during it, and those seen during it: a session of theirs was used in the period
    (sessions note when they were last used, every few minutes at most, so a person seen
    since the period ended and not during it is not counted)."""
    people = User.filter(deleted_at=None, created_at__lt=period.end)
    joined = people.filter(created_at__gte=period.start)
    active = people.filter(
        sessions__last_seen_at__gte=period.start,
        sessions__created_at__lt=period.end,
    ).distinct()
    return Figures(
        figures=(
            Figure(gettext(locale, N_("People with an account")), await people.count()),
            Figure(gettext(locale, N_("People who signed up")), await joined.count()),
            Figure(gettext(locale, N_("People active during the period")), await active.count()),
        )
    )


async def research(period: Period) -> list[ResearchRecord]:
    """``accounts.signup``: one record per account opened in the period (deleted ones too,
    counted without anything of theirs); category the motivation given at sign-up."""
    rows = await User.filter(created_at__gte=period.start, created_at__lt=period.end).values_list(
        "id", "created_at", "motivation"
    )
    return [
        ResearchRecord(dataset="accounts.signup", day=created_at.date(), category=str(motivation or ""), person=ident)
        for ident, created_at, motivation in rows
    ]
