"""Cross-site scripting, proven in a real browser.

Every payload of ``xss_payloads.txt`` (one per line; payload N calls ``__xss(N)`` when it
runs) goes into every field a person can write and that a page shows: forum titles, posts,
categories, display names, bio, flags and moderation reasons, events and their sessions,
feedback, rooms, closures, bookings and decisions, help-desk needs and follow-ups, the legal page,
badge classes, evidence, revocation reasons and the issuer profile (on the badge pages, the
share pages and the evaluation dashboard's charts), mentoring (profiles, applications,
requests, suggestions, thread, reports, goals, session and private notes, feedback). Most
content is created through the services (fast); the profile, a forum reply and the legal page
through the real forms. Then Chromium opens every page that shows them, once, and the test
asserts that:

- no script ran: ``window.__xss`` (installed before the page's own scripts) reports to the
  test through a binding, and no dialog opened;
- the Content-Security-Policy reported no blocked script (a blocked inline script or
  handler is an injection that only the CSP stopped); other violations are counted and
  printed per page (run with ``-s``);
- neither the served HTML (stdlib ``html.parser``) nor the live DOM holds an ``on*``
  attribute, a ``javascript:``/``vbscript:``/``data:text/html`` URL, an inline script or
  a frame, object, embed or base element;
- the Atom feeds stay well-formed XML whose HTML content passes the same checks.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pydantic
import pytest
from playwright.async_api import Page

from accounts import services as accounts
from accounts.models import Role, User
from badges import services as badges
from badges.forms import AwardCreate, ClassCreate, EventLinkCreate, IssuerChange
from bookings import services as bookings
from bookings.forms import ClosureCreate, RoomCreate
from events import services as events_services
from events.models import Feedback
from forum import moderation, notify
from forum import services as forum
from forum.forms import CategoryIn, PostEdit, TopicIn
from helpdesk import services as helpdesk
from helpdesk.forms import AppointmentCreate, HoursCreate
from mentoring import services as mentoring
from mentoring.forms import MentorProfileIn, RequestIn, SessionIn
from tests.bookings.helpers import EVERY_DAY, at, next_monday
from tests.browser.conftest import csp_violations
from tests.events.helpers import make_event, soon
from tests.helpers import make_user

HERE = Path(__file__).resolve().parent
PAYLOADS = [line for line in (HERE / "xss_payloads.txt").read_text(encoding="utf-8").split("\n") if line]
MARKER = re.compile(r"__xss\((\d+)\)")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# Runs before any script of every page and frame: the marker reports to the test.
RECORD_MARKER = """
window.__xss = function (n) { return window.__xssReport(String(n), location.href); };
"""

# The same checks as the HTML parser below, on the DOM once the page's scripts have run.
SCAN_DOM = r"""
() => {
  const found = [];
  const bad = /^(javascript|vbscript):|^data:(text\/html|image\/svg|application)/;
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\u0000-\u0020]/g, "").toLowerCase();
      if (attr.name.startsWith("on")) found.push(`<${el.localName} ${attr.name}>`);
      else if (bad.test(value)) found.push(`<${el.localName} ${attr.name}=${value.slice(0, 40)}>`);
    }
    const tag = el.localName;
    if (["iframe", "frame", "object", "embed", "base", "applet"].includes(tag)) found.push(`<${tag}>`);
  }
  for (const script of document.scripts) {
    const src = script.getAttribute("src") || "";
    if (!src.startsWith("/static/") || script.text.trim()) found.push(`<script src=${src.slice(0, 40)}>`);
  }
  return found;
}
"""

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "background",
    "poster",
    "srcset",
    "lowsrc",
    "dynsrc",
    "cite",
    "srcdoc",
}
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "base", "applet", "isindex", "keygen", "style"}
BAD_URL = re.compile(r"^(javascript|vbscript):|^data:(text/html|image/svg|application)")


class Audit(HTMLParser):
    """What a page's served HTML should never hold, whatever people wrote."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            plain = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            elif name in URL_ATTRIBUTES and BAD_URL.search(plain):
                self.found.append(f"<{tag} {name}={plain[:40]}>")
            elif name == "style" and ("expression(" in plain or "url(" in plain):
                self.found.append(f"<{tag} style={plain[:40]}>")
            elif tag == "meta" and name == "http-equiv":
                self.found.append(f"<meta http-equiv={plain}>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.found.append(f"<script src={src[:40]}>")
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"inline script {data.strip()[:40]!r}")


