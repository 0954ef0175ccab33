"""What every booking path shares: the rules of a room, the insert guarded by the
database, the 409 that names the time already taken, and the live update of a room."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from bookings import permissions, queries
from bookings.models import LIVE, MAX_BOOKING, Booking, Room
from tierslieu import db, hours, realtime
from tierslieu.errors import N_, Conflict, Forbidden, Invalid
from tierslieu.i18n import LocalTime, Message


def zone_of(room: Room) -> ZoneInfo:
    return ZoneInfo(room.timezone)


def same_day(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> bool:
    return starts_at.astimezone(zone).date() == ends_at.astimezone(zone).date()


def forbidden() -> Forbidden:
    return Forbidden("forbidden", N_("You may not do this."))


def live_filter(room_id: int, starts_at: datetime, ends_at: datetime) -> Q:
    return Q(
        room_id=room_id,
        status__in=list(LIVE),
        ends_at__gt=starts_at,
        ends_at__lt=ends_at + MAX_BOOKING,
        starts_at__lt=ends_at,
    )


# --- the rules ----------------------------------------------------------------------------------


@dataclass
class Problems:
    fields: dict[str, str | Message] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str | Message) -> None:
        self.fields.setdefault(name, message)


async def check_rules(
    room: Room,
    user: Any,
    starts_at: datetime,
    ends_at: datetime,
    people: int,
    *,
    now: datetime,
    quota: bool = True,
    member: bool = True,
    facts: queries.Facts | None = None,
) -> dict[str, str | Message]:
    """The field messages of every broken rule (empty when the booking may be made).
    Overlaps are not checked here: the database decides them. ``member=False`` (bookings
    made by other parts) skips the rules about members: the past, the advance limit, the
    time step, the duration limits and the quota (whole minutes and a day at most remain).
    ``facts`` (from :func:`queries.booking_facts`) saves the closure and quota queries."""
    zone = zone_of(room)
    problems = Problems()
    if ends_at <= starts_at:
        problems.add("ends_at", N_("The end must come after the start."))
        return problems.fields
    if member and starts_at < now:
        problems.add("starts_at", N_("This time is in the past."))
    if member and starts_at > now + timedelta(days=room.max_advance_days):
        problems.add("starts_at", Message(N_("Bookings open %(days)s days ahead."), {"days": room.max_advance_days}))
    step = room.granularity_minutes if member else 1
    if hours.minutes_of_day(starts_at, zone) % step or starts_at.second or starts_at.microsecond:
        problems.add("starts_at", Message(N_("Start on a multiple of %(minutes)s minutes."), {"minutes": step}))
    if hours.minutes_of_day(ends_at, zone) % step or ends_at.second or ends_at.microsecond:
        problems.add("ends_at", Message(N_("End on a multiple of %(minutes)s minutes."), {"minutes": step}))
    minutes = (ends_at - starts_at) / timedelta(minutes=1)
    if minutes > MAX_BOOKING / timedelta(minutes=1):
        problems.add("ends_at", N_("A booking lasts at most 24 hours."))
    elif not member:
        pass
    elif minutes < room.min_minutes:
        problems.add(
            "ends_at", Message(N_("A booking lasts at least %(minutes)s minutes."), {"minutes": room.min_minutes})
        )
    elif minutes > room.max_minutes:
        problems.add(
            "ends_at", Message(N_("A booking lasts at most %(minutes)s minutes."), {"minutes": room.max_minutes})
        )
    if people > room.capacity:
        problems.add("people", Message(N_("This room holds at most %(capacity)s people."), {"capacity": room.capacity}))
    opening = hours.weekly_intervals(room.opening_hours, zone, starts_at, ends_at)
    if not hours.covered((starts_at, ends_at), opening):
        problems.add("starts_at", N_("The room is not open for all of this time."))
    if facts is not None:
        closure_reason = facts.closure_reason
    else:
        closures = await queries.closures(room.id, starts_at, ends_at)
        closure_reason = closures[0].reason if closures else None
    if closure_reason is not None:
        problems.add(
            "starts_at", Message(N_("The room is closed at this time: %(reason)s."), {"reason": closure_reason})
        )
    if member and quota and not permissions.exempt_from_quota(user) and "ends_at" not in problems.fields:
        if facts is not None:
            used = facts.minutes
        else:
            week_start, week_end = hours.local_week_bounds(starts_at, zone)
            used = await queries.booked_minutes(user.id, week_start, week_end)
        if used + minutes > room.weekly_quota_minutes:
            problems.add(
                "ends_at",
                quota_message(room, used),
            )
    return problems.fields


def quota_message(room: Room, used_minutes: float) -> Message:
    return Message(
        N_("This goes past your quota of %(hours)s hours a week (%(used)s already booked)."),
        {"hours": f"{room.weekly_quota_minutes / 60:g}", "used": f"{used_minutes / 60:g}"},
    )


def invalid(fields: dict[str, str | Message]) -> Invalid:
    return Invalid("invalid", N_("This booking breaks a rule of the room."), fields=fields)


async def overlap_error(room: Room, starts_at: datetime, ends_at: datetime) -> Conflict:
    other = await Booking.filter(live_filter(room.id, starts_at, ends_at)).order_by("starts_at").first()
    zone = zone_of(room)
    if other is None:
        # the other booking was cancelled meanwhile: still a conflict for this attempt
        return Conflict("booking_overlap", N_("This room was booked at the same moment. Please try again."))
    return Conflict(
        "booking_overlap",
        N_("This room is already booked from %(starts)s to %(ends)s."),
        starts=LocalTime(other.starts_at, room.timezone),
        ends=LocalTime(other.ends_at, room.timezone, time_only=same_day(other.starts_at, other.ends_at, zone)),
        fields={"starts_at": N_("This time is already booked.")},
    )


async def insert_live(room: Room, *, overlap: bool | None = None, **values: Any) -> Booking:
    """Insert a live booking, or raise the 409 of the one it would overlap.

    The pre-check (``overlap`` when the caller looked already, in the same transaction)
    gives a clear message in the common case; the constraint decides races."""
    starts_at, ends_at = values["starts_at"], values["ends_at"]
    if overlap if overlap is not None else await queries.live_exists(room.id, starts_at, ends_at):
        raise await overlap_error(room, starts_at, ends_at)
    return await db.insert(Booking, room_id=room.id, **values)


def is_overlap(exc: Exception) -> bool:
    text = str(exc)
    return "booking_overlap" in text or "bookings_booking_no_overlap" in text or "exclusion" in text.lower()


async def publish_rooms(*room_ids: int | None) -> None:
    """Tell open availability views that these rooms changed (after the commit)."""
    for room_id in dict.fromkeys(room_ids):
        if room_id is not None:
            await realtime.publish(f"room:{room_id}", "room.changed", id=room_id)
