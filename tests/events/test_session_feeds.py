"""An event with a programme is one calendar entry per session, in every feed and mail: the
session's local times (here a weekend across a DST change in Paris), its room or the event's
page, stable UIDs, a SEQUENCE that grows, and the entries that go kept as CANCELLED. Every
document is read by the icalendar library and by ical.js (an independent parser)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise import connections

from accounts import services as accounts
from events import calendar, services
from events.forms import EventChange, SessionCreate
from events.models import RemovedEntry, Session
from tests.bookings.helpers import PARIS, at, make_room
from tests.events.helpers import make_event, make_facilitator
from tests.events.test_feeds import install_icaljs, read_with_both, unfolded
from tests.helpers import make_user
from tierslieu.models import OutboxMail

BASE = "http://testserver"
JOIN = "https://visio.example.org/room-secret"


@pytest.fixture(scope="session")
def icaljs() -> Path:
    return install_icaljs()


def dst_weekend() -> date:
    """A Saturday at least a week ahead whose night the Paris clocks change."""
    day = datetime.now(UTC).date() + timedelta(days=7)
    while day.weekday() != 5 or at(day + timedelta(days=1), "10:00") - at(day, "10:00") == timedelta(days=1):
        day += timedelta(days=1)
    return day


async def make_weekend(rooms: tuple[str, str] = ("Salle Lovelace", "Salle Hopper"), **overrides: Any):
    """A hybrid weekend: two sessions in two rooms on Saturday, one online on Sunday."""
    saturday = dst_weekend()
    sunday = saturday + timedelta(days=1)
    lovelace, hopper = [await make_room(name=name) for name in rooms]
    sessions = [
        {
            "title": "Ateliers",
            "starts_at": at(saturday, "10:00"),
            "ends_at": at(saturday, "12:30"),
            "room_id": lovelace.id,
        },
        {
            "title": "Projets",
            "starts_at": at(saturday, "14:00"),
            "ends_at": at(saturday, "17:00"),
            "room_id": hopper.id,
        },
        {"title": "Bilan", "starts_at": at(sunday, "10:00"), "ends_at": at(sunday, "12:00")},
    ]
    values = {
        "title": "Week-end NSI",
        "kind": "weekend",
        "mode": "hybrid",
        "starts_at": at(saturday, "10:00"),
        "ends_at": at(sunday, "12:00"),
        "online_capacity": 5,
        "sessions": sessions,
    }
    event = await make_event(**{**values, **overrides})
    programme = await Session.filter(event_id=event.id).order_by("starts_at")
    return event, programme, saturday


def uids(event, programme) -> list[str]:
    return [f"event-{event.id}-session-{session.id}@testserver" for session in programme]


def by_uid(items: list[dict]) -> dict[str, dict]:
    return {item["uid"]: item for item in items}


def assert_weekend(event, programme, saturday: date, items: list[dict]) -> dict[str, dict]:
    """The three session entries: summaries, Paris wall-clock times across the change, rooms."""
    found = by_uid(items)
    assert list(found) == uids(event, programme)
    first, second, online = (found[uid] for uid in uids(event, programme))
    assert [first["summary"], second["summary"], online["summary"]] == [
        "Week-end NSI — Ateliers",
        "Week-end NSI — Projets",
        "Week-end NSI — Bilan",
    ]
    sunday = saturday + timedelta(days=1)
    assert first["local"] == f"{saturday.isoformat()}T10:00:00"
    assert second["local"] == f"{saturday.isoformat()}T14:00:00"
    assert online["local"] == f"{sunday.isoformat()}T10:00:00"
    for item, session in zip((first, second, online), programme, strict=True):
        assert (item["start"], item["end"]) == (int(session.starts_at.timestamp()), int(session.ends_at.timestamp()))
    # the clocks changed in the night: from 10:00 to 10:00 is not 24 hours
    assert online["start"] - first["start"] != 24 * 3600
    offsets = {at(day, "10:00").astimezone(PARIS).utcoffset() for day in (saturday, sunday)}
    assert len(offsets) == 2
    assert [first["location"], second["location"]] == ["Salle Lovelace", "Salle Hopper"]
    assert online["location"] == f"{BASE}/events/{event.id}"
    return found


async def test_a_weekend_is_one_entry_per_session_in_the_public_feeds(client, icaljs: Path) -> None:
    event, programme, saturday = await make_weekend()
    one = await client.get(f"/events/{event.id}.ics")
    assert one.status_code == 200
    found = assert_weekend(event, programme, saturday, read_with_both(icaljs, one.content))
    assert {item["status"] for item in found.values()} == {"CONFIRMED"}
    assert {item["sequence"] for item in found.values()} == {event.sequence}
    assert f"DTSTART;TZID=Europe/Paris:{saturday:%Y%m%d}T100000" in one.text
    assert "room-secret" not in unfolded(one.text)  # no join link in public feeds
    site = await client.get("/events/feed.ics")
    assert_weekend(event, programme, saturday, read_with_both(icaljs, site.content))
    assert "room-secret" not in unfolded(site.text)


async def test_the_personal_feed_gives_the_join_link_where_a_session_is_followed_online(
    client, settings, icaljs: Path
) -> None:
    event, programme, saturday = await make_weekend()
    on_site, from_afar = await make_user(), await make_user()
    await services.register(on_site, event.id, "onsite")
    await services.register(from_afar, event.id, "online")
    url = accounts.calendar_url(on_site, settings).removeprefix(settings.base_url)
    found = assert_weekend(event, programme, saturday, read_with_both(icaljs, (await client.get(url)).content))
    first, second, online = (found[uid] for uid in uids(event, programme))
    assert JOIN not in first["description"] and JOIN not in second["description"]
    assert online["description"] == f"{BASE}/events/{event.id}\n{JOIN}"
    # an online place follows the sessions in a room from afar too
    url = accounts.calendar_url(from_afar, settings).removeprefix(settings.base_url)
    found = assert_weekend(event, programme, saturday, read_with_both(icaljs, (await client.get(url)).content))
    assert all(item["description"].endswith(JOIN) for item in found.values())


async def test_the_invitation_carries_every_session_and_the_cancellation_cancels_them(icaljs: Path) -> None:
    event, programme, saturday = await make_weekend()
    person = await make_user()
    await services.register(person, event.id)
    await services.cancel_event(event.facilitator, event.id)
    request, cancel = [row.attachments for row in await OutboxMail.filter(user_id=person.id).order_by("id")]
    [invitation] = request
    assert invitation["content_type"] == "text/calendar; method=REQUEST"
    found = assert_weekend(event, programme, saturday, read_with_both(icaljs, invitation["content"].encode()))
    assert found[uids(event, programme)[2]]["description"].endswith(JOIN)
    assert JOIN not in found[uids(event, programme)[0]]["description"]
    assert unfolded(invitation["content"]).count("ATTENDEE;") == 3
    [cancellation] = cancel
    assert cancellation["content_type"] == "text/calendar; method=CANCEL"
    found = assert_weekend(event, programme, saturday, read_with_both(icaljs, cancellation["content"].encode()))
    assert {item["status"] for item in found.values()} == {"CANCELLED"}
    assert min(item["sequence"] for item in found.values()) > event.sequence
    assert JOIN not in unfolded(cancellation["content"])


async def test_a_cancelled_event_cancels_every_session_in_the_feeds(client, settings, icaljs: Path) -> None:
    event, programme, _ = await make_weekend()
    person = await make_user()
    await services.register(person, event.id)
    before = by_uid(read_with_both(icaljs, (await client.get("/events/feed.ics")).content))
    await services.cancel_event(event.facilitator, event.id)
    personal = accounts.calendar_url(person, settings).removeprefix(settings.base_url)
    for path in ("/events/feed.ics", f"/events/{event.id}.ics", personal):
        found = by_uid(read_with_both(icaljs, (await client.get(path)).content))
        assert list(found) == uids(event, programme), path
        assert {item["status"] for item in found.values()} == {"CANCELLED"}, path
        assert all(found[uid]["sequence"] > before[uid]["sequence"] for uid in found), path


async def test_an_event_without_a_programme_stays_one_entry(client, icaljs: Path) -> None:
    online = await make_event(title="Webinaire")
    room = await make_room(name="Salle Turing")
    onsite = await make_event(title="Atelier", mode="onsite", room_id=room.id, join_url="")
    # the on-site one holds one session over the whole event (its room's booking): still one entry
    assert await Session.filter(event_id=onsite.id).count() == 1
    [webinar] = read_with_both(icaljs, (await client.get(f"/events/{online.id}.ics")).content)
    assert (webinar["uid"], webinar["summary"]) == (f"event-{online.id}@testserver", "Webinaire")
    assert webinar["location"] == f"{BASE}/events/{online.id}"
    [workshop] = read_with_both(icaljs, (await client.get(f"/events/{onsite.id}.ics")).content)
    assert (workshop["uid"], workshop["summary"], workshop["location"]) == (
        f"event-{onsite.id}@testserver",
        "Atelier",
        "Salle Turing",
    )
    assert (workshop["start"], workshop["end"]) == (int(onsite.starts_at.timestamp()), int(onsite.ends_at.timestamp()))


async def test_uids_stay_and_sequence_grows_across_edits_and_a_removed_session_is_cancelled(
    client, settings, icaljs: Path
) -> None:
    event, programme, saturday = await make_weekend()
    person = await make_user()
    await services.register(person, event.id)
    personal = accounts.calendar_url(person, settings).removeprefix(settings.base_url)
    paths = ("/events/feed.ics", f"/events/{event.id}.ics", personal)

    async def read() -> list[dict[str, dict]]:
        return [by_uid(read_with_both(icaljs, (await client.get(path)).content)) for path in paths]

    first = await read()
    await services.change_event(event.facilitator, event.id, EventChange(title="Week-end NSI et IA"))
    renamed = await read()
    for before, after in zip(first, renamed, strict=True):
        assert list(after) == list(before) == uids(event, programme)
        assert all(after[uid]["sequence"] > before[uid]["sequence"] for uid in after)
        assert all(item["summary"].startswith("Week-end NSI et IA — ") for item in after.values())

    sunday = saturday + timedelta(days=1)
    added = await services.add_session(
        event.facilitator,
        event.id,
        SessionCreate(title="Café", starts_at=at(sunday, "11:00"), ends_at=at(sunday, "12:00")),
    )
    await services.remove_session(event.facilitator, event.id, programme[1].id)
    edited = await read()
    gone, new = uids(event, programme)[1], f"event-{event.id}-session-{added.id}@testserver"
    for before, after in zip(renamed, edited, strict=True):
        assert set(after) == set(before) | {new}
        assert after[gone]["status"] == "CANCELLED"
        assert after[gone]["summary"] == "Week-end NSI et IA — Projets"
        assert after[gone]["local"] == f"{saturday.isoformat()}T14:00:00"
        assert all(after[uid]["sequence"] > before[uid]["sequence"] for uid in before)
        assert {after[uid]["status"] for uid in after if uid != gone} == {"CONFIRMED"}

    # kept 30 days, then gone from the feeds
    await RemovedEntry.filter(event_id=event.id).update(removed_at=datetime.now(UTC) - timedelta(days=31))
    assert gone not in by_uid(read_with_both(icaljs, (await client.get(f"/events/{event.id}.ics")).content))
    assert gone not in await personal_uids(person)


async def personal_uids(person) -> list[str]:
    return [item.uid for item in await calendar.personal_items(person, BASE)]


async def last_mail(person) -> list[dict]:
    """The attachments of the latest mail to a person."""
    row = await OutboxMail.filter(user_id=person.id).order_by("-id").first()
    assert row is not None
    return row.attachments


async def test_one_block_turning_into_sessions_cancels_the_block_and_back(client, settings, icaljs: Path) -> None:
    event = await make_event(title="Semaine intensive", kind="intensive_week")
    person = await make_user()
    await services.register(person, event.id)
    personal = accounts.calendar_url(person, settings).removeprefix(settings.base_url)
    block = f"event-{event.id}@testserver"
    [whole] = read_with_both(icaljs, (await client.get(personal)).content)
    assert whole["uid"] == block and whole["description"].endswith(JOIN)

    first = await services.add_session(
        event.facilitator,
        event.id,
        SessionCreate(title="Ouverture", starts_at=event.starts_at, ends_at=event.starts_at + timedelta(hours=1)),
    )
    session = f"event-{event.id}-session-{first.id}@testserver"
    for path in ("/events/feed.ics", f"/events/{event.id}.ics", personal):
        found = by_uid(read_with_both(icaljs, (await client.get(path)).content))
        assert list(found) == [session, block], path
        assert found[block]["status"] == "CANCELLED" and found[block]["sequence"] > whole["sequence"], path
        assert found[block]["summary"] == "Semaine intensive"
        assert found[session]["summary"] == "Semaine intensive — Ouverture"
    # someone registered after the block went never had it: not in their feed
    later = await make_user()
    await services.register(later, event.id)
    assert await personal_uids(later) == [session]

    # the next invitation (a change) cancels the block in a file of its own
    await services.change_event(event.facilitator, event.id, EventChange(title="Semaine NSI"))
    request, removed = await last_mail(person)
    assert [item["uid"] for item in read_with_both(icaljs, request["content"].encode())] == [session]
    assert removed["content_type"] == "text/calendar; method=CANCEL"
    [cancelled] = read_with_both(icaljs, removed["content"].encode())
    assert (cancelled["uid"], cancelled["status"]) == (block, "CANCELLED")
    [only] = await last_mail(later)
    assert only["content_type"] == "text/calendar; method=REQUEST" and "Semaine NSI" in only["content"]

    # the one session removed: the block comes back, above every SEQUENCE it had
    before = by_uid(read_with_both(icaljs, (await client.get(personal)).content))
    await services.remove_session(event.facilitator, event.id, first.id)
    found = by_uid(read_with_both(icaljs, (await client.get(personal)).content))
    assert set(found) == {block, session}
    assert found[block]["status"] == "CONFIRMED" and found[block]["sequence"] > before[block]["sequence"]
    assert found[session]["status"] == "CANCELLED" and found[session]["sequence"] > before[session]["sequence"]
    assert await RemovedEntry.filter(event_id=event.id).values_list("session_id", flat=True) == [first.id]


async def test_a_session_over_the_whole_event_keeps_it_one_entry_through_a_reschedule(client) -> None:
    room = await make_room(name="Salle Turing")
    event = await make_event(title="Atelier", mode="onsite", room_id=room.id, join_url="")
    moved = event.starts_at + timedelta(days=1)
    await services.change_event(
        event.facilitator, event.id, EventChange(starts_at=moved, ends_at=moved + timedelta(hours=3))
    )
    items = await calendar.site_feed_items(BASE)
    assert [(item.uid, item.starts_at, item.location) for item in items] == [
        (f"event-{event.id}@testserver", moved, "Salle Turing")
    ]
    assert not await RemovedEntry.exists(event_id=event.id)


async def test_the_feed_caches_follow_programme_edits(client, settings) -> None:
    event, programme, _ = await make_weekend()
    person = await make_user()
    await services.register(person, event.id)
    personal = accounts.calendar_url(person, settings).removeprefix(settings.base_url)
    tags = {path: (await client.get(path)).headers["etag"] for path in ("/events/feed.ics", personal)}
    await services.remove_session(event.facilitator, event.id, programme[0].id)
    for path, tag in tags.items():
        response = await client.get(path, headers={"If-None-Match": tag})
        assert response.status_code == 200, path
        assert "STATUS:CANCELLED" in response.text, path


@pytest.fixture
def queries(monkeypatch) -> list[str]:
    """The SQL statements run while a test reads."""
    seen: list[str] = []
    client = type(connections.get("default"))
    for name in ("execute_query", "execute_query_dict"):
        original = getattr(client, name)

        async def counted(self, query, *args, _original=original, **kwargs):
            seen.append(query)
            return await _original(self, query, *args, **kwargs)

        monkeypatch.setattr(client, name, counted)
    return seen


async def test_the_feeds_read_every_programme_at_once(queries: list[str]) -> None:
    facilitator = await make_facilitator()
    person = await make_user()
    names = itertools.count(1)

    async def read() -> tuple[int, int]:
        queries.clear()
        await calendar.site_feed_items(BASE)
        site = len(queries)
        queries.clear()
        await calendar.personal_items(person, BASE)
        return site, len(queries)

    async def weekend() -> None:
        event, _, _ = await make_weekend(rooms=(f"Salle {next(names)}", f"Salle {next(names)}"))
        await services.register(person, event.id)

    await weekend()
    await make_event(facilitator)
    few = await read()
    for _ in range(3):
        await weekend()
    assert await read() == few
