"""iCalendar documents of events: the public feeds (per event, whole site), the invitation
and cancellation mailed to a registrant, and this part's items of the personal feed.

Public feeds carry neither names nor join links; the personal feed and the mails give
the join link to confirmed registrants only. UIDs are stable (``event-{id}@host``), the
SEQUENCE is the event's, which every change increases.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from icalendar import vCalAddress
from tortoise.expressions import Q
from tortoise.functions import Count, Max

from events.models import Event, EventStatus, Registration, RegistrationStatus
from tierslieu import calendar, clock, mail
from tierslieu.calendar import FeedItem

FEED_PAST = timedelta(days=30)


def uid(event: Event, base_url: str) -> str:
    return f"event-{event.id}@{calendar.host_of(base_url)}"


def event_path(event_id: int) -> str:
    """The local path of an event's page (what feeds, mails and notifications link to)."""
    return f"/events/{event_id}"


def event_url(event: Event, base_url: str) -> str:
    return base_url + event_path(event.id)


def item(event: Any, base_url: str, *, cancelled: bool = False, join_url: str = "") -> FeedItem:
    status = "CANCELLED" if cancelled or event.status == EventStatus.CANCELLED else "CONFIRMED"
    url = event_url(event, base_url)
    description = url if not join_url else f"{url}\n{join_url}"
    return FeedItem(
        uid=uid(event, base_url),
        summary=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
        sequence=event.sequence,
        last_modified=event.updated_at,
        status=status,
        url=url,
        description=description,
    )


def event_feed(event: Event, base_url: str) -> bytes:
    return calendar.feed(event.title, [item(event, base_url)])


def _site_query(kind: str | None, now: datetime) -> Any:
    shown = Q(status=EventStatus.PUBLISHED) | Q(
        status=EventStatus.CANCELLED, cancelled_at__gt=now - calendar.KEEP_CANCELLED
    )
    query = Event.filter(shown, ends_at__gt=now - FEED_PAST)
    return query.filter(kind=kind) if kind else query


FEED_FIELDS = ("id", "title", "starts_at", "ends_at", "timezone", "sequence", "updated_at", "status")


async def site_feed_items(base_url: str, *, kind: str | None = None, now: datetime | None = None) -> list[FeedItem]:
    """Published events and those cancelled in the last 30 days (kept as CANCELLED)."""
    # plain values, not models: a feed of thousands of events is read in one pass
    rows = await _site_query(kind, now or clock.now()).order_by("starts_at", "id").values(*FEED_FIELDS)
    return [item(SimpleNamespace(**row), base_url) for row in rows]


site_cache = calendar.FeedCache(size=16)


async def site_feed(base_url: str, name: str, *, kind: str | None = None) -> tuple[bytes, str]:
    """The site feed and its ETag, from the cache while nothing changed: the version is
    the number of events shown and their latest change, one indexed aggregate query
    (so several processes each notice a change made through another)."""
    now = clock.now()
    summary = await _site_query(kind, now).annotate(n=Count("id"), last=Max("updated_at")).values("n", "last")
    version = (tuple((row["n"], str(row["last"])) for row in summary), base_url, name, now.date())
    cached = site_cache.get(kind, version)
    if cached is not None:
        return cached
    return site_cache.put(kind, version, calendar.feed(name, await site_feed_items(base_url, kind=kind, now=now)))


# --- mails ------------------------------------------------------------------------------------------


def _invitation(event: Event, user: Any, method: str, status: str) -> str:
    base_url = mail.base_url()
    cal = calendar.new_calendar(event.title, method=method, refresh=None)
    stamp = clock.now().replace(microsecond=0)
    entry = calendar.vevent(
        item(
            event, base_url, cancelled=status == "CANCELLED", join_url=event.join_url if status != "CANCELLED" else ""
        ),
        stamp,
    )
    organizer = vCalAddress("mailto:" + mail.sender_address())
    organizer.params["cn"] = "Tiers-lieu"
    entry.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{user.email}")
    attendee.params["cn"] = calendar.line(user.display_name)
    attendee.params["partstat"] = "ACCEPTED" if status != "CANCELLED" else "DECLINED"
    entry.add("attendee", attendee)
    cal.add_component(entry)
    return calendar.finish(cal, [event.timezone]).decode("utf-8")


async def invitation(event: Event, user: Any) -> str:
    """METHOD:REQUEST for a confirmed registrant, with the join link."""
    return _invitation(event, user, "REQUEST", "CONFIRMED")


async def cancellation(event: Event, user: Any) -> str:
    return _invitation(event, user, "CANCEL", "CANCELLED")


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
            "sequence",
            "updated_at",
            "cancelled_at",
            *(f"event__{name}" for name in (*FEED_FIELDS, "cancelled_at", "join_url")),
        )
    )
    items = []
    for row in rows:
        event = SimpleNamespace(**{key[7:]: value for key, value in row.items() if key.startswith("event__")})
        cancelled = row["status"] == RegistrationStatus.CANCELLED or event.status == EventStatus.CANCELLED
        if cancelled and (row["cancelled_at"] or event.cancelled_at or event.updated_at) < since:
            continue
        entry = item(event, base_url, cancelled=cancelled, join_url="" if cancelled else event.join_url)
        # my cancellation changes my copy of the event: its sequence counts both
        entry.sequence = event.sequence + row["sequence"]
        entry.last_modified = max(event.updated_at, row["updated_at"])
        items.append(entry)
    return items


async def personal_version(user: Any) -> tuple:
    """Changes whenever my items change: a new or changed registration or event bumps a
    latest change, and a registration leaving the 30-day window changes the count."""
    since = clock.now() - calendar.KEEP_CANCELLED
    summary = (
        await Registration.filter(user_id=user.id, event__ends_at__gt=since)
        .annotate(n=Count("id"), mine=Max("updated_at"), theirs=Max("event__updated_at"))
        .group_by("user_id")
        .values("n", "mine", "theirs")
    )
    return tuple((row["n"], str(row["mine"]), str(row["theirs"])) for row in summary)
