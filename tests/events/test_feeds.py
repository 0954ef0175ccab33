"""The feeds: what the icalendar library and an independent parser (ical.js under node)
read must be the same instants; UIDs stay, SEQUENCE grows, conditional GET works, and
nothing private leaks into public feeds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from accounts import services as accounts
from events import services
from events.forms import EventChange
from tests.events.helpers import make_event, make_facilitator
from tests.helpers import make_user
from tierslieu.models import OutboxMail

HERE = Path(__file__).resolve().parent / "icaljs"
CACHE = Path("/tmp/tierslieu-icaljs")  # noqa: S108 - a cache of an npm package for tests
PARIS, DAKAR = ZoneInfo("Europe/Paris"), ZoneInfo("Africa/Dakar")


@pytest.fixture(scope="session")
def icaljs() -> Path:
    return install_icaljs()


def install_icaljs() -> Path:
    """ical.js, installed once from the npm registry at the version of package.json."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for the independent parser")
    version = json.loads((HERE / "package.json").read_text())["dependencies"]["ical.js"]
    target = CACHE / version
    module = target / "node_modules" / "ical.js" / "dist" / "ical.js"
    if not module.exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(HERE / "package.json", target / "package.json")
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent"],
            cwd=target,
            check=True,
            capture_output=True,
            timeout=120,
        )
    return module


def read_with_icaljs(icaljs: Path, body: bytes) -> list[dict]:
    result = subprocess.run(
        ["node", str(HERE / "instants.mjs")],
        input=body,
        capture_output=True,
        check=True,
        timeout=30,
        env={**os.environ, "ICALJS": str(icaljs)},
    )
    return json.loads(result.stdout)


def _text(event, name: str) -> str | None:
    return str(event[name]) if name in event else None


def read_with_icalendar(body: bytes) -> list[dict]:
    """What instants.mjs prints, as the icalendar library reads it."""
    cal = Calendar.from_ical(body)
    return [
        {
            "uid": str(event["uid"]),
            "sequence": int(event.get("sequence", 0)),
            "status": str(event.get("status")),
            "summary": _text(event, "summary"),
            "location": _text(event, "location"),
            "description": _text(event, "description"),
            "local": event.decoded("dtstart").strftime("%Y-%m-%dT%H:%M:%S"),
            "start": int(event.decoded("dtstart").timestamp()),
            "end": int(event.decoded("dtend").timestamp()),
        }
        for event in cal.walk("VEVENT")
    ]


def read_with_both(icaljs: Path, body: bytes) -> list[dict]:
    """The VEVENTs as ical.js reads them, once the icalendar library read the same."""
    found = read_with_icaljs(icaljs, body)
    assert found == read_with_icalendar(body)
    return found


def unfolded(text: str) -> str:
    return text.replace("\r\n ", "")


def local(year: int, month: int, day: int, hour: int, zone: ZoneInfo) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=zone).astimezone(UTC)


async def _events_across_zones():
    year = datetime.now(UTC).year + 1
    facilitator = await make_facilitator()
    specs = [
        ("Paris winter", local(year, 1, 12, 18, PARIS), "Europe/Paris"),
        ("Paris summer", local(year, 7, 7, 18, PARIS), "Europe/Paris"),
        ("Paris after spring change", local(year, 3, 30, 9, PARIS), "Europe/Paris"),
        ("Dakar", local(year, 7, 7, 10, DAKAR), "Africa/Dakar"),
        ("Dakar winter", local(year, 1, 12, 10, DAKAR), "Africa/Dakar"),
    ]
    return [
        await make_event(
            facilitator,
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            timezone=zone,
            kind="workshop" if zone == "Africa/Dakar" else "webinar",
        )
        for title, starts, zone in specs
    ]


