"""The rules of room booking: plain async functions, no HTTP objects.

Every write runs in one transaction, and a database constraint is the backstop for
overlaps (see migration 0002): when two requests race, the loser's insert fails and
becomes a 409 naming the time already taken. Live updates go out after commit.

Other parts (events, mentoring, the help desk) book rooms with :func:`book_room` and
release them with :func:`release_room`, inside their own transaction; they call
:func:`announce` once it has committed.

Rooms, closures and availability are in :mod:`bookings.rooms`, recurring bookings in
:mod:`bookings.recurrence`, the release of no-shows in :mod:`bookings.noshows`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from bookings import calendar, hours, permissions, queries
from bookings.models import LIVE, Booking, Origin, Room, Series, Status
from bookings.rules import (
    announce,
    check_rules,
    forbidden,
    get_room,
    insert_live,
    invalid,
    is_overlap,
    now_utc,
    overlap_error,
    zone_of,
)
from tierslieu import mail
from tierslieu.errors import N_, Conflict, Invalid, NotFound
from tierslieu.validation import parse_id

__all__ = ["announce", "book_room", "get_room", "release_room"]

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
    now = now or now_utc()
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
                await mail_confirmed(actor, booking, room)
    except (IntegrityError, OperationalError) as exc:
        if not is_overlap(exc):
            raise
        raise await overlap_error(room, starts_at, ends_at) from None
    await announce(room.id)
    return booking


async def book_room(
    room_id: int,
    starts_at: datetime,
    ends_at: datetime,
    purpose: str,
    *,
    user_id: int | None = None,
    people: int = 1,
    origin: str = Origin.EVENT,
) -> Booking:
    """For other parts, inside *their* transaction: book a room with the same no-overlap
    guarantee (a savepoint keeps the caller's transaction usable after a 409). Opening
    hours, closures and the capacity apply; the time step, duration limits, quotas and
    the approval step do not. Call
    :func:`announce` after the caller's commit."""
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
        status=Status.CANCELLED, cancelled_at=now_utc(), cancel_reason="released"
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
            status=Status.CANCELLED, cancelled_at=now_utc(), cancel_reason=reason, sequence=booking.sequence + 1
        )
        if not updated:
            raise Conflict("conflict", N_("This booking is no longer active."))
    await announce(booking.room_id)
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
            row.status, row.cancelled_at, row.cancel_reason = Status.CANCELLED, now_utc(), "cancelled"
            row.sequence += 1
            await row.save(update_fields=["status", "cancelled_at", "cancel_reason", "sequence", "updated_at"])
    await announce(booking.room_id)
    return len(rows)


async def decide_booking(actor: Any, booking_id: int, approve: bool, message: str = "") -> Booking:
    """A manager approves or rejects a pending booking; the requester is told by mail."""
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
        if booking.user is not None:
            if approve:
                await mail_confirmed(booking.user, booking, booking.room, message=message)
            else:
                await mail.send(
                    booking.user,
                    "bookings/rejected",
                    mail_context(booking, booking.room, message=message),
                    kind="bookings",
                )
    await announce(booking.room_id)
    return booking


async def check_in(actor: Any, booking_id: int, *, now: datetime | None = None) -> Booking:
    """The person (or the desk) checks in, from 15 minutes before the start until the end."""
    booking = await get_booking(actor, booking_id)
    now = now or now_utc()
    if not permissions.can_check_in(actor, booking):
        raise Conflict("conflict", N_("This booking cannot be checked in."))
    if now < booking.starts_at - CHECKIN_BEFORE:
        raise Invalid("invalid", N_("Check-in opens 15 minutes before the start."))
    if now >= booking.ends_at:
        raise Conflict("conflict", N_("This booking cannot be checked in."))
    await Booking.filter(id=booking.id).update(checked_in_at=now)
    booking.checked_in_at = now
    await announce(booking.room_id)
    return booking


# --- lists and availability ---------------------------------------------------------------------


async def user_bookings(user: Any, *, now: datetime | None = None) -> list[Booking]:
    since = (now or now_utc()) - timedelta(days=30)
    return await Booking.filter(user_id=user.id, ends_at__gte=since).prefetch_related("room").order_by("starts_at")


async def desk_bookings(actor: Any, *, now: datetime | None = None) -> list[Booking]:
    """The confirmed bookings under way or starting within 12 hours, for check-in at the desk."""
    if not permissions.is_manager(actor):
        raise forbidden()
    now = now or now_utc()
    return (
        await Booking.filter(status=Status.CONFIRMED, starts_at__lt=now + timedelta(hours=12), ends_at__gt=now)
        .prefetch_related("room", "user")
        .order_by("starts_at")
    )


async def pending_bookings(actor: Any) -> list[Booking]:
    if not permissions.is_manager(actor):
        raise forbidden()
    return await Booking.filter(status=Status.PENDING).prefetch_related("room", "user").order_by("starts_at")


# --- mails --------------------------------------------------------------------------------------


def mail_context(booking: Booking, room: Room, **extra: Any) -> dict[str, Any]:
    return {"booking": booking, "room": room, "room_zone": room.timezone, **extra}


async def mail_confirmed(
    user: Any, booking: Booking, room: Room, *, message: str = "", series: list[Booking] | None = None
) -> None:
    """The confirmation with its .ics invitation: written with the booking, composed when sent."""
    ids = [item.id for item in series or [booking]]
    await mail.send_later(user, CONFIRMED_MAIL, {"booking_ids": ids, "message": message}, kind="bookings")


CONFIRMED_MAIL = "bookings/confirmed"


async def compose_confirmed(params: dict[str, Any], user: Any) -> mail.Composition | None:
    # the dates still confirmed when the mail leaves: none left, nothing to confirm
    ids = params["booking_ids"]
    bookings = await Booking.filter(id__in=ids, status=Status.CONFIRMED).prefetch_related("room").order_by("starts_at")
    if not bookings:
        return None
    first = next((item for item in bookings if item.id == ids[0]), bookings[0])
    attachment = mail.Attachment(
        filename="booking.ics",
        content_type="text/calendar; method=REQUEST",
        content=calendar.invitation(first.room, bookings, user),
    )
    context = mail_context(first, first.room, message=params.get("message", ""), occurrences=len(bookings))
    return mail.Composition(CONFIRMED_MAIL, context, [attachment])



# --- personal data ------------------------------------------------------------------------------


async def export_personal_data(user: Any) -> list[dict[str, Any]]:
    rows = await Booking.filter(user_id=user.id).prefetch_related("room").order_by("starts_at")
    return [
        {
            "room": row.room.name,
            "starts_at": row.starts_at.isoformat(),
            "ends_at": row.ends_at.isoformat(),
            "purpose": row.purpose,
            "people": row.people,
            "status": row.status.value,
            "checked_in_at": row.checked_in_at.isoformat() if row.checked_in_at else None,
        }
        for row in rows
    ]


async def erase_personal_data(user: Any) -> None:
    # future bookings are cancelled (the room becomes free); past ones stay as anonymous
    # busy time, without their purpose
    now = now_utc()
    await Booking.filter(user_id=user.id, ends_at__gt=now, status__in=list(LIVE)).update(
        status=Status.CANCELLED, cancelled_at=now, cancel_reason="erased"
    )
    await Booking.filter(user_id=user.id).update(user_id=None, purpose="", decision_message="")
    await Series.filter(user_id=user.id).update(user_id=None, purpose="")



async def can_read_room(user: Any, roles: frozenset[str], ident: str) -> bool:
    # busy times of a room are public (no names travel on this channel)
    return parse_id(ident) is not None

