"""What people are told: the person gets a mail for each step of an appointment (with the
calendar invitation, its update or its cancellation) and a reminder the day before; the
helper, in-app notifications (mailed unless they chose otherwise). Written inside the
caller's transaction; the caller publishes the notifications after its commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from bookings import services as bookings
from helpdesk import calendar
from helpdesk.models import Appointment
from helpdesk.services.slots import Slot
from notifications import services as notifications
from skills import services as skills
from tierslieu import mail
from tierslieu.errors import N_, DomainError
from tierslieu.i18n import Message
from tierslieu.parts import IMMEDIATE, INAPP, NEVER, NotificationKind

MAIL_KIND = "helpdesk"
BOOKED = "helpdesk.booked"
CHANGED = "helpdesk.changed"
FOLLOW_UP = "helpdesk.follow_up"
FREED = "helpdesk.slot_freed"
NOTIFICATION_KINDS = [
    NotificationKind(BOOKED, N_("Help desk: someone books, moves or cancels an appointment in my hours"), IMMEDIATE),
    # the person is mailed with the calendar file already: in-app or never
    NotificationKind(CHANGED, N_("Help desk: my appointment is cancelled by the desk"), INAPP, (INAPP, NEVER)),
    NotificationKind(FOLLOW_UP, N_("Help desk: my helper wrote a follow-up"), IMMEDIATE),
    NotificationKind(FREED, N_("Help desk: an earlier slot freed up for a topic I wait for"), IMMEDIATE),
]

_ATTACHED = {"booked": "REQUEST", "moved": "REQUEST", "cancelled": "CANCEL"}


async def _place(appointment: Appointment) -> str:
    if appointment.room_id is None:
        return ""
    try:
        return (await bookings.get_room(appointment.room_id)).name
    except DomainError:
        return ""


async def mail_person(
    appointment: Appointment, person: Any, template: str, *, reason: str = "", next_slots: Sequence[Slot] = ()
) -> None:
    """The mail ``helpdesk/{template}`` (booked, moved, cancelled, reminder) to the person."""
    attachments = []
    method = _ATTACHED.get(template)
    if method is not None:
        build = calendar.cancellation if method == "CANCEL" else calendar.invitation
        attachments.append(
            mail.Attachment(
                filename="appointment.ics",
                content_type=f"text/calendar; method={method}",
                content=await build(appointment, person),
            )
        )
    labels = await skills.labels(person.locale)
    context = {
        "appointment": appointment,
        "topic": labels.get(appointment.topic_id, appointment.topic_id),
        "place": await _place(appointment),
        "zone": appointment.timezone,
        "path": calendar.appointment_path(appointment.id),
        "reason": reason,
        "next_slots": list(next_slots),
    }
    await mail.send(person, f"helpdesk/{template}", context, kind=MAIL_KIND, attachments=attachments)


async def tell_helper(appointment: Appointment, text: str, actor_id: int | None) -> list[Any]:
    message = Message(text, {})
    return await notifications.notify(
        [appointment.helper_id], BOOKED, message, url=calendar.appointment_path(appointment.id), actor_id=actor_id
    )


async def tell_person(
    appointment: Appointment, kind: str, text: str, actor_id: int | None, excerpt: str = ""
) -> list[Any]:
    return await notifications.notify(
        [appointment.person_id],
        kind,
        Message(text, {}),
        url=calendar.appointment_path(appointment.id),
        actor_id=actor_id,
        excerpt=excerpt,
    )


async def tell_freed(person_ids: list[int], slot: Slot, topic: str) -> list[Any]:
    query = urlencode({"helper": slot.helper_id, "at": slot.starts_at.isoformat(), "topic": topic})
    return await notifications.notify(
        person_ids,
        FREED,
        Message(N_("An earlier help-desk slot is free: the first to confirm gets it."), {}),
        url=f"/helpdesk/book?{query}",
    )
