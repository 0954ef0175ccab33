"""Rooms and closures (the managers' side), availability and the free-slot finder; the one
way to get a room."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError

from bookings import permissions, queries
from bookings.forms import DAY_PARTS, ClosureCreate, RoomCreate
from bookings.models import Booking, Closure, Room
from bookings.services.rules import forbidden, publish_rooms, zone_of
from tierslieu import clock, hours
from tierslieu.errors import N_, Conflict, Invalid, NotFound
from tierslieu.validation import parse_id

FEED_PAST = timedelta(days=30)
FEED_FUTURE = timedelta(days=365)


async def get_room(room_id: int) -> Room:
    """A room by id (404 when there is none)."""
    room = await queries.room(room_id)
    if room is None:
        raise NotFound()
    return room


async def list_rooms() -> list[Room]:
    """Every room, by name (for a list or a select)."""
    return await Room.all().order_by("name")


async def room_feed_bookings(room_id: int) -> list[Booking]:
    """A room's bookings for its busy-time feed: from 30 days ago to a year ahead, cancelled
    ones included (as STATUS:CANCELLED)."""
    now = clock.now()
    return await Booking.filter(room_id=room_id, ends_at__gt=now - FEED_PAST, starts_at__lt=now + FEED_FUTURE).order_by(
        "starts_at", "id"
    )


async def can_read_room(user: Any, roles: frozenset[str], ident: str) -> bool:
    # busy times of a room are public (no names travel on this channel)
    return parse_id(ident) is not None


# --- rooms and closures ----------------------------------------------------------------------


def _name_taken() -> Conflict:
    return Conflict(
        "conflict", N_("A room already has this name."), fields={"name": N_("A room already has this name.")}
    )


async def _check_room(data: RoomCreate, *, room_id: int | None = None) -> None:
    if data.min_minutes > data.max_minutes:
        raise Invalid(
            "invalid",
            N_("Some fields are missing or invalid."),
            fields={"max_minutes": N_("The longest booking cannot be shorter than the shortest one.")},
        )
    if await Room.filter(name=data.name).exclude(id=room_id or 0).exists():
        raise _name_taken()


async def create_room(actor: Any, data: RoomCreate) -> Room:
    if not permissions.can_manage_rooms(actor):
        raise forbidden()
    await _check_room(data)
    try:
        room = await Room.create(**data.model_dump())
    except IntegrityError:
        raise _name_taken() from None
    await publish_rooms(room.id)
    return room


async def update_room(actor: Any, room_id: int, data: RoomCreate) -> Room:
    """Change a room's settings; existing bookings stay as they are."""
    if not permissions.can_manage_rooms(actor):
        raise forbidden()
    room = await get_room(room_id)
    await _check_room(data, room_id=room.id)
    room.update_from_dict(data.model_dump())
    await room.save()
    await publish_rooms(room.id)
    return room


async def add_closure(actor: Any, data: ClosureCreate) -> Closure:
    if not permissions.can_manage_rooms(actor):
        raise forbidden()
    if data.ends_at <= data.starts_at:
        raise Invalid(
            "invalid",
            N_("Some fields are missing or invalid."),
            fields={"ends_at": N_("The end must come after the start.")},
        )
    if data.room_id is not None:
        await get_room(data.room_id)
    closure = await Closure.create(
        room_id=data.room_id,
        starts_at=data.starts_at.astimezone(UTC),
        ends_at=data.ends_at.astimezone(UTC),
        reason=data.reason,
    )
    await publish_rooms(*([data.room_id] if data.room_id else await Room.all().values_list("id", flat=True)))
    return closure


async def delete_closure(actor: Any, closure_id: int) -> None:
    if not permissions.can_manage_rooms(actor):
        raise forbidden()
    closure = await Closure.get_or_none(id=closure_id)
    if closure is None:
        raise NotFound()
    await closure.delete()
    await publish_rooms(*([closure.room_id] if closure.room_id else await Room.all().values_list("id", flat=True)))


async def upcoming_closures(now: datetime | None = None) -> list[Closure]:
    return await Closure.filter(ends_at__gt=now or clock.now()).prefetch_related("room").order_by("starts_at")


