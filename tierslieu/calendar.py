"""iCalendar building blocks shared by every part, and the personal feed.

VTIMEZONE
    :func:`vtimezone` describes a zone with one component per yearly rule (``RRULE``)
    and single-date components for irregular transitions. The icalendar library's own
    ``Timezone.from_tzid`` lists transitions as one multi-value ``RDATE``, which some
    widely used parsers (ical.js among them) misread, putting Paris summer times one hour
    off; the feed tests compare our feeds through ical.js.

Personal feed
    ``/calendar/{token}.ics`` merges what every installed part contributes for one person:
    the ``calendar`` of its manifest (:class:`tierslieu.parts.CalendarProvider`); the feed
    code knows nothing of the parts. A provider returns :class:`FeedItem` values (cancelled
    ones included for 30 days, as ``STATUS:CANCELLED``).
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vDuration
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tierslieu import clock, i18n, identity, parts
from tierslieu.errors import NotFound
from tierslieu.guards import path_text
from tierslieu.validation import clean_text, one_line


def host_of(base_url: str) -> str:
    """The host named in stable UIDs (``event-12@host``) and default addresses."""
    return urlsplit(base_url).hostname or "tierslieu.invalid"


FIRST_YEAR = 2000
LAST_YEAR = 2040
REFRESH = timedelta(hours=1)
KEEP_CANCELLED = timedelta(days=30)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


# --- VTIMEZONE ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    at_utc: datetime
    local_before: datetime  # naive wall-clock time in the offset before
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    return instant.astimezone(zone).utcoffset() or timedelta(0)


def transitions(name: str, first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> list[Transition]:
    """Every change of UTC offset of a zone between two years, to the minute."""
    zone = ZoneInfo(name)
    found: list[Transition] = []
    day = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=12)
    before = _offset(zone, day)
    while day < end:
        after = _offset(zone, day + step)
        if after != before:
            low, high = day, day + step
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if _offset(zone, middle) == before:
                    low = middle
                else:
                    high = middle
            at = high.replace(second=0, microsecond=0)
            local = at.astimezone(zone)
            found.append(
                Transition(
                    at_utc=at,
                    local_before=(at + before).replace(tzinfo=None),
                    offset_from=before,
                    offset_to=after,
                    name=local.tzname() or "",
                    daylight=bool(local.dst()),
                )
            )
            before = after
        day += step
    return found


def _byday(day: date) -> tuple[str, str]:
    """The nth-weekday and last-weekday forms of a date: ("2SU", "-1SU")."""
    weekday = WEEKDAYS[day.weekday()]
    next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    last = (next_month - day).days <= 7
    return f"{(day.day - 1) // 7 + 1}{weekday}", f"-1{weekday}" if last else ""


def _rule_key(item: Transition) -> tuple:
    return (
        item.offset_from,
        item.offset_to,
        item.daylight,
        item.name,
        item.local_before.month,
        item.local_before.time(),
    )


def _component(item: Transition, rrule: dict[str, Any] | None) -> TimezoneStandard | TimezoneDaylight:
    component = TimezoneDaylight() if item.daylight else TimezoneStandard()
    component.add("dtstart", item.local_before)
    component.add("tzoffsetfrom", item.offset_from)
    component.add("tzoffsetto", item.offset_to)
    if item.name:
        component.add("tzname", item.name)
    if rrule:
        component.add("rrule", rrule)
    return component


@cache
def vtimezone(name: str) -> Timezone:
    """A VTIMEZONE whose recurring transitions are RRULEs (read alike by every parser)."""
    timezone = Timezone()
    timezone.add("tzid", name)
    items = transitions(name)
    if not items:
        zone = ZoneInfo(name)
        now = clock.now().astimezone(zone)
        offset = now.utcoffset() or timedelta(0)
        fixed = Transition(
            datetime(1970, 1, 1, tzinfo=UTC), datetime(1970, 1, 1), offset, offset, now.tzname() or "", False
        )
        timezone.add_component(_component(fixed, None))
        return timezone
    # group the transitions of the final, regular years into yearly rules
    groups: dict[tuple, list[Transition]] = {}
    for item in items:
        groups.setdefault(_rule_key(item), []).append(item)
    final_year = items[-1].local_before.year
    for group in groups.values():
        runs = _yearly_runs(group, final_year)
        for run, rule in runs:
            timezone.add_component(_component(run[0], rule))
    return timezone


def _yearly_runs(group: list[Transition], final_year: int) -> list[tuple[list[Transition], dict[str, Any] | None]]:
    """Split transitions of one kind into runs that one yearly RRULE describes; a run that
    lasts until the last year computed continues for ever (no UNTIL), others end with one."""
    result: list[tuple[list[Transition], dict[str, Any] | None]] = []
    run: list[Transition] = []
    form: str | None = None

    def close() -> None:
        if not run:
            return
        final = run[-1].local_before.year >= final_year
        if len(run) == 1 and not final:
            result.append((list(run), None))
            return
        month = run[0].local_before.month
        rule: dict[str, Any] = {"freq": "yearly", "bymonth": month, "byday": form}
        if not final:
            rule["until"] = run[-1].at_utc
        result.append((list(run), rule))

    for item in group:
        nth, last = _byday(item.local_before.date())
        if run and item.local_before.year == run[-1].local_before.year + 1:
            candidates = [f for f in (nth, last) if f]
            if form in candidates:
                run.append(item)
                continue
            if form is None:
                shared = [f for f in _forms(run[-1]) if f in candidates]
                if shared:
                    form = shared[0]
                    run.append(item)
                    continue
        close()
        run, form = [item], None
    if run and form is None:
        form = next(f for f in _forms(run[-1]) if f)
    close()
    return result


def _forms(item: Transition) -> list[str]:
    nth, last = _byday(item.local_before.date())
    return [last, nth] if last else [nth]


# --- text: no control character in a calendar, whatever is stored -----------------------------------
# RFC 5545 allows no control character but tab in a value (newlines are written escaped, "\n").
# Rows written before the boundary of tierslieu.validation.clean_text, or text a part builds
# itself, may hold some: every building block below writes its text through these, and
# ``scrub`` is the last guard on the bytes of every document.

_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]")


def text(value: str) -> str:
    """A multi-line TEXT value (a description): control characters out, line breaks as
    newlines (which the writer escapes)."""
    return clean_text(value).replace("\x00", "")


def line(value: str) -> str:
    """A single-line value (a summary, a calendar's name, a location, a person's name)."""
    return one_line(value).replace("\x00", "")


def escape_text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 says (as ``icalendar.vText`` does), for content lines
    written by hand."""
    value = text(value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


_PARAM_QUOTABLE = frozenset(",;:\u2019")


def param(value: str) -> str:
    """A parameter value (``CN=…``) on one line: RFC 6868 escapes, double quotes when needed
    (as ``icalendar`` does), for content lines written by hand."""
    value = line(value).replace("^", "^^").replace('"', "^'")
    return f'"{value}"' if any(char in _PARAM_QUOTABLE for char in value) else value


def scrub(body: bytes) -> bytes:
    """The serialised document without a control character (C0 but tab, CR and LF; DEL; C1):
    the last guard, after the values went through :func:`text` and :func:`line`."""
    return _CONTROL_BYTES.sub(b"", body)


# --- documents ---------------------------------------------------------------------------------------


def new_calendar(name: str, *, method: str | None = None, refresh: timedelta | None = REFRESH) -> Calendar:
    """A VCALENDAR; subscription feeds carry no METHOD, invitations do."""
    cal = Calendar()
    cal.add("prodid", "-//tierslieu//calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", line(name))
    if refresh is not None:
        cal.add("refresh-interval", vDuration(refresh), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(refresh))
    return cal


def finish(cal: Calendar, zones: Iterable[str]) -> bytes:
    """Add one VTIMEZONE per zone used (before the events) and serialise."""
    events = list(cal.subcomponents)
    cal.subcomponents = [vtimezone(name) for name in sorted(set(zones))] + events
    return scrub(cal.to_ical())


@dataclass
class FeedItem:
    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    sequence: int
    last_modified: datetime
    status: str = "CONFIRMED"  # CONFIRMED, TENTATIVE or CANCELLED
    url: str = ""
    location: str = ""
    description: str = ""


def vevent(item: FeedItem, stamp: datetime) -> Event:
    zone = ZoneInfo(item.timezone)
    event = Event()
    event.add("uid", line(item.uid))
    event.add("dtstamp", stamp)
    # an instant the zone cannot show (an offset past year 9999 overflows) is written in UTC
    event.add("dtstart", i18n.in_zone(item.starts_at, zone))
    event.add("dtend", i18n.in_zone(item.ends_at, zone))
    event.add("summary", line(item.summary))
    event.add("sequence", item.sequence)
    event.add("last-modified", i18n.in_zone(item.last_modified, UTC).replace(microsecond=0))
    event.add("status", item.status)
    event.add("transp", "TRANSPARENT" if item.status == "CANCELLED" else "OPAQUE")
    if item.url:
        event.add("url", line(item.url))
    if item.location:
        event.add("location", line(item.location))
    if item.description:
        event.add("description", text(item.description))
    return event


_vevent_cache: OrderedDict[tuple, bytes] = OrderedDict()
VEVENT_CACHE_SIZE = 50_000


def _vevent_bytes(item: FeedItem) -> bytes:
    # serialising a VEVENT costs a third of a millisecond: a feed rebuilt after one change
    # serialises only the items that changed
    key = _key(item)
    found = _vevent_cache.get(key)
    if found is None:
        found = vevent(item, i18n.in_zone(item.last_modified, UTC).replace(microsecond=0)).to_ical()
        _vevent_cache[key] = found
        if len(_vevent_cache) > VEVENT_CACHE_SIZE:
            _vevent_cache.popitem(last=False)
    return found


def feed(name: str, items: Iterable[FeedItem]) -> bytes:
    """A subscription feed (no METHOD); DTSTAMP is each item's last change, so the same
    content gives the same bytes and the same ETag."""
    items = list(items)
    head = finish(new_calendar(name), [item.timezone for item in items])
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    return head[: -len(end)] + scrub(b"".join(_vevent_bytes(item) for item in items)) + end


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class FeedCache:
    """Built feeds by key, each with the version it was built from: a caller passes the
    current version (a cheap summary read from the database, or a digest of the items),
    and gets the cached body only when nothing changed. Bounded, least recently used out."""

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, tuple[Hashable, bytes, str]] = OrderedDict()

    def get(self, key: Hashable, version: Hashable) -> tuple[bytes, str] | None:
        found = self._items.get(key)
        if found is None or found[0] != version:
            return None
        self._items.move_to_end(key)
        return found[1], found[2]

    def put(self, key: Hashable, version: Hashable, body: bytes) -> tuple[bytes, str]:
        self._items[key] = (version, body, etag(body))
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)
        return body, self._items[key][2]

    def clear(self) -> None:
        self._items.clear()


