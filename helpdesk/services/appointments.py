"""Appointments: booked on a free slot (never two per slot, at most two upcoming per person:
the database guarantees both, see migration 0002), moved or cancelled, marked done or
no-show, followed up; and the per-topic waiting list.

Every write runs in one transaction; a race's loser gets a 409 with the next free slots.
Live updates and notifications go out after commit."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from helpdesk import permissions
from helpdesk.forms import AppointmentCreate, AppointmentMove
from helpdesk.models import HOLDING, Appointment, Format, Status, WaitEntry
from helpdesk.services import changes, notices
from helpdesk.services.slots import Slot, find_slot, next_free
from notifications import services as notifications
from skills import services as skills
from tierslieu import clock
from tierslieu.errors import N_, Conflict, Forbidden, Invalid, NotFound, Unauthorized
from tierslieu.i18n import Message

UPCOMING_LIMIT = 2
CHANGE_BEFORE = timedelta(hours=2)
NEXT_OFFERED = 3


class SlotTaken(Conflict):
    """The slot went to someone else; ``next_slots`` are the next free ones of the topic."""

    def __init__(self, next_slots: list[Slot]) -> None:
        super().__init__(
            "slot_taken",
            N_("This slot has just been taken by someone else. Here are the next free ones."),
            fields={"slot_starts_at": N_("This slot has just been taken.")},
        )
        self.next_slots = next_slots


def _invalid(code: str, message: str, field: str) -> Invalid:
    return Invalid(code, message, fields={field: message})


def _limit_error() -> Invalid:
    return Invalid(
        "too_many_appointments",
        N_("You already have 2 upcoming appointments: cancel or wait for one of them before booking another."),
        fields={"slot_starts_at": Message(N_("At most %(count)s upcoming appointments."), {"count": UPCOMING_LIMIT})},
    )


def _is_limit(exc: Exception) -> bool:
    return "helpdesk_upcoming_limit" in str(exc)


async def _slot_for(helper_id: int, starts_at: datetime, topic: str, format: str | None, *, now: datetime) -> Slot:
    """The free slot asked for, or the clear reason why it is not one (422, or 409 if taken)."""
    if starts_at <= now:
        raise _invalid("slot_past", N_("This slot is in the past."), "slot_starts_at")
    slot = await find_slot(helper_id, starts_at)
    if slot is None:
        raise _invalid("outside_hours", N_("This time is not a slot of the helper's duty hours."), "slot_starts_at")
    if slot.away:
        raise _invalid("helper_away", N_("The helper is away at this time: choose another slot."), "slot_starts_at")
    if topic not in slot.topics:
        raise _invalid("topic_not_covered", N_("This helper does not cover this topic at this time."), "topic")
    if format is not None and format != slot.format:
        message = N_("This slot is on site only.") if slot.format == Format.ONSITE else N_("This slot is online only.")
        raise _invalid("wrong_format", message, "format")
    if slot.taken:
        raise SlotTaken(await next_free(topic, after=now))
    return slot


async def upcoming_count(person: Any, *, now: datetime | None = None) -> int:
    return await Appointment.filter(person_id=person.id, status=Status.BOOKED, starts_at__gt=now or clock.now()).count()


async def book_appointment(actor: Any, data: AppointmentCreate, *, now: datetime | None = None) -> Appointment:
    """A person books a free slot for a topic, describing the need."""
    if actor is None:
        raise Unauthorized("unauthorized", N_("You need to sign in."))
    now = now or clock.now()
    (topic,) = await skills.check([data.topic], field="topic")
    if data.helper_id == actor.id:
        raise _invalid("own_hours", N_("You cannot book an appointment in your own hours."), "slot_starts_at")
    slot = await _slot_for(data.helper_id, data.slot_starts_at, topic, data.format, now=now)
    if await upcoming_count(actor, now=now) >= UPCOMING_LIMIT:
        raise _limit_error()
    told: list[Any] = []
    try:
        async with in_transaction():
            appointment = await Appointment.create(
                helper_id=slot.helper_id,
                person_id=actor.id,
                hours_id=slot.hours_id,
                topic_id=topic,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                timezone=slot.timezone,
                format=Format(slot.format),
                need=data.need,
                room_id=slot.room_id,
                join_url=slot.join_url,
            )
            await WaitEntry.filter(person_id=actor.id, topic_id=topic).delete()
            await notices.mail_person(appointment, actor, "booked")
            told += await notices.tell_helper(appointment, N_("New help-desk appointment in your hours."), actor.id)
    except (IntegrityError, OperationalError) as exc:
        if _is_limit(exc):
            raise _limit_error() from None
        if isinstance(exc, OperationalError) and "UNIQUE" not in str(exc).upper():
            raise
        raise SlotTaken(await next_free(topic, after=now)) from None
    await changes.publish_slots(helper_id=slot.helper_id, starts_at=slot.starts_at.isoformat(), free=False)
    await notifications.publish(told)
    return appointment


async def get_appointment(actor: Any, appointment_id: int) -> Appointment:
    """An appointment its person, its helper or a coordinator may see; 404 for anyone else."""
    if actor is None:
        raise Unauthorized("unauthorized", N_("You need to sign in."))
    appointment = await Appointment.get_or_none(id=appointment_id).prefetch_related("person", "helper")
    if appointment is None or not permissions.can_view_appointment(actor, appointment):
        raise NotFound()
    return appointment


def can_change(appointment: Appointment, *, now: datetime | None = None) -> bool:
    """Moving is open until 2 hours before the start."""
    return appointment.status == Status.BOOKED and appointment.starts_at - (now or clock.now()) >= CHANGE_BEFORE


async def cancel_appointment(actor: Any, appointment_id: int, *, now: datetime | None = None) -> Appointment:
    """The person or the helper cancels before the start; the person's cancellation less than
    2 hours before counts as late (coordinators see the count). The slot is offered to the
    waiting list."""
    appointment = await get_appointment(actor, appointment_id)
    if not permissions.can_cancel_appointment(actor, appointment):
        raise Forbidden("forbidden", N_("You may not do this."))
    now = now or clock.now()
    if appointment.status != Status.BOOKED:
        raise Conflict("not_booked", N_("This appointment is no longer booked."))
    if appointment.starts_at <= now:
        raise Conflict("already_started", N_("This appointment has already started."))
    by_person = permissions.is_person(actor, appointment)
    late = by_person and appointment.starts_at - now < CHANGE_BEFORE
    told: list[Any] = []
    async with in_transaction():
        updated = await Appointment.filter(id=appointment.id, status=Status.BOOKED).update(
            status=Status.CANCELLED,
            cancelled_at=now,
            cancelled_by_id=actor.id,
            late_cancel=late,
            sequence=appointment.sequence + 1,
        )
        if not updated:
            raise Conflict("not_booked", N_("This appointment is no longer booked."))
        await appointment.refresh_from_db()
        if by_person:
            await notices.mail_person(appointment, actor, "cancelled")
            told += await notices.tell_helper(
                appointment, N_("A help-desk appointment in your hours was cancelled."), actor.id
            )
        else:
            offered = await next_free(
                appointment.topic_id, after=now, exclude=[(appointment.helper_id, appointment.starts_at)]
            )
            await appointment.fetch_related("person")
            await notices.mail_person(
                appointment, appointment.person, "cancelled", reason=N_("the helper cancelled it"), next_slots=offered
            )
            told += await notices.tell_person(
                appointment, notices.CHANGED, N_("Your help-desk appointment was cancelled by the desk."), actor.id
            )
    await notifications.publish(told)
    await changes.publish_slots(helper_id=appointment.helper_id, starts_at=appointment.starts_at.isoformat(), free=True)
    await changes.offer_freed(appointment.helper_id, appointment.starts_at, now=now)
    return appointment


async def move_appointment(
    actor: Any, appointment_id: int, data: AppointmentMove, *, now: datetime | None = None
) -> Appointment:
    """The person moves their appointment to another free slot of the same topic, until 2
    hours before its start; the old slot is offered to the waiting list."""
    appointment = await get_appointment(actor, appointment_id)
    if not permissions.can_move_appointment(actor, appointment):
        raise (
            NotFound()
            if not permissions.can_view_appointment(actor, appointment)
            else Forbidden("forbidden", N_("Only the person who booked this appointment may move it."))
        )
    now = now or clock.now()
    if appointment.status != Status.BOOKED:
        raise Conflict("not_booked", N_("This appointment is no longer booked."))
    if not can_change(appointment, now=now):
        raise _invalid("too_late", N_("An appointment can be moved until 2 hours before it starts."), "slot_starts_at")
    helper_id = data.helper_id or appointment.helper_id
    if helper_id == appointment.helper_id and data.slot_starts_at == appointment.starts_at:
        return appointment
    slot = await _slot_for(helper_id, data.slot_starts_at, appointment.topic_id, None, now=now)
    old_helper, old_start = appointment.helper_id, appointment.starts_at
    told: list[Any] = []
    try:
        async with in_transaction():
            await Appointment.filter(id=appointment.id, status=Status.BOOKED).update(
                helper_id=slot.helper_id,
                hours_id=slot.hours_id,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                timezone=slot.timezone,
                format=Format(slot.format),
                room_id=slot.room_id,
                join_url=slot.join_url,
                reminded_at=None,
                sequence=appointment.sequence + 1,
            )
            await appointment.refresh_from_db()
            await WaitEntry.filter(person_id=actor.id, topic_id=appointment.topic_id).delete()
            await notices.mail_person(appointment, actor, "moved")
            told += await notices.tell_helper(
                appointment, N_("A help-desk appointment was moved into your hours."), actor.id
            )
    except (IntegrityError, OperationalError) as exc:
        if isinstance(exc, OperationalError) and "UNIQUE" not in str(exc).upper():
            raise
        raise SlotTaken(await next_free(appointment.topic_id, after=now)) from None
    await notifications.publish(told)
    await changes.publish_slots(helper_id=slot.helper_id, starts_at=slot.starts_at.isoformat(), free=False)
    await changes.offer_freed(old_helper, old_start, now=now)
    return appointment


async def record_outcome(actor: Any, appointment_id: int, outcome: str, *, now: datetime | None = None) -> Appointment:
    """The helper marks an appointment done or no-show, once it has started."""
    appointment = await get_appointment(actor, appointment_id)
    if not permissions.can_record_outcome(actor, appointment):
        raise Forbidden("forbidden", N_("Only the helper of this appointment may do this."))
    now = now or clock.now()
    if appointment.status == Status.CANCELLED:
        raise Conflict("not_booked", N_("This appointment is no longer booked."))
    if appointment.starts_at > now:
        raise _invalid("not_started", N_("An appointment can be marked once it has started."), "outcome")
    status = Status.DONE if outcome == "done" else Status.NO_SHOW
    await Appointment.filter(id=appointment.id).exclude(status=Status.CANCELLED).update(status=status)
    appointment.status = status
    return appointment


async def write_follow_up(actor: Any, appointment_id: int, text: str, *, now: datetime | None = None) -> Appointment:
    """The helper writes (or rewrites) the follow-up that the person reads."""
    appointment = await get_appointment(actor, appointment_id)
    if not permissions.can_record_outcome(actor, appointment):
        raise Forbidden("forbidden", N_("Only the helper of this appointment may do this."))
    now = now or clock.now()
    if appointment.status == Status.CANCELLED:
        raise Conflict("not_booked", N_("This appointment is no longer booked."))
    text = text.strip()
    if not text:
        raise _invalid("invalid", N_("Write a few words of follow-up."), "follow_up")
    async with in_transaction():
        await Appointment.filter(id=appointment.id).update(follow_up=text, followed_up_at=now)
        appointment.follow_up, appointment.followed_up_at = text, now
        told = await notices.tell_person(
            appointment,
            notices.FOLLOW_UP,
            N_("Your helper wrote a follow-up to your appointment."),
            actor.id,
            excerpt=text,
        )
    await notifications.publish(told)
    return appointment


# --- lists --------------------------------------------------------------------------------------


async def person_appointments(person: Any, *, now: datetime | None = None) -> list[Appointment]:
    """My appointments: upcoming ones, then the past 6 months', newest first after them."""
    since = (now or clock.now()) - timedelta(days=183)
    return (
        await Appointment.filter(person_id=person.id, ends_at__gt=since)
        .prefetch_related("helper")
        .order_by("-starts_at")
    )


