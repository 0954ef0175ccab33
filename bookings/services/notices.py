"""What the person who booked is told: mails (the confirmation with its calendar
invitation, a rejection, a release) and, with the decisions and releases, an in-app
notification. Both are written inside the caller's transaction; the caller publishes the
notifications after its commit."""

from __future__ import annotations

from typing import Any

from bookings import calendar
from bookings.models import Booking, Room, Status
from notifications import services as notifications
from tierslieu import mail
from tierslieu.errors import N_
from tierslieu.i18n import Message
from tierslieu.parts import INAPP, NEVER, NotificationKind

MAIL_KIND = "bookings"
CONFIRMED_MAIL = "bookings/confirmed"
DECIDED = "bookings.decided"
RELEASED = "bookings.released"
# The mails above already bring the news (with the calendar invitation): in-app or never.
NOTIFICATION_KINDS = [
    NotificationKind(DECIDED, N_("Room bookings: a manager approves or declines my request"), INAPP, (INAPP, NEVER)),
    NotificationKind(
        RELEASED, N_("Room bookings: my booking is released because nobody checked in"), INAPP, (INAPP, NEVER)
    ),
]


def mail_context(booking: Booking, room: Room, **extra: Any) -> dict[str, Any]:
    return {"booking": booking, "room": room, "room_zone": room.timezone, **extra}


async def mail_confirmed(
    user: Any, booking: Booking, room: Room, *, message: str = "", series: list[Booking] | None = None
) -> None:
    """The confirmation with its .ics invitation: written with the booking, composed when sent."""
    ids = [item.id for item in series or [booking]]
    await mail.send_later(user, CONFIRMED_MAIL, {"booking_ids": ids, "message": message}, kind=MAIL_KIND)


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


async def _notify(booking: Booking, kind: str, text: str, actor_id: int | None = None) -> list[Any]:
    """The in-app notification of ``booking``'s owner, linked to the booking's page."""
    message = Message(text, {"room": booking.room.name})
    return await notifications.notify(
        [booking.user_id], kind, message, url=calendar.booking_path(booking.id), actor_id=actor_id
    )


async def tell_decision(booking: Booking, actor: Any, approve: bool, message: str) -> list[Any]:
    """A manager decided (``booking`` with its room and user fetched): the mail and the
    in-app notification. Returns the notifications to publish after the commit."""
    if booking.user is None:
        return []
    if approve:
        await mail_confirmed(booking.user, booking, booking.room, message=message)
        text = N_("Booking confirmed: %(room)s")
    else:
        await mail.send(
            booking.user, "bookings/rejected", mail_context(booking, booking.room, message=message), kind=MAIL_KIND
        )
        text = N_("Booking not accepted: %(room)s")
    return await _notify(booking, DECIDED, text, actor_id=actor.id)


async def tell_release(booking: Booking) -> list[Any]:
    """Nobody checked in (``booking`` with its room and user fetched): the mail and the
    in-app notification. Returns the notifications to publish after the commit."""
    if booking.user is None:
        return []
    await mail.send(booking.user, "bookings/released", mail_context(booking, booking.room), kind=MAIL_KIND)
    return await _notify(booking, RELEASED, N_("Room released: %(room)s"))
