"""Recurring bookings: the same local hours on chosen weekdays, week after week.

A preview lists every occurrence with the rules it breaks and the booking in its way;
confirming creates every occurrence the person did not agree to skip, in one
transaction, or none (422 or 409).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from bookings import permissions
from bookings.models import Booking, Origin, Room, Series, Status
from bookings.services import notices
from bookings.services.bookings import create_booking, get_booking
from bookings.services.rooms import get_room
from bookings.services.rules import (
    check_rules,
    forbidden,
    insert_live,
    is_overlap,
    live_filter,
    overlap_error,
    publish_rooms,
    quota_message,
    zone_of,
)
from tierslieu import clock, hours
from tierslieu.errors import N_, Conflict, Invalid
from tierslieu.i18n import Message


@dataclass
class Occurrence:
    day: date
    starts_at: datetime
    ends_at: datetime
    problems: dict[str, str | Message]
    conflict: str | None = None  # the local time of the booking in the way

    @property
    def free(self) -> bool:
        return not self.problems and self.conflict is None


def series_days(weekdays: list[str], first_date: date, weeks: int | None, until: date | None) -> list[date]:
    if weeks is None and until is None:
        raise Invalid(
            "invalid",
            N_("Some fields are missing or invalid."),
            fields={"weeks": N_("Give a number of weeks or an end date.")},
        )
    last = until if until is not None else first_date + timedelta(weeks=weeks or 1, days=-1)
    if last < first_date:
        raise Invalid(
            "invalid",
            N_("Some fields are missing or invalid."),
            fields={"until": N_("The end must come after the start.")},
        )
    last = min(last, first_date + timedelta(weeks=52))
    wanted = {hours.WEEKDAYS.index(day) for day in weekdays}
    days, day = [], first_date
    while day <= last:
        if day.weekday() in wanted:
            days.append(day)
        day += timedelta(days=1)
    return days


async def preview_series(
    actor: Any,
    room: Room,
    weekdays: list[str],
    start: str,
    end: str,
    first_date: date,
    weeks: int | None,
    until: date | None,
    people: int = 1,
    *,
    now: datetime | None = None,
) -> list[Occurrence]:
    """Every occurrence with the rules it breaks and the booking in its way, if any.
    The quota is counted over the whole series (earlier occurrences included)."""
    if not permissions.can_book_room(actor, room):
        raise forbidden()
    now = now or clock.now()
    zone = zone_of(room)
    result = []
    for day in series_days(weekdays, first_date, weeks, until):
        starts_at, ends_at = hours.local_instant(day, start, zone), hours.local_instant(day, end, zone)
        problems = await check_rules(room, actor, starts_at, ends_at, people, now=now, quota=False)
        other = await Booking.filter(live_filter(room.id, starts_at, ends_at)).order_by("starts_at").first()
        conflict = None
        if other is not None:
            # the day is the row's: the times taken are enough
            conflict = f"{hours.local_text(other.starts_at, zone)[11:]} – {hours.local_text(other.ends_at, zone)[11:]}"
        result.append(Occurrence(day, starts_at, ends_at, problems, conflict))
    if not permissions.exempt_from_quota(actor):
        _series_quota(room, actor, result)
    return result


def _series_quota(room: Room, actor: Any, occurrences: list[Occurrence]) -> None:
    # each local week of the series may hold at most the quota (bookings outside it aside,
    # which check_rules counts again when each occurrence is inserted)
    per_week: dict[date, float] = {}
    for item in occurrences:
        if not item.free:
            continue
        week = hours.week_start(item.starts_at.astimezone(zone_of(room)).date())
        per_week[week] = per_week.get(week, 0) + (item.ends_at - item.starts_at) / timedelta(minutes=1)
        if per_week[week] > room.weekly_quota_minutes:
            item.problems["ends_at"] = quota_message(room, per_week[week])


async def create_series(
    actor: Any,
    room_id: int,
    weekdays: list[str],
    start: str,
    end: str,
    first_date: date,
    weeks: int | None,
    until: date | None,
    purpose: str,
    people: int = 1,
    skip_dates: list[date] | None = None,
    *,
    now: datetime | None = None,
) -> tuple[Series, list[Booking], list[Occurrence]]:
    """Create every occurrence at once, in one transaction, except the ``skip_dates`` the
    person accepted to skip after the preview. Any other occurrence that cannot be booked
    (a rule, or a booking made since the preview) fails the whole series: 422 or 409."""
    room = await get_room(room_id)
    now = now or clock.now()
    skip = set(skip_dates or ())
    status = Status.PENDING if room.requires_approval and not permissions.is_manager(actor) else Status.CONFIRMED
    occurrences = await preview_series(actor, room, weekdays, start, end, first_date, weeks, until, people, now=now)
    wanted = [item for item in occurrences if item.day not in skip]
    skipped = [item for item in occurrences if item.day in skip]
    if not wanted:
        raise Invalid(
            "invalid", N_("Some fields are missing or invalid."), fields={"weekdays": N_("No date is left to book.")}
        )
    for item in wanted:
        if item.problems:
            raise Invalid(
                "invalid",
                N_("The occurrence of %(day)s breaks a rule of the room."),
                day=item.day.isoformat(),
                fields=item.problems,
            )
        if item.conflict is not None:
            raise await overlap_error(room, item.starts_at, item.ends_at)
    created: list[Booking] = []
    try:
        async with in_transaction():
            series = await Series.create(
                room_id=room.id,
                user_id=actor.id,
                weekdays=list(weekdays),
                start_time=start,
                end_time=end,
                first_date=wanted[0].day,
                last_date=wanted[-1].day,
                purpose=purpose,
            )
            for item in wanted:
                created.append(
                    await insert_live(
                        room,
                        user_id=actor.id,
                        series_id=series.id,
                        starts_at=item.starts_at,
                        ends_at=item.ends_at,
                        purpose=purpose,
                        people=people,
                        status=status,
                        origin=Origin.MEMBER,
                    )
                )
            if status == Status.CONFIRMED:
                for booking in created[:1]:
                    booking.room = room
                    await notices.mail_confirmed(actor, booking, room, series=created)
    except (IntegrityError, OperationalError) as exc:
        if not is_overlap(exc):
            raise
        for item in wanted:
            if await Booking.filter(live_filter(room.id, item.starts_at, item.ends_at)).exists():
                raise await overlap_error(room, item.starts_at, item.ends_at) from None
        raise Conflict("booking_overlap", N_("This room was booked at the same moment. Please try again.")) from None
    await publish_rooms(room.id)
    return series, created, skipped


async def add_date(actor: Any, booking_id: int, day: date, *, now: datetime | None = None) -> Booking:
    """The owner adds one date to the series of one of its bookings, at the series' hours
    (removing a date is cancelling that occurrence)."""
    booking = await get_booking(actor, booking_id)
    if booking.series_id is None or not permissions.is_owner(actor, booking):
        raise forbidden()
    series = await Series.get(id=booking.series_id)
    zone = zone_of(booking.room)
    starts_at = hours.local_instant(day, series.start_time, zone)
    ends_at = hours.local_instant(day, series.end_time, zone)
    added = await create_booking(
        actor, booking.room_id, starts_at, ends_at, series.purpose, booking.people, now=now, series_id=series.id
    )
    await Series.filter(id=series.id).update(
        first_date=min(series.first_date, day), last_date=max(series.last_date, day)
    )
    return added