def _key(item: FeedItem) -> tuple:
    return (
        item.uid,
        item.summary,
        item.starts_at,
        item.ends_at,
        item.timezone,
        item.sequence,
        item.last_modified,
        item.status,
        item.url,
        item.location,
        item.description,
    )


def items_version(items: Iterable[FeedItem]) -> tuple:
    """What a feed shows, as a value to compare, to find it in a :class:`FeedCache`."""
    return tuple(_key(item) for item in items)


def ics_response(
    request: Request, body: bytes, filename: str, *, private: bool = False, tag: str | None = None
) -> Response:
    """The feed with an ETag, or a 304 when the client has it already (compared weakly, as
    If-None-Match wants: the compressed copy's tag is the weak form of the same tag)."""
    tag = tag or etag(body)
    headers = {"ETag": tag, "Cache-Control": ("private" if private else "public") + ", max-age=300"}
    sent = [value.strip().removeprefix("W/") for value in request.headers.get("if-none-match", "").split(",")]
    if tag.removeprefix("W/") in sent:
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


# --- the personal feed -------------------------------------------------------------------------------


async def personal_items(user: Any, base_url: str) -> list[FeedItem]:
    items: list[FeedItem] = []
    for _, provider in parts.installed().calendars():
        items.extend(await provider.items(user, base_url))
    return sorted(items, key=lambda item: (item.starts_at, item.uid))


