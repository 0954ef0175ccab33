"""Registration: one per person per event, confirmed up to capacity, then a FIFO
waiting list.

Every change runs in one transaction that first locks the event row
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite runs one write transaction at a time).
The event row carries the count of confirmed places and the last waiting-list ticket,
so the rules read and write one row under the lock; the database refuses a count above
the capacity (migration 0002) as the backstop. A freed place goes to the first waiting
person in the same transaction, and their mail and in-app notification are written with
it (published after the commit).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from events import permissions
from events.models import Event, EventStatus, Mode, Place, Registration, RegistrationStatus
from events.services import notices
from events.services.events import get_event, managed_event
from notifications import services as notifications
from tierslieu import clock, mail, realtime
from tierslieu.errors import N_, Conflict, Invalid, NotFound

CONFIRMED, WAITLISTED, CANCELLED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.CANCELLED,
)


def _fields(event: Event, place: Place) -> tuple[str, str]:
    """The capacity and count columns a place is counted in."""
    if event.mode == Mode.HYBRID and place == Place.ONLINE:
        return "online_capacity", "online_confirmed_count"
    return "capacity", "confirmed_count"


def place_for(event: Event, wanted: Place | None = None) -> Place:
    """The place a registration takes: the event's only kind, or the one wanted at a hybrid event."""
    if event.mode == Mode.ONLINE:
        return Place.ONLINE
    if event.mode == Mode.ONSITE:
        return Place.ONSITE
    return wanted or Place.ONSITE


def seats_left(event: Event, place: Place = Place.ONSITE) -> int:
    capacity, count = _fields(event, place)
    return max(0, getattr(event, capacity) - getattr(event, count))


async def position(registration: Registration) -> int | None:
    """1 for the first waiting person; None unless waiting."""
    if registration.status != WAITLISTED:
        return None
    return await Registration.filter(
        event_id=registration.event_id, status=WAITLISTED, place=registration.place, ticket__lte=registration.ticket
    ).count()


async def waiting_count(event: Event) -> int:
    return await Registration.filter(event_id=event.id, status=WAITLISTED).count()


async def registration_of(user: Any, event: Event) -> Registration | None:
    if user is None:
        return None
    return await Registration.get_or_none(event_id=event.id, user_id=user.id)


# --- registering and cancelling --------------------------------------------------------------------


async def register(
    actor: Any, event_id: int, place: Place | None = None, *, now: datetime | None = None
) -> Registration:
    """Take a place, or the next place in the waiting list; 409 when already registered."""
    event = await get_event(actor, event_id)
    if not permissions.can_register(actor, event):
        if str(event.status) == "cancelled":
            raise Conflict("event_cancelled", N_("This event has been cancelled."))
        raise Conflict("registration_closed", N_("Registration is not open for this event."))
    now = now or clock.now()
    async with in_transaction():
        event = await Event.select_for_update().get(id=event_id)
        if event.status != EventStatus.PUBLISHED:
            raise Conflict("registration_closed", N_("Registration is not open for this event."))
        if now < event.registration_opens_at or now >= event.registration_closes_at:
            raise Invalid("registration_closed", N_("Registration is not open for this event."))
        chosen = place_for(event, place)
        if event.mode == Mode.HYBRID and chosen == Place.ONLINE and event.online_capacity == 0:
            raise Invalid("invalid", N_("This event has no online places."))
        registration = await Registration.get_or_none(event_id=event.id, user_id=actor.id)
        if registration is not None and registration.status != CANCELLED:
            raise Conflict("already_registered", N_("You are already registered for this event."))
        capacity, count = _fields(event, chosen)
        confirmed = getattr(event, count) < getattr(event, capacity)
        values: dict[str, Any] = {"place": chosen, "cancelled_at": None}
        if confirmed:
            setattr(event, count, getattr(event, count) + 1)
            values.update(status=CONFIRMED, ticket=None, confirmed_at=now)
        else:
            event.waitlist_ticket += 1
            values.update(status=WAITLISTED, ticket=event.waitlist_ticket, confirmed_at=None)
        await event.save(update_fields=[count, "waitlist_ticket"])
        if registration is None:
            registration = await Registration.create(event_id=event.id, user_id=actor.id, **values)
        else:
            registration.update_from_dict({**values, "sequence": registration.sequence + 1})
            await registration.save()
        registration.position = await position(registration)  # type: ignore[attr-defined]
        await notices.mail_registration(actor, event, registration, "confirmed" if confirmed else "waitlisted")
    await announce_seats(event)
    return registration


