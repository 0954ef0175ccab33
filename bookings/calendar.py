"""iCalendar documents: a room's busy times (no names) and the invitation mailed with a
confirmation. Times carry the room's zone, with its VTIMEZONE; UIDs are stable."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parseaddr
from functools import cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress

from tierslieu import mail

PRODID = "-//tierslieu//bookings//EN"


def uid(booking: Any) -> str:
    return f"booking-{booking.id}@{_host()}"


def _host() -> str:
    return urlsplit(mail._settings().base_url).hostname or "tierslieu.invalid"


def _calendar(name: str, method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", name)
    return cal


def _event(booking: Any, zone: ZoneInfo, summary: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid(booking))
    event.add("dtstamp", stamp)
    event.add("dtstart", booking.starts_at.astimezone(zone))
    event.add("dtend", booking.ends_at.astimezone(zone))
    event.add("summary", summary)
    event.add("sequence", booking.sequence)
    event.add("last-modified", (booking.updated_at or stamp).astimezone(UTC))
    status = {"confirmed": "CONFIRMED", "pending": "TENTATIVE"}.get(str(booking.status), "CANCELLED")
    event.add("status", status)
    event.add("transp", "OPAQUE" if status != "CANCELLED" else "TRANSPARENT")
    return event


def room_feed(room: Any, bookings: Iterable[Any], busy_label: str) -> bytes:
    """The busy times of a room; cancelled ones stay, as STATUS:CANCELLED."""
    zone = ZoneInfo(room.timezone)
    cal = _calendar(room.name)
    cal.add("x-wr-timezone", room.timezone)
    stamp = datetime.now(UTC).replace(microsecond=0)
    for booking in bookings:
        cal.add_component(_event(booking, zone, busy_label, booking.updated_at or stamp))
    return _with_timezone(cal.to_ical(), room.timezone)


def invitation(room: Any, bookings: list[Any], user: Any) -> str:
    """METHOD:REQUEST for the person who booked: one VEVENT per occurrence."""
    zone = ZoneInfo(room.timezone)
    cal = _calendar(room.name, method="REQUEST")
    stamp = datetime.now(UTC).replace(microsecond=0)
    organizer = vCalAddress("mailto:" + (parseaddr(mail._settings().mail_from)[1] or "no-reply@" + _host()))
    organizer.params["cn"] = "Tiers-lieu"
    for booking in bookings:
        event = _event(booking, zone, f"{room.name}: {booking.purpose}", stamp)
        event.add("location", room.name)
        event.add("organizer", organizer)
        attendee = vCalAddress(f"mailto:{user.email}")
        attendee.params["cn"] = user.display_name
        attendee.params["partstat"] = "ACCEPTED"
        event.add("attendee", attendee)
        cal.add_component(event)
    return _with_timezone(cal.to_ical(), room.timezone).decode("utf-8")


@cache
def _vtimezone(name: str) -> bytes:
    # building and serialising a VTIMEZONE costs milliseconds: once per zone is enough
    return Timezone.from_tzid(name).to_ical()


def _with_timezone(body: bytes, name: str) -> bytes:
    """Insert the zone's VTIMEZONE before the first event when an event refers to it."""
    if f"TZID={name}".encode() not in body:
        return body
    head, marker, tail = body.partition(b"BEGIN:VEVENT")
    return head + _vtimezone(name) + marker + tail
