"""The accounts part's figures for the evaluation dashboard."""

from __future__ import annotations

from datetime import timedelta

from accounts.models import User
from tierslieu import clock
from tierslieu.errors import N_
from tierslieu.parts import Figure

RECENT = timedelta(days=30)


async def figures() -> list[Figure]:
    """People with an account (deleted ones left out), and those of them seen in the last 30
    days: a session of theirs was used since (sessions note when they were last used, every
    few minutes at most)."""
    people = User.filter(deleted_at=None)
    active = people.filter(sessions__last_seen_at__gte=clock.now() - RECENT).distinct()
    return [
        Figure(N_("People signed up"), await people.count()),
        Figure(N_("People active in the last 30 days"), await active.count()),
    ]
