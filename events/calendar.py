"""iCalendar documents of events: the public feeds (per event, whole site), the invitation
and cancellation mailed to a registrant, and this part's items of the personal feed.

Entries
    An event whose programme has sessions is one entry per session: "Event — Session", the
    session's own times, its room as LOCATION (or the event's page for an online session: no
    room, in an online or hybrid event). An event without a programme, or whose programme is
    one session over the whole event (what an on-site event gets for its room booking), is
    one entry for the whole event. A cancelled event's entries are all CANCELLED. Public
    feeds carry neither names nor join links; the personal feed and the mails give confirmed
    registrants the join link on the whole event's entry, on the online sessions, and on
    every session for those holding an online place (a hybrid event's room is streamed).

UIDs and SEQUENCE
    ``event-{id}@host`` for the whole event, ``event-{id}-session-{session id}@host`` for a
    session: they stay through every change. Every entry's SEQUENCE is the event's, which
    every change of the event or of its programme (a session added, removed or moved)
    increases (:mod:`events.services.planning`), so each UID's SEQUENCE only grows (a session
    has no change counter of its own); in the personal feed the registration's own sequence
    adds to it (my cancellation changes my copy).

Removed entries
    A change can take entries away: a session removed from the programme, the whole-event
    entry once the programme shows sessions, the sessions' entries once one session over
    the whole event is all that is left. Planning records them
    (:class:`events.models.RemovedEntry`); the event's feed, the site feed and the personal
    feed keep them 30 days as STATUS:CANCELLED, as they keep cancelled events, so that
    calendars holding those UIDs drop them (the personal feed only for registrants whose
    place was confirmed before the entry went: the others never had it). An entry that comes
    back (the same UID) is shown again, with a higher SEQUENCE.

Mails
    Editing the programme mails no one (the feeds follow it, and so does the next mail).
    Every invitation (METHOD:REQUEST: a place, a promotion, a change of the event) carries
    every entry of the event (one file, one VEVENT per entry, as a booking's invitation
    holds one per occurrence), and, when entries went since the person's place was confirmed
    (in the last 30 days), a second file with METHOD:CANCEL for those. The cancellation (the
    event's) cancels every entry, the removed ones too.

Reading
    A feed reads the sessions of all its events in one query and their removed entries in
    another; the site feed's cache version needs no term for sessions, since every change
    of a programme changes its event's ``updated_at``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from icalendar import vCalAddress
from tortoise.expressions import Q, Subquery
from tortoise.functions import Count, Max

from bookings import services as bookings
from events.models import Event, EventStatus, Mode, Place, Registration, RegistrationStatus, RemovedEntry, Session
from tierslieu import calendar, clock, db, mail
from tierslieu.calendar import FeedItem

FEED_PAST = timedelta(days=30)
SESSION_FIELDS = ("id", "event_id", "title", "starts_at", "ends_at", "room_id")
REMOVED_FIELDS = ("event_id", "session_id", "title", "starts_at", "ends_at", "removed_at")


def uid(event: Any, base_url: str, session_id: int | None = None) -> str:
    host = calendar.host_of(base_url)
    return f"event-{event.id}@{host}" if session_id is None else f"event-{event.id}-session-{session_id}@{host}"


def event_path(event_id: int) -> str:
    """The local path of an event's page (what feeds, mails and notifications link to)."""
    return f"/events/{event_id}"


def event_url(event: Any, base_url: str) -> str:
    return base_url + event_path(event.id)


def session_entries(event: Any, sessions: Sequence[Any]) -> list[Any]:
    """The sessions that are entries of their own: none when the event is one entry (no
    programme, or one session over the whole event)."""
    if len(sessions) == 1 and (sessions[0].starts_at, sessions[0].ends_at) == (event.starts_at, event.ends_at):
        return []
    return list(sessions)


def online_session(event: Any, session: Any) -> bool:
    """A session without a room, of an online or hybrid event."""
    return session.room_id is None and event.mode != Mode.ONSITE


async def room_names() -> dict[int, str]:
    """Room id → name, for the LOCATION of on-site entries (one query per feed)."""
    return {room.id: room.name for room in await bookings.list_rooms()}


def location(event: Any, base_url: str, rooms: dict[int, str], session: Any = None) -> str:
    """Where it happens: the room (the session's, or the event's for the whole event), else
    the event's page (which gives the join link to registrants) for an online or hybrid event."""
    room_id = event.room_id if session is None else session.room_id
    if room_id is not None and room_id in rooms:
        return rooms[room_id]
    return event_url(event, base_url) if event.mode != Mode.ONSITE else ""


def _entry(event: Any, base_url: str, session_id: int | None, title: str, span: Any, **values: Any) -> FeedItem:
    """One entry: the whole event's (``session_id`` None) or a session's, at ``span``'s times."""
    return FeedItem(
        uid=uid(event, base_url, session_id),
        summary=f"{event.title} — {title}" if session_id is not None else event.title,
        starts_at=span.starts_at,
        ends_at=span.ends_at,
        timezone=event.timezone,
        sequence=event.sequence,
        last_modified=event.updated_at,
        url=event_url(event, base_url),
        **values,
    )


