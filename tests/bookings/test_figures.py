"""The bookings part's figures on the evaluation dashboard: the use of the rooms over a period
and the weekday by hour heat map of their occupancy."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bookings import services
from bookings.models import Booking
from tests.bookings.helpers import EVERY_DAY, at, make_room, next_monday
from tests.helpers import make_user
from tierslieu import clock
from tierslieu.parts import Period


async def _moved_back(booking: Booking, days: int) -> None:
    """A booking made ahead, then dated ``days`` earlier (bookings cannot be made in the past)."""
    shift = timedelta(days=days)
    await Booking.filter(id=booking.id).update(starts_at=booking.starts_at - shift, ends_at=booking.ends_at - shift)


def four_weeks() -> Period:
    """The last 28 whole UTC days: each weekday four times."""
    midnight = datetime.combine(clock.now().date(), time(), UTC)
    return Period(midnight - timedelta(days=28), midnight)


async def test_figures_and_heat_map_of_a_period() -> None:
    user = await make_user()
    room = await make_room(opening_hours=EVERY_DAY, checkin_grace_minutes=15)
    await make_room(opening_hours=EVERY_DAY)  # a second room, never booked: halves the occupancy
    day = next_monday()
    held = await services.create_booking(user, room.id, at(day, "09:00"), at(day, "11:30"), "x")
    missed = await services.create_booking(user, room.id, at(day, "12:00"), at(day, "13:00"), "x")
    old = await services.create_booking(user, room.id, at(day, "14:00"), at(day, "15:00"), "x")
    await services.create_booking(user, room.id, at(day, "16:00"), at(day, "17:00"), "ahead: not counted")
    await services.check_in(user, held.id, now=at(day, "08:50"))
    assert await services.release_no_shows(at(day, "12:30")) == 1
    for booking, days in ((held, 14), (missed, 14), (old, 14 + 28)):  # two weeks ago, still a Monday
        await booking.refresh_from_db()
        await _moved_back(booking, days)
    shown = await services.figures(four_weeks(), "en")
    assert {figure.label: figure.value for figure in shown.figures} == {
        "Room bookings held": 1,
        "Hours of rooms booked": 2.5,
        "Bookings released because nobody checked in": 1,
    }
    (heat,) = shown.charts
    assert heat.kind == "heatmap"
    assert heat.columns == tuple(f"{hour:02d}:00" for hour in range(8, 20))
    rows = dict(heat.rows)
    assert list(rows) == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    # 9:00 to 11:30 on one Monday of four, in one room of two: 60 min of 4 × 2 × 60
    assert rows["Monday"] == (0, 12, 12, 6, 0, 0, 0, 0, 0, 0, 0, 0)
    assert all(value == 0 for name, values in rows.items() if name != "Monday" for value in values)
    french = await services.figures(four_weeks(), "fr")
    assert french.charts[0].rows[0][0] == "Lundi"
    assert french.figures[0].label == "Réservations de salles honorées"
