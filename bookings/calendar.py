"""iCalendar documents: a room's busy times (no names) and the invitation mailed with a
confirmation. Times carry the room's zone, with its VTIMEZONE; UIDs are stable."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from tierslieu import clock, i18n, mail
from tierslieu.calendar import escape_text, host_of, line, param, scrub, vtimezone

PRODID = "-//tierslieu//bookings//EN"
# a booking's STATUS in a calendar: a pending one is tentative, a rejected one cancelled
ICAL_STATUS = {"confirmed": "CONFIRMED", "pending": "TENTATIVE", "rejected": "CANCELLED", "cancelled": "CANCELLED"}


def booking_path(booking_id: int) -> str:
    """The local path of a booking's page (what feeds, mails and notifications link to)."""
    return f"/bookings/{booking_id}"


def uid(booking: Any) -> str:
    return f"booking-{booking.id}@{host_of(mail.base_url())}"


def _calendar(name: str, method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", line(name))
    return cal


def _event(booking: Any, zone: ZoneInfo, summary: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid(booking))
    event.add("dtstamp", stamp)
    event.add("dtstart", i18n.in_zone(booking.starts_at, zone))
    event.add("dtend", i18n.in_zone(booking.ends_at, zone))
    event.add("summary", line(summary))
    event.add("sequence", booking.sequence)
    event.add("last-modified", i18n.in_zone(booking.updated_at or stamp, UTC))
    status = ICAL_STATUS[booking.status]
    event.add("status", status)
    event.add("transp", "OPAQUE" if status != "CANCELLED" else "TRANSPARENT")
    return event


def room_feed(room: Any, bookings: Iterable[Any], busy_label: str) -> bytes:
    """The busy times of a room; cancelled ones stay, as STATUS:CANCELLED."""
    zone = ZoneInfo(room.timezone)
    cal = _calendar(room.name)
    cal.add("x-wr-timezone", room.timezone)
    stamp = clock.now().replace(microsecond=0)
    for booking in bookings:
        cal.add_component(_event(booking, zone, busy_label, booking.updated_at or stamp))
    return _with_timezone(scrub(cal.to_ical()), room.timezone)


def invitation(room: Any, bookings: list[Any], user: Any) -> str:
    """METHOD:REQUEST for the person who booked: one VEVENT per occurrence.

    Written line by line (same output as the ``icalendar`` objects, without their cost:
    the invitation is built inside the booking request)."""
    zone = ZoneInfo(room.timezone)
    stamp = clock.now().strftime(_UTC_FORMAT)
    organizer = "mailto:" + mail.sender_address()
    attendee = f"ATTENDEE;CN={param(user.display_name)};PARTSTAT=ACCEPTED:mailto:{line(user.email)}"
    location = "LOCATION:" + escape_text(line(room.name))
    tzid = f";TZID={room.timezone}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:" + PRODID,
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "X-WR-CALNAME:" + escape_text(line(room.name)),
    ]
    for booking in bookings:
        status = ICAL_STATUS[booking.status]
        modified = i18n.in_zone(booking.updated_at, UTC).strftime(_UTC_FORMAT) if booking.updated_at else stamp
        lines += [
            "BEGIN:VEVENT",
            "SUMMARY:" + escape_text(line(f"{room.name}: {booking.purpose}")),
            f"DTSTART{tzid}:" + i18n.in_zone(booking.starts_at, zone).strftime(_LOCAL_FORMAT),
            f"DTEND{tzid}:" + i18n.in_zone(booking.ends_at, zone).strftime(_LOCAL_FORMAT),
            "DTSTAMP:" + stamp,
            "UID:" + uid(booking),
            f"SEQUENCE:{booking.sequence}",
            attendee,
            "LAST-MODIFIED:" + modified,
            location,
            "ORGANIZER;CN=Tiers-lieu:" + organizer,
            "STATUS:" + status,
            "TRANSP:" + ("OPAQUE" if status != "CANCELLED" else "TRANSPARENT"),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    body = scrub(b"".join(_fold(content) for content in lines))
    return _with_timezone(body, room.timezone).decode("utf-8")


_UTC_FORMAT = "%Y%m%dT%H%M%SZ"
_LOCAL_FORMAT = "%Y%m%dT%H%M%S"


def _fold(content: str) -> bytes:
    """One content line, folded as ``icalendar`` does (74 octets, then a space and 74 more,
    without splitting a character), CRLF-ended."""
    data = content.encode("utf-8")
    limit = 74
    if len(data) <= limit:
        return data + b"\r\n"
    parts = []
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # a UTF-8 continuation byte
            cut -= 1
        parts.append(data[:cut])
        data = data[cut:]
    parts.append(data)
    return b"\r\n ".join(parts) + b"\r\n"


@cache
def _vtimezone(name: str) -> bytes:
    # building and serialising a VTIMEZONE costs milliseconds: once per zone is enough;
    # the shell's RRULE-based VTIMEZONE reads alike in every parser (icalendar's own
    # multi-value RDATE puts Paris summer times one hour off in some clients)
    return vtimezone(name).to_ical()


def _with_timezone(body: bytes, name: str) -> bytes:
    """Insert the zone's VTIMEZONE before the first event when an event refers to it."""
    if f"TZID={name}".encode() not in body:
        return body
    head, marker, tail = body.partition(b"BEGIN:VEVENT")
    return head + _vtimezone(name) + marker + tail
