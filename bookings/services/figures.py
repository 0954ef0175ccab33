"""The bookings part's figures on the evaluation dashboard: the last 30 days of use."""

from __future__ import annotations

from datetime import timedelta

from tortoise.expressions import Q

from bookings.models import Booking, Status
from bookings.services.noshows import NO_SHOW
from tierslieu import clock
from tierslieu.errors import N_
from tierslieu.parts import Figure

SPAN = timedelta(days=30)


async def figures() -> list[Figure]:
    """Bookings held and hours booked that started in the last 30 days, and the bookings
    released in that time because nobody checked in (one query)."""
    now = clock.now()
    rows = await Booking.filter(
        Q(status=Status.CONFIRMED) | Q(status=Status.CANCELLED, cancel_reason=NO_SHOW),
        starts_at__gte=now - SPAN,
        starts_at__lt=now,
    ).values_list("status", "starts_at", "ends_at")
    held = [(starts_at, ends_at) for status, starts_at, ends_at in rows if status == Status.CONFIRMED]
    hours = sum((ends_at - starts_at for starts_at, ends_at in held), timedelta()) / timedelta(hours=1)
    return [
        Figure(N_("Room bookings in the last 30 days"), len(held)),
        Figure(N_("Hours of rooms booked in the last 30 days"), round(hours, 1)),
        Figure(N_("Bookings released in the last 30 days because nobody checked in"), len(rows) - len(held)),
    ]
