"""Appointments in iCalendar: the invitation and cancellation mailed to the person, and
the items of both personal feeds (the person's and the helper's). UIDs are stable
(``helpdesk-{id}@host``); every change bumps the appointment's SEQUENCE. The join link
of an online appointment goes only to these two people."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from icalendar import vCalAddress
from tortoise.expressions import Q

from bookings import services as bookings
from helpdesk.models import Appointment, Status
from skills import services as skills
from tierslieu import calendar, clock, db, mail
from tierslieu.calendar import FeedItem
from tierslieu.i18n import gettext

ICAL_STATUS = {
    Status.BOOKED: "CONFIRMED",
    Status.DONE: "CONFIRMED",
    Status.NO_SHOW: "CONFIRMED",
    Status.CANCELLED: "CANCELLED",
}


def appointment_path(appointment_id: int) -> str:
    return f"/helpdesk/appointments/{appointment_id}"


async def room_names() -> dict[int, str]:
    return {room.id: room.name for room in await bookings.list_rooms()}


def summary(appointment: Any, topic_label: str, locale: str, *, for_helper: bool, other_name: str) -> str:
    if for_helper:
        return gettext(locale, "Help desk: %(topic)s with %(name)s", topic=topic_label, name=other_name)
    return gettext(locale, "Help desk: %(topic)s", topic=topic_label)


def item(
    appointment: Any, base_url: str, *, title: str, location: str, join_url: str, cancelled: bool = False
) -> FeedItem:
    url = base_url + appointment_path(appointment.id)
    return FeedItem(
        uid=f"helpdesk-{appointment.id}@{calendar.host_of(base_url)}",
        summary=title,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        timezone=appointment.timezone,
        sequence=appointment.sequence,
        last_modified=appointment.updated_at,
        status="CANCELLED" if cancelled or appointment.status == Status.CANCELLED else "CONFIRMED",
        url=url,
        location=location or join_url,
        description=url if not join_url or cancelled else f"{url}\n{join_url}",
    )


async def _document(appointment: Any, person: Any, method: str) -> str:
    labels = await skills.labels(person.locale)
    rooms = await room_names() if appointment.room_id else {}
    cancelled = method == "CANCEL"
    entry_item = item(
        appointment,
        mail.base_url(),
        title=summary(
            appointment,
            labels.get(appointment.topic_id, appointment.topic_id),
            person.locale,
            for_helper=False,
            other_name="",
        ),
        location=rooms.get(appointment.room_id, ""),
        join_url="" if cancelled else appointment.join_url,
        cancelled=cancelled,
    )
    cal = calendar.new_calendar("Help desk", method=method, refresh=None)
    entry = calendar.vevent(entry_item, clock.now().replace(microsecond=0))
    organizer = vCalAddress("mailto:" + mail.sender_address())
    organizer.params["cn"] = "Tiers-lieu"
    entry.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{person.email}")
    attendee.params["cn"] = person.display_name
    attendee.params["partstat"] = "DECLINED" if cancelled else "ACCEPTED"
    entry.add("attendee", attendee)
    cal.add_component(entry)
    return calendar.finish(cal, [appointment.timezone]).decode("utf-8")


async def invitation(appointment: Any, person: Any) -> str:
    return await _document(appointment, person, "REQUEST")


async def cancellation(appointment: Any, person: Any) -> str:
    return await _document(appointment, person, "CANCEL")


# --- the personal feeds -------------------------------------------------------------------------


def _mine(user: Any, since: datetime) -> Any:
    return Appointment.filter(Q(person_id=user.id) | Q(helper_id=user.id), ends_at__gt=since)


async def personal_items(user: Any, base_url: str) -> list[FeedItem]:
    """My appointments, as the person or as the helper; cancellations of the last 30 days kept."""
    since = clock.now() - calendar.KEEP_CANCELLED
    rows = await _mine(user, since).prefetch_related("person").order_by("starts_at", "id")
    if not rows:
        return []
    labels = await skills.labels(user.locale)
    rooms = await room_names()
    items = []
    for row in rows:
        for_helper = row.helper_id == user.id
        title = summary(
            row,
            labels.get(row.topic_id, row.topic_id),
            user.locale,
            for_helper=for_helper,
            other_name=row.person.display_name,
        )
        items.append(item(row, base_url, title=title, location=rooms.get(row.room_id, ""), join_url=row.join_url))
    return items


_VERSION = """
SELECT count(*), max(updated_at), sum(sequence) FROM helpdesk_appointment
WHERE (person_id = $1 OR helper_id = $1) AND ends_at > $2
"""


async def personal_version(user: Any) -> tuple:
    """The rows of :func:`_mine`, summed up in one prepared query (asked at every feed
    request); the titles are in my language."""
    since = clock.now() - calendar.KEEP_CANCELLED
    (row,) = await db.rows(_VERSION, [user.id, since])
    return (user.locale, *map(str, row))
