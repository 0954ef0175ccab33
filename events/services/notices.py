"""What registrants are told: a mail for each step of their registration (with the
calendar invitation or cancellation), and, for a promotion from the waiting list, a change
or a cancellation of the event, an in-app notification too. Everything is written inside
the caller's transaction; the caller publishes the notifications after its commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from events import calendar
from events.calendar import Programmes
from events.models import Event, Registration, RegistrationStatus
from notifications import services as notifications
from tierslieu import mail
from tierslieu.errors import N_
from tierslieu.i18n import Message
from tierslieu.parts import INAPP, NEVER, NotificationKind

MAIL_KIND = "events"
PROMOTED = "events.promoted"
CHANGED = "events.changed"
CANCELLED = "events.cancelled"
# The mails already bring the news (with the calendar invitation): in-app or never.
NOTIFICATION_KINDS = [
    NotificationKind(PROMOTED, N_("Events: a place from the waiting list is mine"), INAPP, (INAPP, NEVER)),
    NotificationKind(CHANGED, N_("Events: an event I am registered for changes"), INAPP, (INAPP, NEVER)),
    NotificationKind(CANCELLED, N_("Events: an event I am registered for is cancelled"), INAPP, (INAPP, NEVER)),
]


# what each mail carries: the invitation (a place, or its update), the cancellation, or nothing
_ATTACHED = {
    "confirmed": calendar.invitation,
    "promoted": calendar.invitation,
    "changed": calendar.invitation,
    "cancelled": calendar.cancellation,
}


async def mail_registration(
    user: Any, event: Event, registration: Registration, template: str, programme: Programmes | None = None
) -> None:
    """The mail ``events/{template}`` of one registration (``confirmed``, ``waitlisted``,
    ``promoted``, ``changed``, ``cancelled``), with its calendar files when it has some
    (``programme``: the event's sessions and removed entries, when the caller read them
    for several registrants)."""
    attachments = []
    if template in _ATTACHED:
        if programme is None:
            programme = await calendar.programmes([event.id])
        attachments = _ATTACHED[template](event, user, registration, programme)
    context = {"event": event, "registration": registration, "event_zone": event.timezone}
    await mail.send(user, f"events/{template}", context, kind=MAIL_KIND, attachments=attachments)


async def _notify(user_ids: Iterable[int], kind: str, text: str, event: Event, actor_id: int | None) -> list[Any]:
    message = Message(text, {"title": event.title})
    return await notifications.notify(user_ids, kind, message, url=calendar.event_path(event.id), actor_id=actor_id)


async def tell_promoted(event: Event, promoted: list[Registration]) -> list[Any]:
    """The people just given a place (with their ``user`` fetched). Returns the notifications."""
    programme = await calendar.programmes([event.id]) if promoted else None
    for registration in promoted:
        await mail_registration(registration.user, event, registration, "promoted", programme)
    text = N_("A place is yours: %(title)s")
    return await _notify([row.user_id for row in promoted], PROMOTED, text, event, None)  # type: ignore[attr-defined]


async def tell_change(event: Event, actor: Any, *, exclude: set[int]) -> list[Any]:
    """The confirmed registrants (but the registrations in ``exclude``, told otherwise) get
    the updated invitation. Returns the notifications."""
    rows = (
        await Registration.filter(event_id=event.id, status=RegistrationStatus.CONFIRMED)
        .exclude(id__in=list(exclude) or [0])
        .prefetch_related("user")
    )
    programme = await calendar.programmes([event.id]) if rows else None
    for row in rows:
        await mail_registration(row.user, event, row, "changed", programme)
    return await _notify([row.user_id for row in rows], CHANGED, N_("Event changed: %(title)s"), event, actor.id)  # type: ignore[attr-defined]


async def tell_cancellation(event: Event, actor: Any) -> list[Any]:
    """Everyone with a place or in the waiting list gets the cancellation. Returns the notifications."""
    rows = await Registration.filter(
        event_id=event.id, status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
    ).prefetch_related("user")
    programme = await calendar.programmes([event.id]) if rows else None
    for row in rows:
        await mail_registration(row.user, event, row, "cancelled", programme)
    text = N_("Event cancelled: %(title)s")
    return await _notify([row.user_id for row in rows], CANCELLED, text, event, actor.id)  # type: ignore[attr-defined]
