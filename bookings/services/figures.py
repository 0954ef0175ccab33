"""The bookings part's figures on the evaluation dashboard: the use of the rooms over a
period, and when in the week they are used (a weekday by hour heat map)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from babel.dates import get_day_names
from tortoise.expressions import Q

from bookings.models import Booking, Room, Status
from bookings.services.noshows import NO_SHOW
from tierslieu.errors import N_
from tierslieu.i18n import gettext, zone
from tierslieu.parts import Chart, Figure, Figures, Period, ResearchRecord

# The hours the heat map shows at least (local time of each room); wider when a booking
# falls outside them.
FIRST_HOUR, LAST_HOUR = 8, 19
HOUR = timedelta(hours=1)


def _weekday_counts(period: Period) -> list[int]:
    """How many of each weekday (Monday first) the period's days hold (UTC days)."""
    counts = [0] * 7
    day = period.start.date()
    last = (period.end - timedelta(microseconds=1)).date()
    while day <= last:
        counts[day.weekday()] += 1
        day += timedelta(days=1)
    return counts


def _spread(starts_at: datetime, ends_at: datetime, timezone: str, cells: dict[tuple[int, int], float]) -> None:
    """Add the minutes of one booking to the (weekday, hour) cells of its room's local time."""
    tz = zone(timezone)
    moment = starts_at
    while moment < ends_at:
        local = moment.astimezone(tz)
        next_hour = (local.replace(minute=0, second=0, microsecond=0) + HOUR).astimezone(starts_at.tzinfo)
        step_end = min(ends_at, next_hour)
        cells[(local.weekday(), local.hour)] += (step_end - moment) / timedelta(minutes=1)
        moment = step_end


async def figures(period: Period, locale: str) -> Figures:
    """Bookings held and hours booked that started in the period, the bookings released in
    it because nobody checked in, and the occupancy heat map: for each weekday and hour (in
    each room's time zone), the share of the rooms' time booked, in per cent of every room
    at that hour of each such day of the period."""
    rows = await Booking.filter(
        Q(status=Status.CONFIRMED) | Q(status=Status.CANCELLED, cancel_reason=NO_SHOW),
        starts_at__gte=period.start,
        starts_at__lt=period.end,
    ).values_list("status", "starts_at", "ends_at", "room__timezone")
    held = [(starts_at, ends_at, tz) for status, starts_at, ends_at, tz in rows if status == Status.CONFIRMED]
    hours = sum((ends_at - starts_at for starts_at, ends_at, _ in held), timedelta()) / HOUR
    cells: dict[tuple[int, int], float] = defaultdict(float)
    for starts_at, ends_at, tz in held:
        _spread(starts_at, min(ends_at, period.end), tz, cells)
    rooms = await Room.all().count()
    used_hours = [hour for _, hour in cells]
    first, last = min([FIRST_HOUR, *used_hours]), max([LAST_HOUR, *used_hours])
    days = _weekday_counts(period)
    names = get_day_names("wide", locale=locale)
    heat_rows = []
    for weekday in range(7):
        available = rooms * days[weekday] * 60
        heat_rows.append(
            (
                names[weekday].capitalize(),
                tuple(
                    round(100 * cells.get((weekday, hour), 0.0) / available) if available else 0
                    for hour in range(first, last + 1)
                ),
            )
        )
    return Figures(
        figures=(
            Figure(gettext(locale, N_("Room bookings held")), len(held)),
            Figure(gettext(locale, N_("Hours of rooms booked")), round(hours, 1)),
            Figure(gettext(locale, N_("Bookings released because nobody checked in")), len(rows) - len(held)),
        ),
        charts=(
            Chart(
                title=gettext(locale, N_("Room occupancy by weekday and hour (per cent of the rooms' time)")),
                kind="heatmap",
                columns=tuple(f"{hour:02d}:00" for hour in range(first, last + 1)),
                rows=tuple(heat_rows),
            ),
        ),
    )


async def research(period: Period) -> list[ResearchRecord]:
    """``bookings.booking``: one record per booking held or released for a no-show that
    started in the period; subject the room, category ``held`` or ``no_show`` and the origin
    (``held/member``…), measure its length in hours."""
    rows = await Booking.filter(
        Q(status=Status.CONFIRMED) | Q(status=Status.CANCELLED, cancel_reason=NO_SHOW),
        starts_at__gte=period.start,
        starts_at__lt=period.end,
    ).values_list("room_id", "user_id", "status", "origin", "starts_at", "ends_at")
    return [
        ResearchRecord(
            dataset="bookings.booking",
            day=starts_at.date(),
            category=f"{'held' if status == Status.CONFIRMED else 'no_show'}/{origin}",
            subject=f"room:{room_id}",
            person=user_id,
            measure=round((ends_at - starts_at) / HOUR, 2),
        )
        for room_id, user_id, status, origin, starts_at, ends_at in rows
    ]
