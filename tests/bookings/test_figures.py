"""The bookings part's figures on the evaluation dashboard: the last 30 days of use."""

from __future__ import annotations

from datetime import timedelta

from bookings import services
from bookings.models import Booking
from tests.bookings.helpers import EVERY_DAY, at, make_room, next_monday
from tests.helpers import make_user
from tierslieu import clock


async def _moved_back(booking: Booking, days: int) -> None:
    """A booking made ahead, then dated ``days`` earlier (bookings cannot be made in the past)."""
    shift = timedelta(days=days)
    await Booking.filter(id=booking.id).update(starts_at=booking.starts_at - shift, ends_at=booking.ends_at - shift)


async def test_figures_of_the_last_30_days() -> None:
    user = await make_user()
    room = await make_room(opening_hours=EVERY_DAY, checkin_grace_minutes=15)
    day = next_monday()
    held = await services.create_booking(user, room.id, at(day, "09:00"), at(day, "11:30"), "x")
    missed = await services.create_booking(user, room.id, at(day, "12:00"), at(day, "13:00"), "x")
    old = await services.create_booking(user, room.id, at(day, "14:00"), at(day, "15:00"), "x")
    await services.create_booking(user, room.id, at(day, "16:00"), at(day, "17:00"), "ahead: not counted")
    await services.check_in(user, held.id, now=at(day, "08:50"))
    assert await services.release_no_shows(at(day, "12:30")) == 1
    offset = (day - clock.now().date()).days + 10  # ten days ago
    for booking, days in ((held, offset), (missed, offset), (old, offset + 30)):
        await booking.refresh_from_db()
        await _moved_back(booking, days)
    figures = {figure.label: figure.value for figure in await services.figures()}
    assert figures == {
        "Room bookings in the last 30 days": 1,
        "Hours of rooms booked in the last 30 days": 2.5,
        "Bookings released in the last 30 days because nobody checked in": 1,
    }