async def agenda(actor: Any, day_start: datetime, day_end: datetime) -> list[Appointment]:
    """The helper's appointments of a day (cancelled ones aside)."""
    if not permissions.can_view_agenda(actor):
        raise Forbidden("forbidden", N_("You may not do this."))
    return (
        await Appointment.filter(
            helper_id=actor.id, status__in=list(HOLDING), starts_at__gte=day_start, starts_at__lt=day_end
        )
        .prefetch_related("person")
        .order_by("starts_at")
    )


# --- waiting list -------------------------------------------------------------------------------


async def join_waiting_list(actor: Any, topic: str) -> WaitEntry:
    """ "Tell me if something earlier frees up" for a topic (joining twice changes nothing)."""
    if actor is None:
        raise Unauthorized("unauthorized", N_("You need to sign in."))
    (slug,) = await skills.check([topic], field="topic")
    entry = await WaitEntry.get_or_none(person_id=actor.id, topic_id=slug)
    if entry is not None:
        return entry
    try:
        return await WaitEntry.create(person_id=actor.id, topic_id=slug)
    except IntegrityError:
        return await WaitEntry.get(person_id=actor.id, topic_id=slug)


async def leave_waiting_list(actor: Any, topic: str) -> None:
    await WaitEntry.filter(person_id=actor.id, topic_id=topic).delete()


async def waiting_topics(person: Any) -> list[str]:
    return list(await WaitEntry.filter(person_id=person.id).order_by("created_at").values_list("topic_id", flat=True))