async def cancel_registration(actor: Any, event_id: int, *, user_id: int | None = None) -> list[Registration]:
    """Cancel one's registration (or, for the people running the event, someone's);
    a freed place goes to the first waiting person. Returns the promoted registrations."""
    event = await get_event(actor, event_id)
    target = actor.id if user_id is None else user_id
    if target != actor.id and not permissions.can_manage_event(actor, event):
        raise NotFound()
    async with in_transaction():
        event = await Event.select_for_update().get(id=event_id)
        registration = await Registration.get_or_none(event_id=event.id, user_id=target)
        if registration is None or registration.status == CANCELLED:
            raise NotFound("not_registered", N_("You are not registered for this event."))
        was = registration.status
        registration.status, registration.cancelled_at = CANCELLED, clock.now()
        registration.ticket, registration.sequence = None, registration.sequence + 1
        await registration.save()
        promoted: list[Registration] = []
        told: list[Any] = []
        if was == CONFIRMED:
            promoted, told = await free_place(event, registration.place)
    await announce_seats(event)
    await notifications.publish(told)
    return promoted


async def free_place(event: Event, place: Place) -> tuple[list[Registration], list[Any]]:
    """Inside the caller's transaction, with the event row locked: a confirmed place of
    ``place`` is free again and goes to the first waiting person (see :func:`fill_places`)."""
    _, count = _fields(event, place)
    setattr(event, count, getattr(event, count) - 1)
    await event.save(update_fields=[count])
    return await fill_places(event)


async def fill_places(event: Event) -> tuple[list[Registration], list[Any]]:
    """Inside the caller's transaction, with the event row locked: give free places to the
    first waiting people, in ticket order, and tell them. Returns the promoted registrations
    and the notifications to publish after the commit."""
    promoted: list[Registration] = []
    places = (Place.ONSITE, Place.ONLINE) if event.mode == Mode.HYBRID else (place_for(event),)
    for place in places:
        capacity, count = _fields(event, place)
        free = getattr(event, capacity) - getattr(event, count)
        if free <= 0:
            continue
        waiting = (
            await Registration.filter(event_id=event.id, status=WAITLISTED, place=place)
            .order_by("ticket")
            .limit(free)
            .prefetch_related("user")
        )
        if not waiting:
            continue
        now = clock.now()
        for registration in waiting:
            registration.status, registration.ticket, registration.confirmed_at = CONFIRMED, None, now
            registration.sequence += 1
            await registration.save(update_fields=["status", "ticket", "confirmed_at", "sequence", "updated_at"])
        setattr(event, count, getattr(event, count) + len(waiting))
        await event.save(update_fields=[count])
        promoted.extend(waiting)
    return promoted, await notices.tell_promoted(event, promoted)


# --- lists ------------------------------------------------------------------------------------------


async def registrants(actor: Any, event_id: int) -> tuple[Event, list[Registration]]:
    """Everyone registered (confirmed first, then the waiting list in order), for the
    people running the event; each row carries ``position``."""
    event = await managed_event(actor, event_id)
    rows = (
        await Registration.filter(event_id=event.id, status__in=[CONFIRMED, WAITLISTED])
        .prefetch_related("user")
        .order_by("status", "ticket", "confirmed_at", "id")
    )
    counters: dict[str, int] = {}
    for row in rows:
        if row.status == WAITLISTED:
            counters[row.place] = counters.get(row.place, 0) + 1
            row.position = counters[row.place]  # type: ignore[attr-defined]
        else:
            row.position = None  # type: ignore[attr-defined]
    return event, rows


async def my_registrations(user: Any) -> list[Registration]:
    """My places and waiting-list positions for events not over yet."""
    rows = (
        await Registration.filter(user_id=user.id, status__in=[CONFIRMED, WAITLISTED], event__ends_at__gt=clock.now())
        .prefetch_related("event")
        .order_by("event__starts_at")
    )
    for row in rows:
        row.position = await position(row)  # type: ignore[attr-defined]
    return rows


# --- live updates and messages ---------------------------------------------------------------------


async def announce_seats(event: Event) -> None:
    """Tell open event pages the seats left and the length of the waiting list (after commit)."""
    fresh = await Event.get_or_none(id=event.id)
    if fresh is None:
        return
    await realtime.publish(
        f"event:{event.id}",
        "event.seats",
        id=event.id,
        seats_left=seats_left(fresh, Place.ONSITE if fresh.mode != Mode.ONLINE else Place.ONLINE),
        online_seats_left=seats_left(fresh, Place.ONLINE) if fresh.mode == Mode.HYBRID else None,
        waiting=await waiting_count(fresh),
    )


async def message_registrants(actor: Any, event_id: int, subject: str, body: str, *, include_waiting: bool) -> int:
    """The people running an event write to its registrants (by mail, in the outbox)."""
    event = await managed_event(actor, event_id)
    statuses = [CONFIRMED, WAITLISTED] if include_waiting else [CONFIRMED]
    rows = await Registration.filter(event_id=event.id, status__in=statuses).prefetch_related("user")
    sent = 0
    async with in_transaction():
        for row in rows:
            written = await mail.send(
                row.user,
                "events/message",
                {"event": event, "sender": actor.display_name, "message_subject": subject, "message_body": body},
                kind=notices.MAIL_KIND,
            )
            sent += written is not None
    return sent
