"""The rules of events and their programmes: plain async functions, no HTTP objects.

Every write runs in one transaction; rooms for on-site sessions are booked through
:mod:`bookings.services` inside it (a conflict is a 409 naming the time taken, and
nothing of the event is kept). Live updates and room announcements go out after commit.
Registrations and the waiting list are in :mod:`events.registrations`.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from accounts.models import Role, User
from accounts.services import load_roles
from bookings import services as bookings
from events import permissions
from events.forms import EventChange, EventCreate, SessionCreate
from events.models import Event, EventStatus, Facilitator, Mode, Registration, Session
from tierslieu.errors import N_, Conflict, Forbidden, Invalid, NotFound
from tierslieu.validation import parse_id

PAGE_SIZE = 20
# what confirmed registrants are told about by mail (with an updated invitation)
NOTIFIED_CHANGES = frozenset({"title", "starts_at", "ends_at", "join_url"})
MAX_PAGE = 100


def now_utc() -> datetime:
    return datetime.now(UTC)


def forbidden() -> Forbidden:
    return Forbidden("forbidden", N_("You may not do this."))


# --- reading --------------------------------------------------------------------------------------


async def attach_facilitators(*events: Event) -> None:
    """Load ``event.facilitator_ids`` (what the permission predicates read)."""
    ids = [event.id for event in events]
    rows = await Facilitator.filter(event_id__in=ids).values_list("event_id", "user_id")
    for event in events:
        event.facilitator_ids = frozenset(user_id for event_id, user_id in rows if event_id == event.id)  # type: ignore[attr-defined]


async def get_event(actor: Any, event_id: int) -> Event:
    """An event this person may see (404 otherwise), with its facilitator ids."""
    event = await Event.get_or_none(id=event_id)
    if event is None:
        raise NotFound()
    await attach_facilitators(event)
    if not permissions.can_view_event(actor, event):
        raise NotFound()
    return event


async def managed_event(actor: Any, event_id: int) -> Event:
    """An event this person runs: 404 when they may not see it, 403 when they only may see it."""
    event = await get_event(actor, event_id)
    if not permissions.can_manage_event(actor, event):
        raise forbidden()
    return event


def encode_cursor(event: Event) -> str:
    raw = json.dumps([event.starts_at.isoformat(), event.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        starts, ident = json.loads(raw)
        moment, event_id = datetime.fromisoformat(starts), parse_id(str(ident))
        if moment.tzinfo is None or event_id is None:
            raise ValueError(raw)
        return moment, event_id
    except (ValueError, TypeError):
        raise Invalid(
            "invalid", N_("Some fields are missing or invalid."), fields={"cursor": N_("This value is not valid.")}
        ) from None


async def published_events(
    *,
    limit: int = PAGE_SIZE,
    cursor: str | None = None,
    kind: str | None = None,
    upcoming_from: datetime | None = None,
    include_cancelled: bool = False,
) -> tuple[list[Event], str | None]:
    """Published events (and cancelled ones, when asked) by start, paginated by a keyset cursor."""
    shown = [EventStatus.PUBLISHED, EventStatus.CANCELLED] if include_cancelled else [EventStatus.PUBLISHED]
    query = Event.filter(status__in=shown)
    if kind:
        query = query.filter(kind=kind)
    if upcoming_from is not None:
        query = query.filter(ends_at__gt=upcoming_from)
    if cursor:
        starts, ident = decode_cursor(cursor)
        query = query.filter(starts_at__gte=starts).exclude(starts_at=starts, id__lte=ident)
    limit = max(1, min(limit, MAX_PAGE))
    rows = await query.order_by("starts_at", "id").limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1]) if more and rows else None


async def sessions_of(event: Event) -> list[Session]:
    return await Session.filter(event_id=event.id).order_by("starts_at", "id")


# --- creating and changing --------------------------------------------------------------------------


async def _check_facilitators(ids: list[int], actor: Any) -> list[int]:
    others = [ident for ident in dict.fromkeys(ids) if ident != actor.id]
    for ident in others:
        user = await User.get_or_none(id=ident, deleted_at=None)
        if user is None or Role.FACILITATOR not in (await load_roles(user)).role_names:  # type: ignore[attr-defined]
            raise Invalid(
                "invalid",
                N_("Some fields are missing or invalid."),
                fields={"facilitator_ids": N_("Every co-facilitator must hold the facilitator role.")},
            )
    return [actor.id, *others]


async def _add_session(event: Event, data: SessionCreate) -> Session:
    room_id = data.room_id
    if room_id is None and event.mode != Mode.ONLINE:
        room_id = event.room_id
    booking_id = None
    if room_id is not None:
        booking = await bookings.book_room(room_id, data.starts_at, data.ends_at, f"{event.title}: {data.title}")
        booking_id = booking.id
    return await Session.create(
        event_id=event.id,
        title=data.title,
        speaker=data.speaker,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        room_id=room_id,
        booking_id=booking_id,
    )


async def create_event(
    actor: Any, data: EventCreate, *, now: datetime | None = None, series_key: str | None = None
) -> Event:
    """A facilitator plans an event, its programme and the rooms of its on-site sessions."""
    if not permissions.can_create_event(actor):
        raise forbidden()
    now = now or now_utc()
    facilitator_ids = await _check_facilitators(data.facilitator_ids, actor)
    closes = data.registration_closes_at or data.starts_at
    opens = data.registration_opens_at or min(now, closes)
    if data.room_id is not None:
        await bookings.get_room(data.room_id)
    async with in_transaction():
        event = await Event.create(
            title=data.title,
            kind=data.kind,
            mode=data.mode,
            language=data.language,
            description=data.description,
            timezone=data.timezone,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            capacity=data.capacity,
            online_capacity=data.online_capacity,
            registration_opens_at=opens,
            registration_closes_at=closes,
            status=data.status,
            room_id=data.room_id if data.mode != Mode.ONLINE else None,
            join_url=data.join_url,
            series_key=series_key,
            created_by_id=actor.id,
        )
        for user_id in facilitator_ids:
            await Facilitator.create(event_id=event.id, user_id=user_id)
        sessions = data.sessions
        if not sessions and event.room_id is not None:
            sessions = [SessionCreate(title=data.title, starts_at=data.starts_at, ends_at=data.ends_at)]
        created = [await _add_session(event, item) for item in sessions]
    await bookings.announce(*{item.room_id for item in created if item.room_id is not None})
    event.facilitator_ids = frozenset(facilitator_ids)  # type: ignore[attr-defined]
    return event


async def add_session(actor: Any, event_id: int, data: SessionCreate) -> Session:
    event = await managed_event(actor, event_id)
    if data.starts_at < event.starts_at or data.ends_at > event.ends_at:
        raise Invalid("invalid", N_("Every session takes place between the start and the end of the event."))
    async with in_transaction():
        session = await _add_session(event, data)
        await Event.filter(id=event.id).update(sequence=event.sequence + 1, updated_at=now_utc())
    if session.room_id is not None:
        await bookings.announce(session.room_id)
    return session


async def remove_session(actor: Any, event_id: int, session_id: int) -> None:
    event = await managed_event(actor, event_id)
    session = await Session.get_or_none(id=session_id, event_id=event.id)
    if session is None:
        raise NotFound()
    async with in_transaction():
        if session.booking_id is not None:
            await bookings.release_room(session.booking_id)
        await session.delete()
        await Event.filter(id=event.id).update(sequence=event.sequence + 1, updated_at=now_utc())
    if session.room_id is not None:
        await bookings.announce(session.room_id)


async def change_event(actor: Any, event_id: int, data: EventChange) -> Event:
    """Change an event; a higher capacity promotes waiting people, in the same transaction."""
    from events import registrations

    await managed_event(actor, event_id)
    changes = data.model_dump(exclude_none=True)
    if changes.get("status") == EventStatus.CANCELLED:
        changes.pop("status")
        if changes:
            await change_event(actor, event_id, EventChange(**changes))
        return await cancel_event(actor, event_id)
    promoted: list[Registration] = []
    async with in_transaction():
        event = await Event.select_for_update().get(id=event_id)
        if event.status == EventStatus.CANCELLED:
            raise Conflict("conflict", N_("This event has been cancelled."))
        for name, value in changes.items():
            setattr(event, name, value)
        if event.ends_at <= event.starts_at:
            raise Invalid("invalid", N_("The end must come after the start."))
        if {"starts_at", "ends_at"} & changes.keys() and await Session.filter(
            Q(starts_at__lt=event.starts_at) | Q(ends_at__gt=event.ends_at), event_id=event.id
        ).exists():
            raise Invalid("invalid", N_("Every session takes place between the start and the end of the event."))
        if event.capacity < event.confirmed_count or event.online_capacity < event.online_confirmed_count:
            raise Invalid(
                "invalid",
                N_("Some fields are missing or invalid."),
                fields={"capacity": N_("The capacity cannot go below the number of confirmed places.")},
            )
        event.sequence += 1
        await event.save()
        promoted = await registrations.fill_places(event)
        if changes.keys() & NOTIFIED_CHANGES:
            await registrations.mail_change(event, exclude={row.id for row in promoted})
    await registrations.announce_seats(event)
    await attach_facilitators(event)
    return event


async def cancel_event(actor: Any, event_id: int) -> Event:
    """Cancel an event: its rooms are freed, its registrants told (with METHOD:CANCEL)."""
    from events import registrations

    await managed_event(actor, event_id)
    async with in_transaction():
        event = await Event.select_for_update().get(id=event_id)
        if event.status == EventStatus.CANCELLED:
            raise Conflict("conflict", N_("This event has been cancelled."))
        event.status = EventStatus.CANCELLED
        event.cancelled_at = now_utc()
        event.sequence += 1
        await event.save()
        sessions = await Session.filter(event_id=event.id, booking_id__isnull=False)
        for session in sessions:
            await bookings.release_room(session.booking_id)  # type: ignore[arg-type]
        await registrations.mail_event_cancelled(event)
    await bookings.announce(*{session.room_id for session in sessions if session.room_id is not None})
    await registrations.announce_seats(event)
    await attach_facilitators(event)
    return event


# --- live ----------------------------------------------------------------------------------------


async def can_read_event(user: Any, roles: frozenset[str], ident: str) -> bool:
    # seats left and the length of the waiting list are public
    return parse_id(ident) is not None



async def create_series(actor: Any, data: Any) -> list[Event]:
    """A weekly series (``forms.SeriesCreate``): every occurrence is an event of its own,
    editable one by one, at the same local time across DST changes; all or none."""
    import uuid

    if not permissions.can_create_event(actor):
        raise forbidden()
    occurrences = data.occurrences()
    key = str(uuid.uuid4())
    async with in_transaction():
        events = [await create_event(actor, item, series_key=key) for item in occurrences]
    return events