def current_entries(
    event: Any,
    base_url: str,
    rooms: dict[int, str],
    sessions: Sequence[Any] = (),
    *,
    cancelled: bool = False,
    join_url: str = "",
    online_place: bool = False,
) -> list[FeedItem]:
    """The event's entries: one per session, or one for the whole event. ``join_url`` goes
    on the whole event's entry, on its online sessions, and on all its sessions for a person
    holding an online place (who follows the sessions in a room from afar)."""
    status = "CANCELLED" if cancelled or event.status == EventStatus.CANCELLED else "CONFIRMED"
    url = event_url(event, base_url)
    shown = session_entries(event, sessions)
    if not shown:
        whole = sessions[0] if sessions else None
        where = location(event, base_url, rooms, whole)
        description = f"{url}\n{join_url}" if join_url else url
        return [
            _entry(event, base_url, None, event.title, event, status=status, location=where, description=description)
        ]
    return [
        _entry(
            event,
            base_url,
            session.id,
            session.title,
            session,
            status=status,
            location=location(event, base_url, rooms, session),
            description=f"{url}\n{join_url}" if join_url and (online_place or online_session(event, session)) else url,
        )
        for session in shown
    ]


def removed_entries(event: Any, base_url: str, removed: Iterable[Any]) -> list[FeedItem]:
    """Entries the event no longer shows, CANCELLED."""
    url = event_url(event, base_url)
    return [
        _entry(event, base_url, gone.session_id, gone.title, gone, status="CANCELLED", description=url)
        for gone in removed
    ]


def removed_since(removed: Iterable[Any], confirmed_at: datetime | None) -> list[Any]:
    """The removed entries a registrant had: those removed after their place was confirmed."""
    return [gone for gone in removed if confirmed_at is not None and gone.removed_at > confirmed_at]


@dataclass
class Programmes:
    """The sessions and the removed entries (of the last 30 days) of some events, by event id,
    read in one query each, and the rooms' names."""

    sessions: dict[int, list[Any]]
    removed: dict[int, list[Any]]
    rooms: dict[int, str]

    def entries(self, event: Any, base_url: str) -> list[FeedItem]:
        """An event's entries in a public feed: its current and removed ones, no join link."""
        current = current_entries(event, base_url, self.rooms, self.sessions[event.id])
        return current + removed_entries(event, base_url, self.removed[event.id])


async def programmes(event_ids: Any, *, now: datetime | None = None) -> Programmes:
    """``event_ids``: a list, or a subquery of event ids (a feed's events)."""
    since = (now or clock.now()) - calendar.KEEP_CANCELLED
    sessions: dict[int, list[Any]] = defaultdict(list)
    removed: dict[int, list[Any]] = defaultdict(list)
    query = Session.filter(event_id__in=event_ids).order_by("event_id", "starts_at", "id")
    for row in await query.values(*SESSION_FIELDS):
        sessions[row["event_id"]].append(SimpleNamespace(**row))
    query = RemovedEntry.filter(event_id__in=event_ids, removed_at__gt=since).order_by("event_id", "starts_at", "id")
    for row in await query.values(*REMOVED_FIELDS):
        removed[row["event_id"]].append(SimpleNamespace(**row))
    return Programmes(sessions, removed, await room_names())


async def event_feed(event: Event, base_url: str) -> bytes:
    found = await programmes([event.id])
    return calendar.feed(event.title, found.entries(event, base_url))


def _site_query(kind: str | None, now: datetime) -> Any:
    shown = Q(status=EventStatus.PUBLISHED) | Q(
        status=EventStatus.CANCELLED, cancelled_at__gt=now - calendar.KEEP_CANCELLED
    )
    query = Event.filter(shown, ends_at__gt=now - FEED_PAST)
    return query.filter(kind=kind) if kind else query


FEED_FIELDS = ("id", "title", "starts_at", "ends_at", "timezone", "sequence", "updated_at", "status", "room_id", "mode")


async def site_feed_items(base_url: str, *, kind: str | None = None, now: datetime | None = None) -> list[FeedItem]:
    """Published events and those cancelled in the last 30 days (kept as CANCELLED)."""
    now = now or clock.now()
    # plain values, not models: a feed of thousands of events is read in one pass
    rows = await _site_query(kind, now).order_by("starts_at", "id").values(*FEED_FIELDS)
    found = await programmes(Subquery(_site_query(kind, now).values("id")), now=now)
    return [item for row in rows for item in found.entries(SimpleNamespace(**row), base_url)]


site_cache = calendar.FeedCache(size=16)


async def site_feed(base_url: str, name: str, *, kind: str | None = None) -> tuple[bytes, str]:
    """The site feed and its ETag, from the cache while nothing changed: the version is
    the number of events shown and their latest change, one indexed aggregate query
    (so several processes each notice a change made through another; a programme's
    change is its event's)."""
    now = clock.now()
    summary = await _site_query(kind, now).annotate(n=Count("id"), last=Max("updated_at")).values("n", "last")
    version = (tuple((row["n"], str(row["last"])) for row in summary), base_url, name, now.date())
    cached = site_cache.get(kind, version)
    if cached is not None:
        return cached
    return site_cache.put(kind, version, calendar.feed(name, await site_feed_items(base_url, kind=kind, now=now)))