@dataclass
class Availability:
    busy: list[hours.Interval]
    free: list[hours.Interval]
    closures: list[Closure]
    opening: list[hours.Interval]


async def availability(room: Room, starts_at: datetime, ends_at: datetime) -> Availability:
    rows = await queries.busy(room.id, starts_at, ends_at)
    # clipped to the window (comparisons: a fifth of the cost of max() and min() calls)
    busy = [(start if start >= starts_at else starts_at, end if end <= ends_at else ends_at) for start, end in rows]
    closures = await queries.closures(room.id, starts_at, ends_at)
    opening = hours.weekly_intervals(room.opening_hours, zone_of(room), starts_at, ends_at)
    closed = [(c.starts_at, c.ends_at) for c in closures]
    free = hours.subtract(opening, busy + closed)
    return Availability(busy=busy, free=free, closures=closures, opening=opening)


@dataclass
class Slot:
    room: Room
    starts_at: datetime
    ends_at: datetime


async def find_free_slots(
    people: int, minutes: int, day: date, part: str, equipment: list[str], *, now: datetime | None = None
) -> list[Slot]:
    """Free slots of ``minutes`` on a local day part in every fitting room: up to
    ``SLOTS_PER_ROOM`` a room, one after another through its free times."""
    now = now or clock.now()
    start_hhmm, end_hhmm, _label = DAY_PARTS[part]
    length = timedelta(minutes=minutes)
    slots = []
    for room in await Room.filter(capacity__gte=people).order_by("capacity", "name"):
        if not set(equipment) <= set(room.equipment) or not (room.min_minutes <= minutes <= room.max_minutes):
            continue
        zone = zone_of(room)
        window_start, window_end = hours.local_instant(day, start_hhmm, zone), hours.local_instant(day, end_hhmm, zone)
        if window_start < now:
            window_start = _ceil(now, room.granularity_minutes, zone)
        if window_end <= window_start:
            continue
        found = await availability(room, window_start, window_end)
        slots += _fitting(room, found.free, length, SLOTS_PER_ROOM)
    return slots


SLOTS_PER_ROOM = 3


def _fitting(room: Room, free: list[hours.Interval], length: timedelta, limit: int) -> list[Slot]:
    """Up to ``limit`` slots of ``length`` in the free times, each starting where the last
    ended (on the room's time step)."""
    zone = zone_of(room)
    slots: list[Slot] = []
    for begin, finish in free:
        begin = _ceil(begin, room.granularity_minutes, zone)
        while finish - begin >= length and len(slots) < limit:
            slots.append(Slot(room, begin, begin + length))
            begin += length
    return slots


async def alternatives(
    room: Room, people: int, starts_at: datetime, ends_at: datetime, *, now: datetime | None = None, limit: int = 3
) -> list[Slot]:
    """What to offer instead of a time already taken: the free slots of the same length the
    same day in this room, nearest to the time asked first, then the same time in other
    rooms large enough."""
    now = now or clock.now()
    zone = zone_of(room)
    length = ends_at - starts_at
    local_day = starts_at.astimezone(zone).date()
    day_start = max(hours.local_instant(local_day, "00:00", zone), _ceil(now, room.granularity_minutes, zone))
    day_end = hours.local_instant(local_day + timedelta(days=1), "00:00", zone)
    found: list[Slot] = []
    if day_start < day_end:
        free = (await availability(room, day_start, day_end)).free
        same_room = _fitting(room, free, length, 48)
        same_room.sort(key=lambda slot: (abs(slot.starts_at - starts_at), slot.starts_at < starts_at))
        found += same_room[:limit]
    for other in await Room.filter(capacity__gte=people).exclude(id=room.id).order_by("capacity", "name"):
        if len(found) >= limit * 2:
            break
        window = await availability(other, starts_at, ends_at)
        if starts_at >= now and window.free == [(starts_at, ends_at)]:
            found.append(Slot(other, starts_at, ends_at))
    return found


def _ceil(instant: datetime, step: int, zone: ZoneInfo) -> datetime:
    instant = instant.replace(second=0, microsecond=0) + (timedelta(minutes=1) if instant.second else timedelta(0))
    remainder = hours.minutes_of_day(instant, zone) % step
    return instant + timedelta(minutes=(step - remainder) % step)