def audit_html(html: str) -> list[str]:
    parser = Audit()
    parser.feed(html)
    parser.close()
    return parser.found


class Corpus:
    """Hands out the payloads field by field, cycling, and remembers where each one landed."""

    def __init__(self, payloads: list[str]) -> None:
        self.payloads = payloads
        self.landed: dict[int, set[str]] = defaultdict(set)
        self.per_field: Counter[str] = Counter()
        self._cursors: dict[str, itertools.cycle] = {}

    def take(self, field: str, max_length: int, *, many: int = 1, sep: str = " ") -> str:
        """The next payloads for this field: up to ``many`` of them joined by ``sep``,
        never longer than ``max_length`` (longer payloads are left for other fields)."""
        if field not in self._cursors:
            start = (len(self._cursors) * 37) % len(self.payloads)  # each field starts elsewhere
            order = list(range(start, len(self.payloads))) + list(range(start))
            self._cursors[field] = itertools.cycle(order)
        cursor = self._cursors[field]
        chosen: list[int] = []
        length = 0
        for _ in range(len(self.payloads)):
            index = next(cursor)
            size = len(self.payloads[index]) + (len(sep) if chosen else 0)
            if length + size > max_length:
                if chosen:
                    # put it back for the next value of this field
                    self._cursors[field] = itertools.chain([index], cursor)  # type: ignore[assignment]
                    break
                continue
            chosen.append(index)
            length += size
            if len(chosen) == many:
                break
        assert chosen, f"no payload fits in {field} ({max_length} characters)"
        for index in chosen:
            self.landed[index].add(field)
        self.per_field[field] += len(chosen)
        return sep.join(self.payloads[index] for index in chosen)

    def all(self, field: str, sep: str = "\n\n") -> str:
        for index in range(len(self.payloads)):
            self.landed[index].add(field)
        self.per_field[field] += len(self.payloads)
        return sep.join(self.payloads)


