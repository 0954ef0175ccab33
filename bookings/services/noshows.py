"""Bookings nobody checked in to are released after the room's grace period, by a
periodic sweep that the app starts when it runs background tasks."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from bookings.models import Booking, Origin, Status
from bookings.services import notices
from bookings.services.rules import publish_rooms
from notifications import services as notifications
from tierslieu import clock
from tierslieu.background import Start, periodic

log = logging.getLogger("tierslieu.bookings")

SWEEP_SECONDS = 60
NO_SHOW = "no_show"  # the cancel_reason of a booking released because nobody checked in


async def release_no_shows(now: datetime | None = None) -> int:
    """Release the confirmed member bookings nobody checked in to within the room's grace
    period: the slot becomes free, open views update, the person is told (by mail and
    in-app). Returns how many."""
    now = now or clock.now()
    candidates = await Booking.filter(
        status=Status.CONFIRMED,
        origin=Origin.MEMBER,
        checked_in_at=None,
        starts_at__lte=now,
        ends_at__gt=now - timedelta(days=1),
    ).prefetch_related("room", "user")
    released, told = [], []
    for booking in candidates:
        grace = booking.room.checkin_grace_minutes
        if grace <= 0 or now < booking.starts_at + timedelta(minutes=grace):
            continue
        async with in_transaction():
            updated = await Booking.filter(id=booking.id, status=Status.CONFIRMED, checked_in_at=None).update(
                status=Status.CANCELLED, cancelled_at=now, cancel_reason=NO_SHOW, sequence=booking.sequence + 1
            )
            if updated:
                told += await notices.tell_release(booking)
        if updated:
            released.append(booking.room_id)
    await publish_rooms(*released)
    await notifications.publish(told)
    return len(released)


async def _sweep() -> None:
    count = await release_no_shows()
    if count:
        log.info("released %s booking(s) without check-in", count)


# Started by the app's lifespan when background tasks run (the manifest lists them).
jobs: list[Start] = [
    periodic("bookings-no-show-sweep", SWEEP_SECONDS, _sweep, (IntegrityError, OperationalError, OSError))
]