async def personal_feed_body(user: Any, base_url: str) -> tuple[bytes, str]:
    """The person's feed and its ETag, from the cache while nothing changed."""
    name = user.display_name
    providers = [provider for _, provider in parts.installed().calendars()]
    if all(provider.version is not None for provider in providers):
        versions = [await provider.version(user) for provider in providers]  # type: ignore[misc]
        version: Hashable = ("summary", name, base_url, clock.now().date(), tuple(versions))
        cached = personal_cache.get(user.id, version)
        if cached is not None:
            return cached
    else:
        items = await personal_items(user, base_url)
        version = ("items", name, base_url, items_version(items))
        cached = personal_cache.get(user.id, version)
        if cached is not None:
            return cached
    return personal_cache.put(user.id, version, feed(name, await personal_items(user, base_url)))


async def personal_feed(request: Request) -> Response:
    settings = request.app.state.settings
    user = await identity.current().calendar_owner(path_text(request, "token", max_length=200), settings.secret_key)
    if user is None:
        raise NotFound()
    body, tag = await personal_feed_body(user, settings.base_url)
    return ics_response(request, body, "calendar.ics", private=True, tag=tag)


personal_cache = FeedCache()


routes = [Route("/calendar/{token:str}.ics", personal_feed, name="calendar:personal")]
