"""Planning events: a facilitator creates an event (or a weekly series), changes it, edits
its programme, cancels it.

Every write runs in one transaction; rooms for on-site sessions are booked through
:mod:`bookings.services` inside it (a conflict is a 409 naming the time taken, and
nothing of the event is kept). Live updates and room updates go out after commit.
Every change of an event or of its programme increases the event's SEQUENCE and changes its
``updated_at`` (what the calendar feeds and their caches read), and a change that takes
calendar entries away keeps them as removed (see :mod:`events.calendar`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from accounts.services import Role, User, load_roles
from bookings import services as bookings
from events import calendar, permissions
from events.forms import EventChange, EventCreate, SeriesCreate, SessionCreate
from events.models import Event, EventStatus, Facilitator, Mode, RemovedEntry, Session
from events.services import notices, registrations
from events.services.events import attach_facilitators, forbidden, managed_event
from notifications import services as notifications
from tierslieu import clock
from tierslieu.errors import N_, Conflict, Invalid, NotFound

# what confirmed registrants are told about (by mail, with an updated invitation, and in-app)
NOTIFIED_CHANGES = frozenset({"title", "starts_at", "ends_at", "timezone", "mode", "room_id", "join_url"})


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
        booking = await bookings.book_room(
            room_id, data.starts_at, data.ends_at, f"{event.title}: {data.title}", origin=bookings.Origin.EVENT
        )
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
    now = now or clock.now()
    if data.starts_at < now:
        raise _field_error("starts_at", N_("This date is already past: choose a date to come."))
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
    await bookings.publish_rooms(*{item.room_id for item in created if item.room_id is not None})
    event.facilitator_ids = frozenset(facilitator_ids)  # type: ignore[attr-defined]
    return event


async def _programme(event: Event) -> list[Session]:
    return await Session.filter(event_id=event.id).order_by("starts_at", "id")


async def _keep_removed_entries(event: Event, before: Any, sessions_before: list[Session]) -> None:
    """Inside the caller's transaction, after a change of the event's times or programme:
    the calendar entries it showed (``before``: its old start and end) and no longer shows
    are kept as removed, and those it shows again are removed no more (events/calendar.py)."""
    old = {session.id: session for session in calendar.session_entries(before, sessions_before)} or {None: before}
    new = {session.id for session in calendar.session_entries(event, await _programme(event))} or {None}
    gone = old.keys() - new
    touched = gone | new
    which = Q(session_id__in=[key for key in touched if key is not None] or [0])
    if None in touched:
        which |= Q(session_id__isnull=True)
    await RemovedEntry.filter(which, event_id=event.id).delete()
    now = clock.now()
    for key in gone:
        entry = old[key]
        await RemovedEntry.create(
            event_id=event.id,
            session_id=key,
            title=entry.title if key is not None else "",
            starts_at=entry.starts_at,
            ends_at=entry.ends_at,
            removed_at=now,
        )


async def _programme_changed(event: Event, sessions_before: list[Session]) -> None:
    """After a session is added or removed: removed calendar entries kept, and the event's
    SEQUENCE and last change bumped (what the feeds and their cache versions read)."""
    await _keep_removed_entries(event, event, sessions_before)
    await Event.filter(id=event.id).update(sequence=F("sequence") + 1, updated_at=clock.now())


async def add_session(actor: Any, event_id: int, data: SessionCreate) -> Session:
    await managed_event(actor, event_id)
    async with in_transaction():
        event = await Event.select_for_update().get(id=event_id)
        if data.starts_at < event.starts_at or data.ends_at > event.ends_at:
            raise Invalid("invalid", N_("Every session takes place between the start and the end of the event."))
        before = await _programme(event)
        session = await _add_session(event, data)
        await _programme_changed(event, before)
    if session.room_id is not None:
        await bookings.publish_rooms(session.room_id)
    return session


async def remove_session(actor: Any, event_id: int, session_id: int) -> None:
    await managed_event(actor, event_id)
    async with in_transaction():
        event = await Event.select_for_update().get(id=event_id)
        before = await _programme(event)
        session = next((item for item in before if item.id == session_id), None)
        if session is None:
            raise NotFound()
        if session.booking_id is not None:
            await bookings.release_room(session.booking_id)
        await session.delete()
        await _programme_changed(event, before)
    if session.room_id is not None:
        await bookings.publish_rooms(session.room_id)


def _field_error(name: str, message: str) -> Invalid:
    return Invalid("invalid", N_("Some fields are missing or invalid."), fields={name: message})


async def _move_programme(event: Event, old: SimpleNamespace) -> set[int]:
    """After a reschedule (start, end, format or room), move the programme with the start
    and re-book its rooms, inside the caller's transaction; a room taken at the new time is
    a 409 that keeps nothing. Returns the rooms whose availability changed."""
    delta = event.starts_at - old.starts_at
    touched: set[int] = set()
    sessions = await _programme(event)
    if not sessions and event.room_id is not None:
        created = await _add_session(
            event, SessionCreate(title=event.title, starts_at=event.starts_at, ends_at=event.ends_at)
        )
        return {created.room_id} if created.room_id is not None else set()
    whole = len(sessions) == 1 and sessions[0].starts_at == old.starts_at and sessions[0].ends_at == old.ends_at
    for session in sessions:
        room_id = session.room_id
        if event.mode == Mode.ONLINE:
            room_id = None
        elif room_id == old.room_id or (room_id is None and event.room_id is not None):
            room_id = event.room_id
        starts, ends = session.starts_at + delta, session.ends_at + delta
        if whole:  # the one session of a one-block event follows its end too
            starts, ends = event.starts_at, event.ends_at
        if starts < event.starts_at or ends > event.ends_at:
            raise _field_error("ends_at", N_("Every session takes place between the start and the end of the event."))
        if (starts, ends, room_id) == (session.starts_at, session.ends_at, session.room_id):
            continue
        if session.booking_id is not None:
            await bookings.release_room(session.booking_id)
            touched.add(session.room_id)  # type: ignore[arg-type]
            session.booking_id = None
        if room_id is not None:
            booking = await bookings.book_room(
                room_id, starts, ends, f"{event.title}: {session.title}", origin=bookings.Origin.EVENT
            )
            session.booking_id = booking.id
            touched.add(room_id)
        session.starts_at, session.ends_at, session.room_id = starts, ends, room_id
        await session.save()
    return touched


async def change_event(actor: Any, event_id: int, data: EventChange, *, now: datetime | None = None) -> Event:
    """Change an event; a higher capacity promotes waiting people, in the same transaction.
    A reschedule (start, end, zone, format, room) moves the programme with the start and
    re-books its rooms. Confirmed registrants are told of a new title, time, place or join
    link (mail with the updated invitation, in-app notification)."""
    await managed_event(actor, event_id)
    changes = data.model_dump(exclude_none=True)
    if changes.get("status") == EventStatus.CANCELLED:
        changes.pop("status")
        if changes:
            await change_event(actor, event_id, EventChange(**changes))
        return await cancel_event(actor, event_id)
    if changes.get("room_id"):
        await bookings.get_room(changes["room_id"])
    if "room_id" in changes:
        changes["room_id"] = changes["room_id"] or None
    touched: set[int] = set()
    async with in_transaction():
        event = await Event.select_for_update().get(id=event_id)
        old = SimpleNamespace(starts_at=event.starts_at, ends_at=event.ends_at, room_id=event.room_id)
        if event.status == EventStatus.CANCELLED:
            raise Conflict("conflict", N_("This event has been cancelled."))
        changes = {name: value for name, value in changes.items() if getattr(event, name) != value}
        for name, value in changes.items():
            setattr(event, name, value)
        if event.ends_at <= event.starts_at:
            raise _field_error("ends_at", N_("The end must come after the start."))
        if "starts_at" in changes and event.starts_at < (now or clock.now()):
            raise _field_error("starts_at", N_("This date is already past: choose a date to come."))
        if event.mode == Mode.ONLINE:
            event.room_id = None
        if event.mode != Mode.HYBRID and "mode" in changes:
            if event.online_confirmed_count:
                raise _field_error("mode", N_("People hold online places: the event stays hybrid."))
            event.online_capacity = 0
        if "starts_at" in changes and "registration_closes_at" not in changes:
            if event.registration_closes_at == old.starts_at or event.registration_closes_at > event.starts_at:
                event.registration_closes_at = event.starts_at
        if event.capacity < event.confirmed_count or event.online_capacity < event.online_confirmed_count:
            raise _field_error("capacity", N_("The capacity cannot go below the number of confirmed places."))
        if {"starts_at", "ends_at", "room_id", "mode"} & changes.keys():
            sessions_before = await _programme(event)
            touched = await _move_programme(event, old)
            await _keep_removed_entries(event, old, sessions_before)
        event.sequence += 1
        await event.save()
        promoted, told = await registrations.fill_places(event)
        if changes.keys() & NOTIFIED_CHANGES:
            told += await notices.tell_change(event, actor, exclude={row.id for row in promoted})
    await bookings.publish_rooms(*touched)
    await registrations.announce_seats(event)
    await notifications.publish(told)
    await attach_facilitators(event)
    return event


async def cancel_event(actor: Any, event_id: int) -> Event:
    """Cancel an event: its rooms are freed, its registrants told (with METHOD:CANCEL)."""
    await managed_event(actor, event_id)
    async with in_transaction():
        event = await Event.select_for_update().get(id=event_id)
        if event.status == EventStatus.CANCELLED:
            raise Conflict("conflict", N_("This event has been cancelled."))
        event.status = EventStatus.CANCELLED
        event.cancelled_at = clock.now()
        event.sequence += 1
        await event.save()
        sessions = await Session.filter(event_id=event.id, booking_id__isnull=False)
        for session in sessions:
            await bookings.release_room(session.booking_id)  # type: ignore[arg-type]
        told = await notices.tell_cancellation(event, actor)
    await bookings.publish_rooms(*{session.room_id for session in sessions if session.room_id is not None})
    await registrations.announce_seats(event)
    await notifications.publish(told)
    await attach_facilitators(event)
    return event


async def create_series(actor: Any, data: SeriesCreate) -> list[Event]:
    """A weekly series: every occurrence is an event of its own, editable one by one, at the
    same local time across DST changes; all or none."""
    if not permissions.can_create_event(actor):
        raise forbidden()
    occurrences = data.occurrences()
    key = str(uuid.uuid4())
    async with in_transaction():
        events = [await create_event(actor, item, series_key=key) for item in occurrences]
    return events
