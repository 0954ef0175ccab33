"""The key pages every browser check opens (accessibility, HTML validity, page weight,
screenshots), on the demo content.

:func:`key_pages` fills the test database with the demo content (the same as
``tierslieu demo``) and returns the pages as ``(name, path, signed_in)``: ``signed_in``
pages are opened as the demo member (``MEMBER``), who needs no second step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bookings.models import Room
from events.models import Event
from forum.models import Category, Topic
from mentoring.models import Request as MentoringRequest
from tierslieu.cli import fill_demo

MEMBER = ("membre@demo.tierslieu.fr", "demo-tierslieu")


@dataclass(frozen=True)
class KeyPage:
    name: str
    path: str
    signed_in: bool = False


async def key_pages() -> list[KeyPage]:
    await fill_demo(lambda _line: None)
    topic = await Topic.filter(kind="question").order_by("id").first()
    category = await Category.all().order_by("id").first()
    event = await Event.filter(status="published").order_by("starts_at").first()
    room = await Room.all().order_by("id").first()
    today = datetime.now(UTC).date()
    thursday = today + timedelta(days=(3 - today.weekday()) % 7 or 7)
    mentoring = await MentoringRequest.filter(mentee__email=MEMBER[0], status="active").first()
    assert topic and category and event and room, "the demo content is missing a topic, event or room"
    assert mentoring, "the demo member has no mentoring relationship"
    return [
        KeyPage("home", "/"),
        KeyPage("login", "/login"),
        KeyPage("signup", "/signup"),
        KeyPage("forum", "/forum"),
        KeyPage("forum-category", f"/forum/c/{category.slug}"),
        KeyPage("forum-topic", f"/forum/t/{topic.id}"),
        KeyPage("forum-search", "/forum/search?q=python"),
        KeyPage("forum-new-topic", "/forum/new", signed_in=True),
        KeyPage("events", "/events"),
        KeyPage("event", f"/events/{event.id}"),
        KeyPage("rooms", "/rooms"),
        KeyPage("room-week", f"/rooms/{room.id}"),
        KeyPage("room-finder", f"/rooms/find?people=6&minutes=120&date={thursday.isoformat()}&part=afternoon"),
        KeyPage("room-book", f"/rooms/{room.id}/book", signed_in=True),
        KeyPage("my-bookings", "/bookings", signed_in=True),
        KeyPage("me", "/me", signed_in=True),
        KeyPage("mentoring", "/mentoring", signed_in=True),
        KeyPage("mentoring-new-request", "/mentoring/requests/new", signed_in=True),
        KeyPage("mentoring-relationship", f"/mentoring/requests/{mentoring.id}", signed_in=True),
        KeyPage("mentoring-profile", "/mentoring/profile", signed_in=True),
        KeyPage("legal", "/pages/legal"),
    ]