# --- mails ------------------------------------------------------------------------------------------


def _itip(event: Event, user: Any, method: str, items: list[FeedItem]) -> str:
    cal = calendar.new_calendar(event.title, method=method, refresh=None)
    stamp = clock.now().replace(microsecond=0)
    organizer = vCalAddress("mailto:" + mail.sender_address())
    organizer.params["cn"] = "Tiers-lieu"
    attendee = vCalAddress(f"mailto:{user.email}")
    attendee.params["cn"] = calendar.line(user.display_name)
    attendee.params["partstat"] = "ACCEPTED" if method == "REQUEST" else "DECLINED"
    for item in items:
        entry = calendar.vevent(item, stamp)
        entry.add("organizer", organizer)
        entry.add("attendee", attendee)
        cal.add_component(entry)
    return calendar.finish(cal, [event.timezone]).decode("utf-8")


def _attachment(filename: str, method: str, content: str) -> mail.Attachment:
    return mail.Attachment(filename=filename, content_type=f"text/calendar; method={method}", content=content)


def invitation(event: Event, user: Any, registration: Registration, found: Programmes) -> list[mail.Attachment]:
    """METHOD:REQUEST for a confirmed registrant, every entry with the join link; and a
    METHOD:CANCEL of the entries removed since their place was confirmed, if any.
    ``found``: :func:`programmes` of the event, read once for all its registrants."""
    base_url = mail.base_url()
    online_place = registration.place == Place.ONLINE
    current = current_entries(
        event, base_url, found.rooms, found.sessions[event.id], join_url=event.join_url, online_place=online_place
    )
    files = [_attachment("event.ics", "REQUEST", _itip(event, user, "REQUEST", current))]
    gone = removed_entries(event, base_url, removed_since(found.removed[event.id], registration.confirmed_at))
    if gone:
        files.append(_attachment("event-removed.ics", "CANCEL", _itip(event, user, "CANCEL", gone)))
    return files


def cancellation(event: Event, user: Any, registration: Registration, found: Programmes) -> list[mail.Attachment]:
    """METHOD:CANCEL of every entry, and of those removed since the place was confirmed."""
    base_url = mail.base_url()
    items = current_entries(event, base_url, found.rooms, found.sessions[event.id], cancelled=True)
    items += removed_entries(event, base_url, removed_since(found.removed[event.id], registration.confirmed_at))
    return [_attachment("event.ics", "CANCEL", _itip(event, user, "CANCEL", items))]


# --- the personal feed ------------------------------------------------------------------------------


async def personal_items(user: Any, base_url: str) -> list[FeedItem]:
    """My confirmed registrations (with the join link), and those cancelled in the last 30 days."""
    since = clock.now() - calendar.KEEP_CANCELLED
    rows = (
        await Registration.filter(
            user_id=user.id,
            event__ends_at__gt=since,
            status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.CANCELLED],
            event__status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED],
        )
        .order_by("event__starts_at", "event_id")
        .values(
            "status",
            "place",
            "sequence",
            "updated_at",
            "confirmed_at",
            "cancelled_at",
            *(f"event__{name}" for name in (*FEED_FIELDS, "cancelled_at", "join_url")),
        )
    )
    if not rows:
        return []
    found = await programmes([row["event__id"] for row in rows])
    items = []
    for row in rows:
        event = SimpleNamespace(**{key[7:]: value for key, value in row.items() if key.startswith("event__")})
        cancelled = row["status"] == RegistrationStatus.CANCELLED or event.status == EventStatus.CANCELLED
        if cancelled and (row["cancelled_at"] or event.cancelled_at or event.updated_at) < since:
            continue
        join_url = "" if cancelled else event.join_url
        current = current_entries(
            event,
            base_url,
            found.rooms,
            found.sessions[event.id],
            cancelled=cancelled,
            join_url=join_url,
            online_place=row["place"] == Place.ONLINE,
        )
        gone = removed_entries(event, base_url, removed_since(found.removed[event.id], row["confirmed_at"]))
        for entry in current + gone:
            # my cancellation changes my copy of the event: its sequence counts both
            entry.sequence = event.sequence + row["sequence"]
            entry.last_modified = max(event.updated_at, row["updated_at"])
            items.append(entry)
    return items


_VERSION = """
SELECT count(r.id), max(r.updated_at), max(e.updated_at) FROM events_registration r
JOIN events_event e ON e.id = r.event_id
WHERE r.user_id = $1 AND e.ends_at > $2
"""


async def personal_version(user: Any) -> tuple:
    """Changes whenever my items change: a new or changed registration or event (a change of
    its programme included) bumps a latest change, and a registration leaving the 30-day
    window changes the count. One prepared query (asked at every feed request)."""
    since = clock.now() - calendar.KEEP_CANCELLED
    (row,) = await db.rows(_VERSION, [user.id, since])
    return tuple(map(str, row))