async def build_world(corpus: Corpus) -> dict[str, Any]:
    """Content in every field, through the services. Returns what the pages need."""
    take = corpus.take
    boss = await make_user(
        display_name="Boss",
        roles=(
            Role.ADMIN,
            Role.MODERATOR,
            Role.FACILITATOR,
            Role.SPACE_MANAGER,
            Role.COORDINATOR,
            Role.HELPER,
            Role.MENTOR,
        ),
    )
    # one password hash for everybody: argon2 is slow on purpose
    password_hash = (await User.get(id=boss.id)).password_hash
    authors: list[User] = []
    for number in range(40):
        author = await User.create(
            email=f"author{number}@example.org",
            display_name=take("display name", 80),
            password_hash=password_hash,
            email_verified_at=timezone_now(),
        )
        authors.append(await accounts.load_roles(author))
    authors_cycle = itertools.cycle(authors)

    # forum: categories, topics, posts, flags, moderation reasons, revisions
    categories = [
        await forum.create_category(
            boss, CategoryIn(name=take("category name", 80), description=take("category description", 1000, many=30))
        )
        for _ in range(6)
    ]
    await notify.watch_category(boss, categories[0])
    topics, posts = [], []
    for number in range(30):
        author = next(authors_cycle)
        data = TopicIn(
            category_id=categories[number % len(categories)].id,
            title=take("topic title", 150),
            body=take("post body (Markdown)", 20_000) + "\n\nxsscorpus",
            kind="question" if number % 2 else "discussion",
            tags=["xss", f"t{number % 4}"],
        )
        topic = await forum.create_topic(author, data)
        topics.append(topic)
        for _ in range(4):
            post, _ = await forum.reply(
                next(authors_cycle), topic.id, take("post body (Markdown)", 20_000) + "\n\nxsscorpus"
            )
            posts.append(post)
    # payloads with control characters, in the newest topics (so in both feeds)
    for index, payload in enumerate(corpus.payloads):
        if CONTROL.search(payload):
            corpus.landed[index] |= {"topic title", "post body (Markdown)"}
            await forum.create_topic(
                next(authors_cycle), TopicIn(category_id=categories[0].id, title=payload, body=payload, kind="question")
            )
    for index, post in enumerate(posts[:15]):
        flagger = authors[(index * 7 + 3) % len(authors)]
        if flagger.id == post.author_id:  # type: ignore[attr-defined]
            flagger = authors[(index * 7 + 4) % len(authors)]
        await moderation.flag_post(flagger, post.id, take("flag reason", 500, many=12))
    for topic in topics[:15]:
        await moderation.set_topic_state(boss, topic.id, "pin", take("moderation reason", 500, many=12))
    edited = posts[20]
    await forum.edit_post(
        boss, edited.id, PostEdit(body=take("edited post body (Markdown)", 20_000, many=40, sep="\n\n"), reason="x")
    )
    await forum.edit_post(
        boss,
        edited.id,
        PostEdit(
            body=take("edited post body (Markdown)", 20_000, many=40, sep="\n\n"), reason=take("edit reason", 200)
        ),
    )
    opening = await topics[1].posts.filter(number=1).first()
    assert opening is not None
    await forum.edit_post(
        boss, opening.id, PostEdit(body=opening.body_markdown, title=take("topic title", 150), reason="title")
    )

    # events: titles, descriptions, sessions and speakers, feedback
    events = []
    for number in range(12):
        starts = soon(days=5 + number)
        sessions = [
            {
                "title": take("session title", 200),
                "speaker": take("session speaker", 200),
                "starts_at": starts + timedelta(minutes=20 * k),
                "ends_at": starts + timedelta(minutes=20 * (k + 1)),
            }
            for k in range(6)
        ]
        events.append(
            await make_event(
                boss,
                starts_at=starts,
                title=take("event title", 200),
                description=take("event description (Markdown)", 20_000, many=14, sep="\n\n"),
                sessions=sessions,
            )
        )
    for author in authors[:6]:
        await events_services.register(author, events[0].id)
    for author in authors[6:16]:
        await Feedback.create(
            event_id=events[0].id, user_id=author.id, rating=4, comment=take("feedback comment", 3000, many=14)
        )

    # rooms: names, descriptions, accessibility, closures, bookings, decisions
    rooms = [
        await bookings.create_room(
            boss,
            RoomCreate(
                name=take("room name", 100),
                description=take("room description", 5000, many=17, sep="\n"),
                accessibility=take("room accessibility", 2000, many=17, sep="\n"),
                capacity=12,
                equipment=["projector", "whiteboard"],
                opening_hours=EVERY_DAY,
                weekly_quota_minutes=10080,
                requires_approval=number == 0,
            ),
        )
        for number in range(8)
    ]
    monday = next_monday()
    mine = []
    for number in range(40):
        day = monday + timedelta(days=number // 20)
        start = at(day, "08:00") + timedelta(minutes=30 * (number % 20))
        room = rooms[1 + number % 2]
        mine.append(
            await bookings.create_booking(
                boss, room.id, start, start + timedelta(minutes=30), take("booking purpose", 200)
            )
        )
    member = authors[0]
    pending = []
    for number in range(10):
        start = at(monday + timedelta(days=3), "09:00") + timedelta(minutes=30 * number)
        pending.append(
            await bookings.create_booking(
                member, rooms[0].id, start, start + timedelta(minutes=30), take("booking purpose", 200)
            )
        )
    for booking in pending[:5]:
        await bookings.decide_booking(boss, booking.id, True, take("decision message", 1000, many=20, sep="\n"))
    for number in range(30):
        day = monday + timedelta(days=4 + number // 10)
        start = at(day, "08:00") + timedelta(minutes=30 * (number % 10))
        await bookings.add_closure(
            boss,
            ClosureCreate(
                room_id=rooms[number % 4].id,
                starts_at=start,
                ends_at=start + timedelta(minutes=30),
                reason=take("closure reason", 200),
            ),
        )
    # badges: the issuer profile, classes, evidence notes, revocation reasons (shared pages)
    await badges.change_issuer(
        boss,
        IssuerChange(
            name=take("issuer name", 120),
            url="https://tiers-lieu.example.org",
            email="contact@example.org",
            description=take("issuer description", 2000, many=8),
        ),
    )
    badge_classes = [
        await badges.create_class(
            boss,
            ClassCreate(
                name=take("badge name", 120),
                description=take("badge description", 5000, many=14, sep="\n"),
                criteria=take("badge criteria", 5000, many=14, sep="\n"),
                skills=["python"],
            ),
        )
        for _ in range(4)
    ]
    await badges.link_event(boss, badge_classes[0].id, EventLinkCreate(event_id=events[0].id))
    awards = []
    for index, author in enumerate(authors[:8]):
        award = await badges.award_badge(
            boss,
            badge_classes[index % 4].id,
            AwardCreate(user_id=author.id, evidence=take("award evidence", 2000, many=6, sep="\n")),
        )
        await badges.set_shared(author, award.id, True)
        awards.append(award)
    await badges.revoke(boss, awards[1].id, take("revocation reason", 500))
    await badges.award_badge(
        boss, badge_classes[0].id, AwardCreate(user_id=boss.id, evidence=take("award evidence", 2000))
    )

    # help desk: the needs people describe and the follow-ups (the boss is on duty too)
    await helpdesk.create_hours(
        boss,
        HoursCreate(
            weekday="tue",
            starts="08:00",
            ends="20:00",
            timezone="Europe/Paris",
            format="online",
            slot_minutes=10,
            topics=["python"],
            languages=["fr"],
            join_url="https://visio.example.org/xss",
        ),
    )
    desk_day = monday + timedelta(days=1)
    appointments = []
    for number, author in enumerate(authors[16:36]):
        appointment = await helpdesk.book_appointment(
            author,
            AppointmentCreate(
                helper_id=boss.id,
                slot_starts_at=at(desk_day, "08:00") + timedelta(minutes=10 * number),
                topic="python",
                need=take("help-desk need", 2000, many=10, sep="\n"),
                format="online",
            ),
        )
        await helpdesk.write_follow_up(boss, appointment.id, take("help-desk follow-up", 4000, many=12, sep="\n"))
        appointments.append(appointment)
    mentoring_pages = await build_mentoring(boss, authors, take)
    return {
        "mentoring_pages": mentoring_pages,
        "badge_classes": badge_classes,
        "awards": awards,
        "boss": boss,
        "authors": authors,
        "categories": categories,
        "topics": topics,
        "posts": posts,
        "edited": edited,
        "events": events,
        "rooms": rooms,
        "monday": monday,
        "mine": mine,
        "pending": pending,
        "appointments": appointments,
        "desk_day": desk_day,
    }


async def build_mentoring(boss: User, authors: list[User], take: Any) -> list[str]:
    """Mentoring: the boss mentors (profile, thread, notes, sessions, feedback) and coordinates
    (applications, reports, suggestions of other mentors). Returns the pages that show them."""

    def profile(**values: Any) -> MentorProfileIn:
        return MentorProfileIn(
            skills=["nsi", "python"],
            languages=["fr"],
            formats=["online", "onsite"],
            max_mentees=5,
            bio=take("mentor bio", 10_000, many=20, sep="\n"),
            motivation=take("mentor motivation", 10_000, many=20, sep="\n"),
            **values,
        )

    await mentoring.save_profile(boss, profile())
    for author in authors[30:33]:  # applications waiting in the queue
        await mentoring.save_profile(author, profile())
    other_mentor = await make_user(display_name=take("display name", 80), roles=(Role.MENTOR,))
    await mentoring.save_profile(other_mentor, profile())

    def wanted() -> RequestIn:
        return RequestIn(
            topic=take("mentoring topic", 200),
            skills=["nsi"],
            goal=take("mentoring goal", 10_000, many=15, sep="\n"),
            background=take("mentoring background", 10_000, many=15, sep="\n"),
            languages=["fr"],
        )

    paths = []
    for number, author in enumerate(authors[33:37]):
        request = await mentoring.create_request(author, wanted())
        paths.append(f"/mentoring/requests/{request.id}")
        if number == 0:
            continue  # left open: its suggestions show the other mentor
        await mentoring.offer(author, request.id, boss.id)
        if number == 1:
            continue  # offered: waits for the boss's answer
        await mentoring.accept(boss, request.id, take("acceptance message", 10_000))
        for _ in range(3):
            message = await mentoring.post_message(author, request.id, take("mentoring message", 10_000, many=5))
            await mentoring.post_message(boss, request.id, take("mentoring message", 10_000, many=5))
        await mentoring.report_message(boss, request.id, message.id, take("report reason", 10_000, many=5))
        await mentoring.add_goal(author, request.id, take("mentoring goal title", 200))
        await mentoring.save_private_notes(boss, request.id, take("private notes", 10_000, many=10, sep="\n"))
        start = at(next_monday(), "18:00") + timedelta(days=number)
        session = await mentoring.schedule_session(
            boss,
            request.id,
            SessionIn(
                starts_at=start, ends_at=start + timedelta(hours=1), format="online", link="https://example.org/v"
            ),
        )
        await mentoring.save_session_notes(boss, request.id, session.id, take("session notes", 10_000, many=10))
        if number == 3:
            await mentoring.close(author, request.id, "completed", 5, take("closing feedback", 10_000, many=10))
    return ["/mentoring", "/mentoring/applications", "/mentoring/reports", "/mentoring/profile", *paths]


def timezone_now() -> datetime:
    return datetime.now(UTC)


def pages_to_visit(world: dict[str, Any], corpus: Corpus) -> list[str]:
    topics, rooms, events, monday = world["topics"], world["rooms"], world["events"], world["monday"]
    week = f"?week={monday.isoformat()}"
    reflected = corpus.payloads
    return [
        "/",
        "/forum",
        f"/forum?tag={_quote(reflected[4])}",
        *[f"/forum/c/{category.slug}" for category in world["categories"]],
        *[f"/forum/t/{topic.id}" for topic in topics],
        f"/forum/t/{topics[3].id}?quote={world['posts'][12].id}",
        f"/forum/p/{world['edited'].id}/history",
        f"/forum/p/{world['edited'].id}/edit",
        "/forum/search?q=xsscorpus",
        f"/forum/search?q={_quote(reflected[0])}",
        "/notifications",
        "/notifications/preferences",
        "/forum/moderation",
        "/forum/moderation/log",
        "/forum/moderation/tags",
        "/forum/new",
        "/events",
        *[f"/events/{event.id}" for event in events],
        f"/events/{events[0].id}/edit",
        f"/events/{events[0].id}/registrants",
        "/rooms",
        *[f"/rooms/{room.id}{week}" for room in rooms[:4]],
        *[f"/rooms/{room.id}" for room in rooms[4:]],
        f"/rooms/{rooms[1].id}/edit",
        f"/rooms/{rooms[2].id}/book",
        f"/rooms/find?people=2&minutes=60&date={(monday + timedelta(days=2)).isoformat()}&part=day",
        "/bookings",
        "/bookings/manage",
        *[f"/bookings/{booking.id}" for booking in world["pending"][:6]],
        f"/bookings/{world['mine'][0].id}",
        "/helpdesk",
        *[f"/helpdesk/appointments/{appointment.id}" for appointment in world["appointments"][:6]],
        f"/helpdesk/agenda?day={world['desk_day'].isoformat()}",
        f"/helpdesk/week?week={world['desk_day'].isoformat()}",
        "/helpdesk/hours",
        "/me",
        "/admin",
        f"/admin/users/{world['authors'][1].id}",
        "/admin/audit",
        "/pages/legal",
        "/badges",
        "/badges/mine",
        "/badges/issuer",
        "/badges/classes/new",
        *[f"/badges/classes/{badge_class.id}" for badge_class in world["badge_classes"]],
        *[f"/badges/awards/{award.id}" for award in world["awards"][:3]],
        *[f"/badges/s/{award.share_token}" for award in world["awards"][:3]],
        "/admin/dashboard",
        "/me/delete",
        *world["mentoring_pages"],
    ]


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


async def submit(page: Page, path: str, fields: dict[str, str], button: str) -> None:
    """Fill and send a real form of the site, like a person would."""
    response = await page.goto(path)
    assert response is not None and response.status == 200, path
    for selector, value in fields.items():
        await page.fill(selector, value)
    async with page.expect_navigation():
        await page.click(button)
    errors = await page.locator(".alert, .error").all_inner_texts()
    assert not errors, (path, errors)


async def test_no_payload_runs_in_any_field_of_any_page(browser, live_server, settings) -> None:
    corpus = Corpus(PAYLOADS)
    assert len(PAYLOADS) >= 100
    assert all(str(n) in p or "base64" in p or "atob(" in p for n, p in enumerate(PAYLOADS, 1)), (
        "payload N calls __xss(N)"
    )
    world = await build_world(corpus)

    # tags are words: no payload can become one
    for payload in PAYLOADS[:20]:
        with pytest.raises(pydantic.ValidationError):
            TopicIn(category_id=1, title="Un titre", body="Un texte", tags=[payload])

    token = await accounts.start_session(world["boss"], "127.0.0.1", "xss-test", settings)
    context = await browser.new_context(base_url=live_server, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(15_000)
    calls: list[tuple[str, str]] = []
    dialogs: list[str] = []
    await context.expose_binding("__xssReport", lambda _source, n, url: calls.append((n, url)))
    await context.add_init_script(RECORD_MARKER)
    await context.add_init_script(
        """
        window.__csp = [];
        document.addEventListener('securitypolicyviolation', (e) => {
          window.__csp.push({directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample});
        });
        """
    )
    await context.add_cookies([{"name": "tl_session", "value": token, "url": live_server}])
    problems: list[str] = []
    report: list[tuple[str, int, Counter[str]]] = []
    try:
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        async def on_dialog(dialog) -> None:
            dialogs.append(f"{dialog.type}: {dialog.message} on {page.url}")
            await dialog.dismiss()

        page.on("dialog", on_dialog)

        # the marker reaches the test (a payload that ran would be seen)
        await page.goto("/")
        await page.evaluate("__xss('self-test')")
        assert [n for n, _url in calls] == ["self-test"], calls
        calls.clear()

        # a few through the real forms: the profile, a forum reply, the legal page
        await submit(
            page,
            "/me",
            {
                "#f-display_name": corpus.take("display name", 80),
                "#f-bio": corpus.take("bio", 900, many=30, sep="\n"),  # browsers send newlines as CRLF
            },
            "form[action$='/me/profile'] [type=submit]",
        )
        await submit(
            page,
            f"/forum/t/{world['topics'][0].id}",
            {"#f-body": corpus.take("post body (Markdown)", 20_000, many=25, sep="\n\n")},
            "form[action$='/reply'] button[value=publish]",
        )
        await submit(
            page,
            "/admin/pages/legal?locale=fr",
            {"#f-title": corpus.take("legal page title", 200), "#f-body_markdown": corpus.all("legal page (Markdown)")},
            "main form [type=submit]",
        )
        boss = await User.get(id=world["boss"].id)
        assert MARKER.search(boss.display_name) and MARKER.search(boss.bio), "the profile form did not save"

        for path in pages_to_visit(world, corpus):
            before = len(calls)
            response = await page.goto(path)
            if response is None or response.status != 200:
                problems.append(f"{path}: status {response.status if response else None}")
                continue
            html = await response.text()
            problems += [f"{path}: served HTML has {item}" for item in audit_html(html)]
            problems += [f"{path}: DOM has {item}" for item in await page.evaluate(SCAN_DOM)]
            violations = await csp_violations(page)
            problems += [
                f"{path}: CSP blocked a script: {v['directive']} {v['blocked']} {v['sample']!r}"
                for v in violations
                if v["directive"].startswith("script-src") or v["directive"] in ("object-src", "frame-src", "base-uri")
            ]
            problems += [f"{path}: __xss({n}) ran in {url}" for n, url in calls[before:]]
            report.append((path, len(violations), Counter(v["directive"] for v in violations)))

        for path in ["/forum/feed.atom", f"/forum/c/{world['categories'][0].slug}/feed.atom"]:
            response = await page.request.get(path)
            assert response.status == 200, path
            try:
                feed = ET.fromstring(await response.body())  # noqa: S314 - our own feed
            except ET.ParseError as error:
                problems.append(f"{path}: not well-formed XML ({error})")
                continue
            contents = feed.findall(".//{http://www.w3.org/2005/Atom}content")
            assert contents, path
            for content in contents:
                problems += [f"{path}: entry HTML has {item}" for item in audit_html(content.text or "")]
            report.append((path, 0, Counter()))
    finally:
        await context.close()

    kinds = {field for fields in corpus.landed.values() for field in fields}
    print(f"\n{len(PAYLOADS)} payloads, {len(kinds)} kinds of field, {len(report)} pages and feeds")
    for field, count in sorted(corpus.per_field.items()):
        print(f"  {count:5d} payloads in {field}")
    print("CSP violations per page (none may be a script):")
    for path, count, directives in report:
        print(f"  {count:4d}  {path[:90]}  {dict(directives) if directives else ''}")
    print(f"  total {sum(count for _, count, _ in report)}; script errors on pages: {len(errors)}")

    assert all(len(corpus.landed[i]) >= 3 for i in range(len(PAYLOADS))), "a payload reached fewer than 3 fields"
    assert not calls, f"payloads ran: {calls[:20]}"
    assert not dialogs, f"dialogs opened: {dialogs[:20]}"
    assert not problems, "\n".join(problems[:40])
    assert not errors, errors[:10]
