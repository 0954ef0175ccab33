"""Bookings: a member books a room, cancels, checks in; a manager decides; other parts book
and release rooms for their own needs.

Every write runs in one transaction, and a database constraint is the backstop for
overlaps (see migration 0002): when two requests race, the loser's insert fails and
becomes a 409 naming the time already taken. Live updates go out after commit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from bookings import permissions, queries
from bookings.models import LIVE, Booking, Origin, Status
from bookings.services import notices
from bookings.services.rooms import get_room
from bookings.services.rules import (
    check_rules,
    forbidden,
    insert_live,
    invalid,
    is_overlap,
    overlap_error,
    publish_rooms,
    zone_of,
)
from notifications import services as notifications
from tierslieu import clock, hours
from tierslieu.errors import N_, Conflict, Invalid, NotFound

CHECKIN_BEFORE = timedelta(minutes=15)

# --- bookings -----------------------------------------------------------------------------------


async def create_booking(
    actor: Any,
    room_id: int,
    starts_at: datetime,
    ends_at: datetime,
    purpose: str,
    people: int = 1,
    *,
    now: datetime | None = None,
    series_id: int | None = None,
) -> Booking:
    """A member books a room: the rules, then the insert; pending if the room needs approval."""
    room = await get_room(room_id)
    if not permissions.can_book_room(actor, room):
        raise forbidden()
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    now = now or clock.now()
    status = Status.PENDING if room.requires_approval and not permissions.is_manager(actor) else Status.CONFIRMED
    try:
        async with in_transaction():
            # one query for the closures, the quota and the overlap pre-check
            week_start, week_end = hours.local_week_bounds(starts_at, zone_of(room))
            facts = await queries.booking_facts(room.id, actor.id, starts_at, ends_at, week_start, week_end)
            problems = await check_rules(room, actor, starts_at, ends_at, people, now=now, facts=facts)
            if problems:
                raise invalid(problems)
            booking = await insert_live(
                room,
                overlap=facts.overlap,
                user_id=actor.id,
                starts_at=starts_at,
                ends_at=ends_at,
                purpose=purpose,
                people=people,
                status=status,
                origin=Origin.MEMBER,
                series_id=series_id,
            )
            booking.room = room
            if status == Status.CONFIRMED:
                await notices.mail_confirmed(actor, booking, room)
    except (IntegrityError, OperationalError) as exc:
        if not is_overlap(exc):
            raise
        raise await overlap_error(room, starts_at, ends_at) from None
    await publish_rooms(room.id)
    return booking


async def book_room(
    room_id: int,
    starts_at: datetime,
    ends_at: datetime,
    purpose: str,
    *,
    origin: str,
    user_id: int | None = None,
    people: int = 1,
) -> Booking:
    """For other parts, inside *their* transaction: book a room with the same no-overlap
    guarantee (a savepoint keeps the caller's transaction usable after a 409). Opening
    hours, closures and the capacity apply; the time step, duration limits, quotas and
    the approval step do not. ``origin`` says which part booked it. Call
    :func:`~bookings.services.rules.publish_rooms` after the caller's commit."""
    room = await get_room(room_id)
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    problems = await check_rules(room, None, starts_at, ends_at, people, now=starts_at, member=False)
    if problems:
        raise invalid(problems)
    try:
        async with in_transaction():
            return await insert_live(
                room,
                user_id=user_id,
                starts_at=starts_at,
                ends_at=ends_at,
                purpose=purpose,
                people=people,
                status=Status.CONFIRMED,
                origin=Origin(origin),
            )
    except (IntegrityError, OperationalError) as exc:
        if not is_overlap(exc):
            raise
        raise await overlap_error(room, starts_at, ends_at) from None


async def release_room(booking_id: int) -> None:
    """For other parts, inside their transaction: free a room booked with :func:`book_room`."""
    await Booking.filter(id=booking_id, status__in=list(LIVE)).update(
        status=Status.CANCELLED, cancelled_at=clock.now(), cancel_reason="released"
    )
    booking = await Booking.get_or_none(id=booking_id)
    if booking is not None:
        booking.sequence += 1
        await booking.save(update_fields=["sequence"])


async def get_booking(actor: Any, booking_id: int) -> Booking:
    """A booking its owner or a manager may see (404 otherwise)."""
    booking = await Booking.get_or_none(id=booking_id).prefetch_related("room")
    if booking is None or not permissions.can_view_booking(actor, booking):
        raise NotFound()
    return booking


async def cancel_booking(actor: Any, booking_id: int, *, reason: str = "cancelled") -> Booking:
    booking = await get_booking(actor, booking_id)
    if not permissions.can_cancel_booking(actor, booking):
        raise Conflict("conflict", N_("This booking is no longer active."))
    async with in_transaction():
        updated = await Booking.filter(id=booking.id, status__in=list(LIVE)).update(
            status=Status.CANCELLED, cancelled_at=clock.now(), cancel_reason=reason, sequence=booking.sequence + 1
        )
        if not updated:
            raise Conflict("conflict", N_("This booking is no longer active."))
    await publish_rooms(booking.room_id)
    await booking.refresh_from_db()
    return booking


async def cancel_series_from(actor: Any, booking_id: int) -> int:
    """Cancel this occurrence and every later one of its series; returns how many."""
    booking = await get_booking(actor, booking_id)
    if booking.series_id is None or not permissions.can_cancel_booking(actor, booking):
        raise Conflict("conflict", N_("This booking is no longer active."))
    async with in_transaction():
        rows = await Booking.filter(
            series_id=booking.series_id, starts_at__gte=booking.starts_at, status__in=list(LIVE)
        ).all()
        for row in rows:
            row.status, row.cancelled_at, row.cancel_reason = Status.CANCELLED, clock.now(), "cancelled"
            row.sequence += 1
            await row.save(update_fields=["status", "cancelled_at", "cancel_reason", "sequence", "updated_at"])
    await publish_rooms(booking.room_id)
    return len(rows)


async def decide_booking(actor: Any, booking_id: int, approve: bool, message: str = "") -> Booking:
    """A manager approves or rejects a pending booking; the requester is told by mail and in-app."""
    booking = await get_booking(actor, booking_id)
    if not permissions.can_decide_booking(actor, booking):
        if permissions.is_manager(actor):
            raise Conflict("conflict", N_("This booking has already been decided."))
        raise forbidden()
    async with in_transaction():
        updated = await Booking.filter(id=booking.id, status=Status.PENDING).update(
            status=Status.CONFIRMED if approve else Status.REJECTED,
            decided_by_id=actor.id,
            decision_message=message,
            sequence=booking.sequence + 1,
        )
        if not updated:
            raise Conflict("conflict", N_("This booking has already been decided."))
        await booking.refresh_from_db()
        await booking.fetch_related("room", "user")
        told = await notices.tell_decision(booking, actor, approve, message)
    await publish_rooms(booking.room_id)
    await notifications.publish(told)
    return booking


async def check_in(actor: Any, booking_id: int, *, now: datetime | None = None) -> Booking:
    """The person (or the desk) checks in, from 15 minutes before the start until the end."""
    booking = await get_booking(actor, booking_id)
    now = now or clock.now()
    if not permissions.can_check_in(actor, booking):
        raise Conflict("conflict", N_("This booking cannot be checked in."))
    if now < booking.starts_at - CHECKIN_BEFORE:
        raise Invalid("invalid", N_("Check-in opens 15 minutes before the start."))
    if now >= booking.ends_at:
        raise Conflict("conflict", N_("This booking cannot be checked in."))
    await Booking.filter(id=booking.id).update(checked_in_at=now)
    booking.checked_in_at = now
    await publish_rooms(booking.room_id)
    return booking


# --- lists and availability ---------------------------------------------------------------------


async def user_bookings(user: Any, *, now: datetime | None = None) -> list[Booking]:
    since = (now or clock.now()) - timedelta(days=30)
    return await Booking.filter(user_id=user.id, ends_at__gte=since).prefetch_related("room").order_by("starts_at")


async def my_next_bookings_panel(user: Any) -> dict[str, Any] | None:
    """My next live bookings, for the signed-in home page."""
    if user is None:
        return None
    rows = (
        await Booking.filter(user_id=user.id, status__in=list(LIVE), ends_at__gt=clock.now())
        .prefetch_related("room")
        .order_by("starts_at")
        .limit(5)
    )
    return {"bookings": rows}


async def visit_panel(user: Any) -> dict[str, Any] | None:
    """For visitors: how to come to the space (the rooms and their hours)."""
    return {} if user is None else None


async def desk_bookings(actor: Any, *, now: datetime | None = None) -> list[Booking]:
    """The confirmed bookings under way or starting within 12 hours, for check-in at the desk."""
    if not permissions.is_manager(actor):
        raise forbidden()
    now = now or clock.now()
    return (
        await Booking.filter(status=Status.CONFIRMED, starts_at__lt=now + timedelta(hours=12), ends_at__gt=now)
        .prefetch_related("room", "user")
        .order_by("starts_at")
    )


async def pending_bookings(actor: Any) -> list[Booking]:
    if not permissions.is_manager(actor):
        raise forbidden()
    return await Booking.filter(status=Status.PENDING).prefetch_related("room", "user").order_by("starts_at")