async def test_site_feed_reads_the_same_in_both_parsers(client, icaljs: Path) -> None:
    events = await _events_across_zones()
    response = await client.get("/events/feed.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    body = response.content
    expected = {
        f"event-{event.id}@testserver": (int(event.starts_at.timestamp()), int(event.ends_at.timestamp()))
        for event in events
    }
    for reader in (read_with_icalendar(body), read_with_icaljs(icaljs, body)):
        assert {item["uid"]: (item["start"], item["end"]) for item in reader} == expected
    text = body.decode()
    assert "METHOD:" not in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text
    assert "X-PUBLISHED-TTL:PT1H" in text
    assert text.count("BEGIN:VTIMEZONE") == 2
    assert "RDATE" not in text
    assert "visio.example.org" not in unfolded(text)  # no join link in public feeds


async def test_feed_kind_filter_and_event_feed(client, icaljs: Path) -> None:
    events = await _events_across_zones()
    body = (await client.get("/events/feed.ics?kind=workshop")).content
    assert {item["uid"] for item in read_with_icaljs(icaljs, body)} == {
        f"event-{event.id}@testserver" for event in events if event.timezone == "Africa/Dakar"
    }
    one = (await client.get(f"/events/{events[1].id}.ics")).content
    [item] = read_with_icaljs(icaljs, one)
    assert item["start"] == int(events[1].starts_at.timestamp())
    draft = await make_event(status="draft")
    assert (await client.get(f"/events/{draft.id}.ics")).status_code == 404


async def test_uids_stay_sequence_grows_and_conditional_get(client) -> None:
    event = await make_event()
    first = await client.get(f"/events/{event.id}.ics")
    again = await client.get(f"/events/{event.id}.ics", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    await services.change_event(event.facilitator, event.id, EventChange(title="A new title"))
    changed = await client.get(f"/events/{event.id}.ics", headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200
    [before], [after] = read_with_icalendar(first.content), read_with_icalendar(changed.content)
    assert before["uid"] == after["uid"]
    assert after["sequence"] > before["sequence"]
    assert "LAST-MODIFIED" in changed.text and "DTSTAMP" in changed.text


async def test_cancelled_events_stay_in_the_site_feed_as_cancelled(client) -> None:
    event = await make_event()
    await services.cancel_event(event.facilitator, event.id)
    [item] = read_with_icalendar((await client.get("/events/feed.ics")).content)
    assert item["status"] == "CANCELLED"


async def test_personal_feed_has_my_places_with_the_join_link_and_revocation_404s(client, settings, icaljs) -> None:
    event = await make_event(capacity=1)
    full = await make_event(capacity=1)
    me, other = await make_user(), await make_user()
    await services.register(me, event.id)
    await services.register(other, full.id)
    await services.register(me, full.id)  # waiting: not in my calendar
    url = accounts.calendar_url(me, settings).removeprefix(settings.base_url)
    response = await client.get(url)
    assert response.status_code == 200
    assert "visio.example.org/room-secret" in unfolded(response.text)
    assert [item["uid"] for item in read_with_icaljs(icaljs, response.content)] == [f"event-{event.id}@testserver"]
    assert (await client.get(url, headers={"If-None-Match": response.headers["etag"]})).status_code == 304
    await services.cancel_registration(me, event.id)
    [item] = read_with_icalendar((await client.get(url)).content)
    assert item["status"] == "CANCELLED"
    assert "room-secret" not in unfolded((await client.get(url)).text)
    await accounts.revoke_calendar_token(me)
    assert (await client.get(url)).status_code == 404
    assert (await client.get("/calendar/not-a-token.ics")).status_code == 404


async def test_mails_carry_invitations_that_both_parsers_read(icaljs: Path) -> None:
    starts = local(datetime.now(UTC).year + 1, 7, 7, 18, PARIS)
    event = await make_event(starts_at=starts, ends_at=starts + timedelta(hours=1))
    person = await make_user()
    await services.register(person, event.id)
    await services.cancel_event(event.facilitator, event.id)
    mails = await OutboxMail.filter(user_id=person.id).order_by("id")
    assert len(mails) == 2
    request, cancel = (row.attachments[0] for row in mails)
    assert request["content_type"] == "text/calendar; method=REQUEST"
    assert "METHOD:REQUEST" in request["content"] and "room-secret" in unfolded(request["content"])
    assert cancel["content_type"] == "text/calendar; method=CANCEL"
    assert "METHOD:CANCEL" in cancel["content"]
    for attachment in (request, cancel):
        [item] = read_with_icaljs(icaljs, attachment["content"].encode())
        assert item["start"] == int(starts.timestamp())
    [cancelled] = read_with_icalendar(cancel["content"].encode())
    assert cancelled["status"] == "CANCELLED"


async def test_site_feed_cache_follows_changes(client) -> None:
    event = await make_event(title="Avant")
    first = await client.get("/events/feed.ics")
    assert (await client.get("/events/feed.ics", headers={"If-None-Match": first.headers["etag"]})).status_code == 304
    await services.change_event(event.facilitator, event.id, EventChange(title="Après"))
    changed = await client.get("/events/feed.ics", headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and "Après" in changed.text
    await make_event(title="Nouveau")
    assert "Nouveau" in (await client.get("/events/feed.ics")).text


async def test_personal_feed_cache_follows_event_changes(client, settings) -> None:
    event = await make_event(title="Avant")
    me = await make_user()
    await services.register(me, event.id)
    url = accounts.calendar_url(me, settings).removeprefix(settings.base_url)
    assert "Avant" in (await client.get(url)).text
    await services.change_event(event.facilitator, event.id, EventChange(title="Après"))
    assert "Après" in (await client.get(url)).text
    other = await make_event(title="Deuxième")
    await services.register(me, other.id)
    assert "Deuxième" in (await client.get(url)).text
