"""The key pages every browser check opens (accessibility, HTML validity, page weight,
screenshots), on the demo content.

:func:`key_pages` fills the test database with the demo content (the same as
``tierslieu demo``) and returns the pages as ``(name, path, signed_in, staff)``: ``signed_in``
pages are opened as the demo member (``MEMBER``), who needs no second step; ``staff`` pages
as the demo coordinator (``STAFF``), enrolled here with a known second factor
(:func:`staff_code` gives a fresh code).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from playwright.async_api import Page

from accounts.models import User
from badges.models import Award, BadgeClass
from bookings.models import Room
from events.models import Event
from forum.models import Category, Topic
from helpdesk import services as helpdesk
from helpdesk.models import Appointment
from mentoring.models import Request as MentoringRequest
from tests.browser.conftest import sign_in
from tests.helpers import enrol, fresh_code
from tierslieu.cli import fill_demo

MEMBER = ("membre@demo.tierslieu.fr", "demo-tierslieu")
STAFF = ("coordination@demo.tierslieu.fr", "demo-tierslieu")
STAFF_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@dataclass(frozen=True)
class KeyPage:
    name: str
    path: str
    signed_in: bool = False
    staff: bool = False


async def staff_code() -> str:
    """A fresh code of the demo coordinator's second factor (enrolled on first use)."""
    coordinator = await User.get(email=STAFF[0])
    if await fresh_code(STAFF[0]) is None:
        await enrol(coordinator, STAFF_SECRET)
    code = await fresh_code(STAFF[0])
    assert code is not None
    return code


async def sign_in_staff(page: Page) -> None:
    """Sign in as the demo coordinator through the login form and the second step."""
    await sign_in(page, *STAFF)
    assert page.url.endswith("/login/code"), page.url
    await page.fill("input[name=code]", await staff_code())
    async with page.expect_navigation():
        await page.click("form:has(input[name=code]) [type=submit]")


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
    badge_class = await BadgeClass.all().order_by("id").first()
    member = await User.get(email=MEMBER[0])
    award = await Award.filter(recipient_id=member.id, shared=True).first()
    assert badge_class and award, "the demo content is missing a badge class or a shared award"
    await staff_code()
    now = datetime.now(UTC)
    slot = next(iter(await helpdesk.free_slots(now, now + timedelta(weeks=4), limit=1)), None)
    appointment = await Appointment.filter(person__email=MEMBER[0], starts_at__gt=now).first()
    assert slot and appointment, "the demo content is missing a help-desk slot or appointment"
    assert mentoring, "the demo member has no mentoring relationship"
    return [
        KeyPage("home", "/"),
        KeyPage("login", "/login"),
        KeyPage("signup", "/signup"),
        KeyPage("forum", "/forum"),
        KeyPage("forum-category", f"/forum/c/{category.slug}"),
        KeyPage("forum-topic", f"/forum/t/{topic.id}"),
        KeyPage("forum-person", f"/forum/u/{topic.author_id}"),  # type: ignore[attr-defined]
        KeyPage("forum-search", "/forum/search?q=python"),
        KeyPage("forum-new-topic", "/forum/new", signed_in=True),
        KeyPage("events", "/events"),
        KeyPage("event", f"/events/{event.id}"),
        KeyPage("rooms", "/rooms"),
        KeyPage("room-week", f"/rooms/{room.id}"),
        KeyPage("room-finder", f"/rooms/find?people=6&minutes=120&date={thursday.isoformat()}&part=afternoon"),
        KeyPage("room-book", f"/rooms/{room.id}/book", signed_in=True),
        KeyPage("my-bookings", "/bookings", signed_in=True),
        KeyPage("helpdesk", "/helpdesk"),
        KeyPage(
            "helpdesk-book", f"/helpdesk/book?{urlencode({'helper': slot.helper_id, 'at': slot.starts_at.isoformat()})}"
        ),
        KeyPage("helpdesk-mine", "/helpdesk/mine", signed_in=True),
        KeyPage("helpdesk-appointment", f"/helpdesk/appointments/{appointment.id}", signed_in=True),
        KeyPage("me", "/me", signed_in=True),
        KeyPage("mentoring", "/mentoring", signed_in=True),
        KeyPage("mentoring-new-request", "/mentoring/requests/new", signed_in=True),
        KeyPage("mentoring-relationship", f"/mentoring/requests/{mentoring.id}", signed_in=True),
        KeyPage("mentoring-profile", "/mentoring/profile", signed_in=True),
        KeyPage("legal", "/pages/legal"),
        KeyPage("badges", "/badges"),
        KeyPage("badge-class", f"/badges/classes/{badge_class.id}"),
        KeyPage("badge-shared", f"/badges/s/{award.share_token}"),
        KeyPage("my-badges", "/badges/mine", signed_in=True),
        KeyPage("my-badge", f"/badges/awards/{award.id}", signed_in=True),
        KeyPage("dashboard", "/admin/dashboard", signed_in=True, staff=True),
        KeyPage("badge-new", "/badges/classes/new", signed_in=True, staff=True),
    ]
