"""Control characters (issue 17, finding 8): text that comes in through a form or a JSON body
loses its C0 and C1 control characters (newline and tab stay where text may span lines), and no
calendar the platform writes holds one, whatever rows written before hold: the feeds and the
invitations are read by the icalendar library and by ical.js, an independent parser."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from icalendar import Calendar

from accounts import services as accounts
from accounts.models import User
from bookings import services as bookings
from bookings.models import Booking, Room
from events import services as events
from events.models import Event
from forum.models import Topic
from tests.bookings.helpers import at, make_room, next_monday
from tests.events.helpers import make_event, make_facilitator, soon
from tests.events.test_feeds import icaljs, read_with_icaljs  # noqa: F401 - the fixture
from tests.forum.factories import make_category
from tests.helpers import api_token, login, make_user, post_form
from tierslieu import calendar, mail
from tierslieu.models import OutboxMail
from tierslieu.validation import clean_text, one_line

HOSTILE = "Atelier\x01 \x1b[31mrouge\x7f\x85\u0090 \x0bfin\r\nsuite\rencore\tTab\u2028ligne\ud800"
FORM = HOSTILE.replace("\ud800", "")  # what a form can carry (UTF-8 has no lone surrogate)
# every byte that RFC 5545 forbids in a value (tab, and CR LF ending a line, excepted)
FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|(?<!\r)\n|\r(?!\n)")


def assert_clean_calendar(body: bytes, icaljs_path: Path, what: str) -> list[dict]:
    found = FORBIDDEN.search(body)
    assert found is None, f"{what}: {found.group()!r} at {found.start()} in {body[max(found.start() - 40, 0) :][:80]!r}"
    Calendar.from_ical(body)  # the library reads it back
    return read_with_icaljs(icaljs_path, body)


def test_the_one_rule_for_text() -> None:
    assert clean_text(HOSTILE) == "Atelier [31mrouge fin\nsuite\nencore\tTab\nligne"
    assert one_line(HOSTILE) == "Atelier [31mrouge fin suite encore Tab ligne"
    assert clean_text("a\x00b") == "a\x00b"  # refused as an invalid field by parse(), not hidden
    assert calendar.text("a\x00b\x01") == "ab" and calendar.line(" a\nb\x00 ") == "a b"
    assert calendar.escape_text("a;b,c\\d\ne\x02") == "a\\;b\\,c\\\\d\\ne"
    assert calendar.param('Ana "la\x01 Pro", Lyon\n') == "\"Ana ^'la Pro^', Lyon\""


async def test_text_that_comes_in_loses_its_control_characters(client, other_client) -> None:
    facilitator = await make_facilitator()
    headers = await api_token(other_client, facilitator.email)
    starts = soon(days=20)
    response = await other_client.post(
        "/api/v1/events",
        headers={**headers, "Content-Type": "application/json"},
        content=json.dumps(
            {  # ASCII, with the lone surrogate escaped as JSON allows
                "title": HOSTILE,
                "description": HOSTILE,
                "kind": "workshop",
                "mode": "online",
                "timezone": "Europe/Paris",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "capacity": 5,
            }
        ),
    )
    assert response.status_code == 201, response.text
    event = await Event.get(id=response.json()["id"])
    assert event.title == one_line(HOSTILE)  # a title is one line
    assert event.description == clean_text(HOSTILE)  # a description keeps its lines and tabs
    # a NUL is still an invalid field, named
    refused = await other_client.post(
        "/api/v1/auth/signup", json={"email": "a@example.org", "password": "x" * 12, "display_name": "A\x00"}
    )
    assert refused.status_code == 422 and "display_name" in refused.json()["error"]["fields"]
    # a form: the forum's new-topic page
    member = await make_user()
    category = await make_category("Contrôle")
    await login(client, member.email)
    made = await post_form(
        client,
        "/forum/new",
        {"category_id": str(category.id), "kind": "discussion", "title": FORM, "body": FORM, "step": "publish"},
        from_page="/forum/new",
    )
    assert made.status_code == 303, made.text[:500]
    topic = await Topic.get(title=one_line(HOSTILE))
    opening = await topic.posts.all().first()
    assert opening is not None and opening.body_markdown == clean_text(HOSTILE).strip()


async def test_no_calendar_holds_a_control_character_whatever_is_stored(client, settings, icaljs) -> None:  # noqa: F811
    person = await make_user()
    event = await make_event(title="Avant")
    await events.register(person, event.id)
    room = await make_room(name="Salle")
    day = next_monday()
    booking = await bookings.create_booking(person, room.id, at(day, "10:00"), at(day, "11:00"), "Avant")
    # rows written before the boundary: the same text as it came in then
    await Event.filter(id=event.id).update(
        title=FORM, description=FORM, updated_at=event.updated_at + timedelta(seconds=1)
    )
    await Room.filter(id=room.id).update(name=FORM)
    await Booking.filter(id=booking.id).update(purpose=FORM)
    await User.filter(id=person.id).update(display_name=FORM)
    person = await User.get(id=person.id)

    for path in ("/events/feed.ics", f"/events/{event.id}.ics", f"/rooms/{room.id}.ics"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert assert_clean_calendar(response.content, icaljs, path), path
    personal = accounts.calendar_url(person, settings).removeprefix(settings.base_url)
    response = await client.get(personal)
    items = assert_clean_calendar(response.content, icaljs, "personal feed")
    assert {item["uid"] for item in items} >= {f"event-{event.id}@testserver"}
    assert "SUMMARY:Atelier [31mrouge fin suite encore Tab ligne" in response.text.replace("\r\n ", "")

    # invitations: an event's (built by the kernel's blocks) and a booking's (written by hand)
    await events.cancel_event(event.facilitator, event.id)
    await mail.compose_pending()
    rows = await OutboxMail.filter(user_id=person.id).order_by("id")
    attachments = [item for row in rows for item in row.attachments]
    assert {item["content_type"] for item in attachments} >= {
        "text/calendar; method=REQUEST",
        "text/calendar; method=CANCEL",
    }
    for attachment in attachments:
        assert_clean_calendar(attachment["content"].encode(), icaljs, attachment["content_type"])
