"""Hostile input never breaks a page (issue 17): property-based tests with Hypothesis.

What is attacked comes from the installed parts, so that a part added later is attacked without
editing this file:

- the routes of the app that ``tierslieu.app`` composes from the parts' manifests (HTML pages,
  feeds, the API under ``/api/v1``);
- the JSON fields of every API operation from the OpenAPI document built from those routes, and
  its declared query parameters;
- the fields of the HTML forms and the query parameters of the links found on the rendered
  pages (crawled as each person), and every path parameter of every route.

Each is sent generated values (extreme and malformed dates and zones, huge and negative ids and
numbers, deep JSON, long and control-character text, NUL, odd Unicode, lone surrogates), as
anonymous, a member and staff, over a real keep-alive connection to a running server: no answer
may be a 5xx, and the same connection must still answer the next request. A stateful test then
makes accepted writes through the API (plausible bodies with hostile text, dates and zones) and
checks after each that every page, feed and API answer that answered 2xx before still does.

Budget: Hypothesis is derandomised (a fixed seed) with a fixed number of examples, a few minutes
per database in CI. ``TIERSLIEU_HOSTILE_EXAMPLES`` (examples per target and person) and
``TIERSLIEU_HOSTILE_STEPS`` (writes per stateful run) raise it for a longer run by hand, e.g.
``TIERSLIEU_HOSTILE_EXAMPLES=50 TIERSLIEU_HOSTILE_STEPS=30 pytest tests/shell/test_hostile_input.py``.

The last tests are the precise, example-based checks of bad ids and odd query values this module
grew from (a row id the database cannot hold is a 404, odd numbers leave a page as it is, the API
names the field).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from html.parser import HTMLParser
from typing import Any, ClassVar
from urllib.parse import parse_qsl, quote, urljoin, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from starlette.routing import Route

from accounts import services as accounts
from accounts.models import Role
from badges import services as badges
from badges.forms import AwardCreate
from bookings import services as bookings
from helpdesk import services as helpdesk
from helpdesk.forms import AppointmentCreate
from tests.badges.helpers import make_class as make_badge_class
from tests.bookings.helpers import at, make_room, next_monday
from tests.conftest import SECRET_KEY
from tests.events.helpers import make_event
from tests.forum.factories import make_reply, make_topic
from tests.helpdesk.helpers import at as helpdesk_at
from tests.helpdesk.helpers import make_hours as make_helpdesk_hours
from tests.helpdesk.helpers import upcoming
from tests.helpers import api_token, app_routes, inputs, login, make_user
from tests.mentoring.helpers import make_relationship
from tierslieu.app import create_app
from tierslieu.convertors import IdConvertor
from tierslieu.openapi import API_PREFIX, build_document, mounted_api_routes
from tierslieu.validation import MAX_ID

EXAMPLES = int(os.environ.get("TIERSLIEU_HOSTILE_EXAMPLES", "4"))
STEPS = int(os.environ.get("TIERSLIEU_HOSTILE_STEPS", "8"))
PEOPLE = ("anonymous", "member", "staff")

# Requests that would end the session they ride on (then the rest of the run is anonymous) or
# that wait on purpose: attacked by their own tests, not here.
LEFT_OUT = re.compile(r"^/(logout|ws|static/|me/sessions/end-all|me/delete|healthz)|/openapi\.json$")

HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
    print_blob=False,
)

# --- hostile values --------------------------------------------------------------------------------

ODD_TEXT = [
    *("", " ", "\x00", "a\x00b", "\x01\u202e", "\x1b[31m", "\x7f\x85\u0090", "a\r\nb\rc", "\t", "\u2028"),
    *("²", "١٢", "-1", "0", "007", "1.5", "1e309", "NaN", "-0", "+1", " 1"),
    *(str(MAX_ID + 1), str(2**63), "9" * 30, "9" * 5000, "x" * 300, "x" * 20_000),
    *("0001-01-01", "9999-12-31", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "1899-12-31T23:59:59Z"),
    *("2200-01-01T00:00:00Z", "2026-02-30T25:61:00Z", "2026-12-03T09:00:00", "2026-12-03T09:00:00+99:00"),
    *("2026-13-01", "24:00", "23:59:60", "99:99", "-01:00"),
    *(
        "Europe/Nowhere",
        "../../etc/passwd",
        "Etc/GMT+14",
        "Pacific/Kiritimati",
        "UTC",
        "posixrules",
        "America/St_Johns",
    ),
    *("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{7*7}}", "%00", "%2e%2e%2f", "'; --"),
    *("null", "true", "[]", "{}", "🙂" * 100, "e\u0301" * 200, "\ufeff", "\uffff", "\U0010ffff", "ß" * 50, "İ"),
]
"""Text that used to break things, or could: NUL, controls, numbers "²" and past any column,
instants past 1900-2200 and malformed ones, zones that are not, markup, odd Unicode."""

MAX_QUERY_VALUE = 1000
"""Longer than any text a parameter may hold, short enough for some thirty of them to fit the
64 KiB a URL may have on the way."""

JSON_ONLY_TEXT = ["\ud800", "a\udfffb", "\ud83d"]
"""Lone surrogates: JSON can carry them (escaped), UTF-8 forms and URLs cannot."""


def _instant(value: datetime) -> str:
    return value.isoformat()


texts = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.timezones()).map(_instant),
    st.dates().map(lambda day: day.isoformat()),
    st.timezones().map(str),
)
"""A hostile text value for a query parameter, a form field or a path."""


def _deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
    st.sampled_from(JSON_ONLY_TEXT),
)
json_values = st.one_of(
    st.recursive(
        json_leaves,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
        max_leaves=12,
    ),
    st.integers(min_value=20, max_value=80).map(_deep),
)
"""A hostile JSON value: any type where another is expected, deep, huge, surrogates."""


def as_json(value: Any) -> bytes:
    """JSON with every non-ASCII character escaped (so lone surrogates travel too)."""
    return json.dumps(value, ensure_ascii=True).encode()


# --- what there is to attack -----------------------------------------------------------------------


@dataclass(repr=False)
class Target:
    """One route and what it reads: path parameters, query parameters, form or JSON fields."""

    method: str
    path: str  # a route's path, with {name} or {name:convertor}
    ids: frozenset[str] = frozenset()  # path parameters that are row ids
    query: set[str] = field(default_factory=set)
    fields: dict[str, list[str]] = field(default_factory=dict)  # form field -> values seen on the page
    schema: dict[str, Any] | None = None  # JSON body, resolved from the OpenAPI document

    @property
    def is_api(self) -> bool:
        return self.path.startswith(API_PREFIX + "/")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    __repr__ = __str__


@cache
def routes() -> list[Route]:
    """Every route of the app the installed parts' manifests compose (tierslieu.app)."""
    app = create_app_for_routes()
    return [route for route in app_routes(app.routes) if not LEFT_OUT.search(route.path)]


def create_app_for_routes():
    from tests.conftest import make_settings

    return create_app(make_settings(), init_database=False)


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def api_targets() -> dict[tuple[str, str], Target]:
    """The API operations, their query parameters and their bodies, from the OpenAPI document."""
    app = create_app_for_routes()
    document = build_document(mounted_api_routes(app.routes), "http://testserver")
    components = document["components"]["schemas"]
    found: dict[tuple[str, str], Target] = {}
    for route in app_routes(app.routes):
        if not route.path.startswith(API_PREFIX + "/") or LEFT_OUT.search(route.path):
            continue
        template = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path.removeprefix(API_PREFIX))
        for method in sorted((route.methods or set()) - {"HEAD"}):
            item = document["paths"].get(template, {}).get(method.lower())
            if item is None:
                continue
            target = Target(method, route.path, ids=_ids(route))
            for parameter in item.get("parameters", []):
                if parameter["in"] == "query":
                    target.query.add(parameter["name"])
            body = item.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body is not None:
                target.schema = {"root": _resolve(body, components), "components": components}
            found[(method, route.path)] = target
    return found


def _ids(route: Route) -> frozenset[str]:
    return frozenset(name for name, convertor in route.param_convertors.items() if isinstance(convertor, IdConvertor))


class _Page(HTMLParser):
    """Forms (action, method, fields with the values the page offers) and links with a query."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, list[str]]]] = []
        self.links: list[str] = []
        self._form: dict[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = {}
            self.forms.append((named.get("action", ""), named.get("method", "get").upper(), self._form))
        elif tag in ("input", "select", "textarea", "button") and self._form is not None and named.get("name"):
            self._form.setdefault(named["name"], []).append(named.get("value", ""))
        elif tag == "option" and self._form is not None and self._form:
            last = next(reversed(self._form))
            self._form[last].append(named.get("value", ""))
        elif tag == "a" and "?" in named.get("href", ""):
            self.links.append(named["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def discover(targets: dict[tuple[str, str], Target], all_routes: list[Route], page_path: str, html: str) -> None:
    """What a rendered page offers: its forms' fields and its links' query parameters, added to
    the route each one goes to."""
    page = _Page()
    page.feed(html)
    wanted = [(action or page_path, method, fields) for action, method, fields in page.forms]
    wanted += [(link, "GET", {}) for link in page.links]
    for address, method, fields in wanted:
        parts = urlsplit(urljoin(page_path, address))
        if parts.netloc or not parts.path.startswith("/"):
            continue
        for route in all_routes:
            if method in (route.methods or ()) and route.path_regex.match(parts.path):
                target = targets.setdefault((method, route.path), Target(method, route.path, ids=_ids(route)))
                if method == "GET":
                    target.query.update(name for name, _ in parse_qsl(parts.query, keep_blank_values=True))
                    target.query.update(name for name in fields if name != "csrf_token")
                else:
                    for name, values in fields.items():
                        if name != "csrf_token":
                            target.fields.setdefault(name, []).extend(value for value in values if value)
                break


# --- the world the attacks run in ------------------------------------------------------------------


@dataclass
class World:
    base_url: str
    ids: dict[str, str]  # path parameter -> a value naming a real row
    cookies: dict[str, dict[str, str]]  # person -> cookies of a signed-in browser
    tokens: dict[str, dict[str, str]]  # person -> bearer header


async def make_world(client: httpx.AsyncClient, base_url: str, settings: Any) -> World:
    member = await make_user()
    staff = await make_user(roles=(Role.ADMIN, Role.SPACE_MANAGER, Role.FACILITATOR, Role.MODERATOR, Role.COORDINATOR))
    target = await make_user()  # whom the staff's hostile admin forms aim at, not a signed-in one
    room = await make_room()
    monday = next_monday()
    booking = await bookings.create_booking(member, room.id, at(monday, "10:00"), at(monday, "11:00"), "Réunion")
    event = await make_event(staff)
    draft = await make_event(staff, status="draft")
    topic = await make_topic(member)
    reply = await make_reply(topic, target)
    category = await topic.category
    badge_class = await make_badge_class()
    award = await badges.award_badge(badge_class.creator, badge_class.id, AwardCreate(user_id=member.id))  # type: ignore[attr-defined]
    hours = await make_helpdesk_hours()
    appointment = await helpdesk.book_appointment(
        member,
        AppointmentCreate(
            helper_id=hours.helper_id,
            slot_starts_at=helpdesk_at(upcoming("wed"), "14:00"),
            topic="python",
            need="Aide",
            format="online",
        ),
    )
    _, _, mentoring_request = await make_relationship(mentee=member)
    ids = {
        "request_id": str(mentoring_request.id),
        "appointment_id": str(appointment.id),
        "hours_id": str(hours.id),
        "badge_class_id": str(badge_class.id),
        "award_id": str(award.id),
        "user_id": str(target.id),
        "room_id": str(room.id),
        "booking_id": str(booking.id),
        "event_id": str(event.id),
        "draft_id": str(draft.id),
        "topic_id": str(topic.id),
        "post_id": str(reply.id),
        "category_id": str(category.id),
        "notification_id": "1",
        "token_id": "1",
        "slug": category.slug,
        "locale": "fr",
        "token": accounts.calendar_token(member, SECRET_KEY),
    }
    cookies: dict[str, dict[str, str]] = {"anonymous": {}}
    for name, person in (("member", member), ("staff", staff)):
        client.cookies.clear()
        await login(client, person.email)
        cookies[name] = dict(client.cookies)
    client.cookies.clear()
    tokens = {"anonymous": {}, "member": await api_token(client, member.email)}
    tokens["staff"] = await api_token(client, staff.email)
    return World(base_url, ids, cookies, tokens)


def fill(path: str, values: dict[str, str]) -> str:
    """A route's path with its parameters given (a name not in ``values``: "1")."""
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda match: values.get(match.group(1), "1"), path)


class Browser:
    """A person's keep-alive connections to the running server: one for the pages (cookies
    and CSRF token, as a browser), one for the API (the bearer token, as a script)."""

    def __init__(self, world: World, who: str) -> None:
        self.who = who
        self.http = httpx.Client(base_url=world.base_url, cookies=world.cookies[who], timeout=60)
        self.api = httpx.Client(base_url=world.base_url, headers=world.tokens[who], timeout=60)
        self.origin = world.base_url
        self.csrf = ""
        for page in ("/me", "/password/forgot"):
            self.csrf = self.csrf or inputs(self.http.get(page).text).get("csrf_token", "")

    def send(self, target: Target, path: str, query: dict[str, str], body: Any) -> tuple[httpx.Response, httpx.Client]:
        headers = {"Origin": self.origin}
        if target.is_api:
            content = as_json(body) if target.method not in ("GET", "DELETE") and body is not None else None
            if content is not None:
                headers["Content-Type"] = "application/json"
            response = self.api.request(target.method, path, params=query, content=content, headers=headers)
            return response, self.api
        data = {**(body or {}), "csrf_token": self.csrf} if target.method != "GET" else None
        return self.http.request(target.method, path, params=query, data=data, headers=headers), self.http

    def close(self) -> None:
        self.http.close()
        self.api.close()


# --- drawing requests ------------------------------------------------------------------------------


def path_values(target: Target, world: World) -> st.SearchStrategy[dict[str, str]]:
    names = re.findall(r"\{(\w+)", target.path)
    return st.fixed_dictionaries(
        {
            name: st.one_of(
                st.just(world.ids.get(name, "1")),
                texts.map(lambda text: quote(text[:200], safe="") or "x"),
            )
            for name in names
        }
    )


def plausible(schema: dict[str, Any], components: dict[str, Any], world: World, depth: int = 0) -> st.SearchStrategy:
    """A value of the schema's type, often at its edges, sometimes hostile."""
    schema = _resolve(schema, components)
    if depth > 4:
        return json_leaves
    if "anyOf" in schema or "oneOf" in schema:
        return st.one_of(
            [plausible(item, components, world, depth + 1) for item in schema.get("anyOf", schema.get("oneOf"))]
        )
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "const" in schema:
        return st.just(schema["const"])
    kind = schema.get("type")
    if kind == "integer":
        low, high = schema.get("minimum", -(2**40)), schema.get("maximum", 2**40)
        ids = [int(value) for value in world.ids.values() if value.isdigit()]
        return st.one_of(st.sampled_from(ids), st.integers(min_value=low, max_value=high), st.sampled_from([low, high]))
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        items = plausible(schema.get("items", {}), components, world, depth + 1)
        return st.lists(items, max_size=min(schema.get("maxItems", 3), 3))
    if kind == "object":
        properties = schema.get("properties", {})
        if not properties:
            return st.dictionaries(st.sampled_from(["mon", "tue", "x"]), json_values, max_size=2)
        return st.fixed_dictionaries(
            {},
            optional={
                name: plausible(item, components, world, depth + 1) | json_leaves for name, item in properties.items()
            },
        )
    if kind == "string":
        if schema.get("format") == "date-time":
            return st.datetimes(
                min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30), timezones=st.timezones()
            ).map(_instant)
        if schema.get("format") == "date":
            return st.dates().map(lambda day: day.isoformat())
        length = schema.get("maxLength", 200)
        return st.one_of(
            st.text(max_size=min(length, 60)),
            st.sampled_from(["Europe/Paris", "Pacific/Kiritimati", "Etc/GMT+12", "09:00", "mon", "python", "fr"]),
            st.sampled_from(ODD_TEXT),
            st.just("é" * length),
        )
    return json_leaves


ZONES = ["Europe/Paris", "Pacific/Kiritimati", "America/St_Johns", "Asia/Kathmandu", "Africa/Dakar", "Etc/GMT+12"]
ACCEPTED_TEXT = [
    "Atelier\x01 \x1b[31mrouge\x7f fin",  # controls, cleaned on the way in
    "Réunion 🙂 e\u0301te\u0301 \u202eenver\u202c",
    "<script>alert(1)</script> & \"quotes\" 'x'",
    "Ligne un\r\nligne deux\tavec tabulation",
    "דוגמה עברית ومثال عربي",
    "{{7*7}} ${7*7} %(name)s",
]
"""Text a form accepts that holds what could break a page, a feed or a mail."""


def acceptable(name: str, schema: dict[str, Any], components: dict[str, Any], world: World, depth: int = 0) -> Any:
    """A value the schema's type usually accepts, holding hostile text, dates and zones: the
    instants of one body fall on one day (``…ends…`` later than the others), in a few zones."""
    schema = _resolve(schema, components)
    if "anyOf" in schema:
        choices = [item for item in schema["anyOf"] if _resolve(item, components).get("type") != "null"]
        return acceptable(name, choices[0] if choices else {}, components, world, depth + 1)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "integer":
        low, high = schema.get("minimum", 1), schema.get("maximum", 2**31 - 1)
        ids = [int(value) for value in world.ids.values() if value.isdigit() and low <= int(value) <= high]
        if ids and name.endswith("_id"):
            return st.sampled_from(ids)
        return st.one_of(st.just(low), st.integers(min_value=low, max_value=min(high, low + 20)))
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        items = schema.get("items", {})
        return st.lists(
            acceptable(name, items, components, world, depth + 1), max_size=min(schema.get("maxItems", 2), 2)
        )
    if kind == "object" and depth < 3:
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {
                key: acceptable(key, item, components, world, depth + 1)
                for key, item in properties.items()
                if key in required
            },
            optional={
                key: acceptable(key, item, components, world, depth + 1)
                for key, item in properties.items()
                if key not in required
            },
        )
    if kind == "string":
        if schema.get("format") == "date-time":
            day = st.shared(st.integers(min_value=9, max_value=80), key="day")
            hour = st.integers(min_value=12, max_value=14) if "end" in name else st.integers(min_value=9, max_value=10)
            zone = st.shared(st.sampled_from(ZONES), key="zone")
            return st.builds(_local_instant, day, hour, zone)
        if schema.get("format") == "date":
            return st.shared(st.integers(min_value=9, max_value=80), key="day").map(
                lambda days: (datetime.now(UTC) + timedelta(days=days)).date().isoformat()
            )
        if "zone" in name:
            return st.shared(st.sampled_from(ZONES), key="zone")
        if "url" in name:
            return st.just("https://visio.example.org/salle?x=1&y=<2>")
        low, high = schema.get("minLength", 0), schema.get("maxLength", 200)
        if high <= 5:  # a wall-clock time
            return st.just("11:00" if "end" in name else "09:00")
        return st.sampled_from(ACCEPTED_TEXT).map(lambda text: (text * 3)[:high].ljust(low, "x"))
    return st.none()


def _local_instant(days: int, hour: int, zone: str) -> str:
    moment = (datetime.now(UTC) + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return moment.astimezone(ZoneInfo(zone)).isoformat()


def request_for(target: Target, world: World) -> st.SearchStrategy[tuple[str, dict[str, str], Any]]:
    """(path, query, body) of one request to ``target``."""
    bounded = texts.map(lambda text: text[:MAX_QUERY_VALUE])
    query = st.fixed_dictionaries({}, optional={name: bounded for name in sorted(target.query)})
    if target.schema is not None:
        root, components = target.schema["root"], target.schema["components"]
        body: st.SearchStrategy = st.one_of(plausible(root, components, world), json_values)
    elif target.fields:
        body = st.fixed_dictionaries(
            {},
            optional={
                name: st.one_of(st.sampled_from(values), texts) if values else texts
                for name, values in sorted(target.fields.items())
            },
        )
    else:
        body = st.none()
    return st.tuples(path_values(target, world).map(lambda values: fill(target.path, values)), query, body)


def explicit(target: Target, world: World, number: int) -> Iterator[tuple[str, tuple[str, dict[str, str], Any]]]:
    """Examples that put one of the known odd values in every parameter and field at once, a
    different one for each target and person, so that every value of :data:`ODD_TEXT` is sent
    in every run whatever the budget."""
    path = fill(target.path, world.ids)
    for offset, who in enumerate(PEOPLE):
        value = ODD_TEXT[(number * len(PEOPLE) + offset) % len(ODD_TEXT)]
        query = dict.fromkeys(sorted(target.query), value[:MAX_QUERY_VALUE])
        if target.schema is not None:
            body: Any = dict.fromkeys(target.schema["root"].get("properties", {}), value)
        else:
            body = dict.fromkeys(target.fields, value) if target.fields else None
        yield who, (path, query, body)


def attack(target: Target, number: int, world: World, browsers: dict[str, Browser], failures: list[str]) -> None:
    @HYPOTHESIS
    @given(who=st.sampled_from(PEOPLE), request=request_for(target, world))
    def run(who: str, request: tuple[str, dict[str, str], Any]) -> None:
        path, query, body = request
        response, connection = browsers[who].send(target, path, query, body)
        what = f"{who} {target.method} {path} query={query!r:.300} body={body!r:.300}"
        assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"
        # the same keep-alive connection still answers
        assert connection.get("/healthz").status_code == 200, f"{what}: the connection broke"

    for who, request in explicit(target, world, number):
        run = example(who=who, request=request)(run)
    try:
        run()
    except AssertionError as error:
        failures.append(str(error).splitlines()[0])


def all_targets(world: World, browsers: dict[str, Browser]) -> list[Target]:
    """The API's operations, every HTML route, and what the pages rendered for each person offer."""
    every_route = routes()
    targets = api_targets()
    for route in every_route:
        if route.path.startswith(API_PREFIX + "/"):
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            targets.setdefault((method, route.path), Target(method, route.path, ids=_ids(route)))
    pages = [route for route in every_route if "GET" in (route.methods or ()) and not route.path.startswith("/api")]
    for browser in browsers.values():
        for route in pages:
            path = fill(route.path, world.ids)
            response = browser.http.get(path)
            if response.headers.get("content-type", "").startswith("text/html"):
                discover(targets, every_route, path, response.text)
    # a route may read a parameter that no page links to: every GET is asked all of them
    names = set().union(*(target.query for target in targets.values()))
    for target in targets.values():
        if target.method == "GET":
            target.query |= names
    return sorted(targets.values(), key=str)


# --- the tests -------------------------------------------------------------------------------------


@pytest.fixture
async def world(client: httpx.AsyncClient, live_server: str, settings) -> World:
    return await make_world(client, live_server, settings)


def _attack_everything(world: World) -> tuple[list[Target], list[str]]:
    browsers = {who: Browser(world, who) for who in PEOPLE}
    try:
        targets = all_targets(world, browsers)
        failures: list[str] = []
        for number, target in enumerate(targets):
            attack(target, number, world, browsers, failures)
        if os.environ.get("TIERSLIEU_HOSTILE_REPORT"):
            for target in targets:
                print(target, sorted(target.query), sorted(target.fields), bool(target.schema))
        return targets, failures
    finally:
        for browser in browsers.values():
            browser.close()


async def test_no_hostile_value_anywhere_is_a_server_error(world: World) -> None:
    targets, failures = await asyncio.to_thread(_attack_everything, world)
    assert not failures, "\n".join(failures)
    # the routes, forms and API bodies really were found
    assert len(targets) > 100
    assert sum(1 for target in targets if target.schema is not None) > 20
    assert sum(1 for target in targets if target.fields) > 20
    assert len(set().union(*(target.query for target in targets))) > 20


# --- accepted writes never break what shows them ---------------------------------------------------


def crawl_paths(world: World, extra: dict[str, str]) -> list[str]:
    """Every GET route (pages, feeds, API), its parameters naming real rows."""
    values = {**world.ids, **extra}
    return sorted(
        {fill(route.path, values) for route in routes() if "GET" in (route.methods or ()) and route.path != "/"} | {"/"}
    )


class Writes(RuleBasedStateMachine):
    """Accepted API writes with plausible bodies holding hostile text, dates and zones; after
    each, every GET that answered 2xx before (as the writer and anonymously) still does."""

    world: World
    writes: list[Target]
    baseline: dict[tuple[str, str], int]
    accepted: ClassVar[list[str]] = []

    def __init__(self) -> None:
        super().__init__()
        self.browsers = {who: Browser(self.world, who) for who in PEOPLE}
        self.created: dict[str, str] = {}
        self.shown: list[str] = []
        self.dirty = False

    @rule(data=st.data())
    def write(self, data: st.DataObject) -> None:
        target = data.draw(st.sampled_from(self.writes))
        who = data.draw(st.sampled_from(("staff", "staff", "member")))  # staff may write nearly everything
        root, components = target.schema["root"], target.schema["components"]  # type: ignore[index]
        body = data.draw(acceptable("", root, components, self.world))
        path = fill(target.path, {**self.world.ids, **self.created})
        response, _ = self.browsers[who].send(target, path, {}, body)
        assert response.status_code < 500, f"{who} {target} {body!r:.300}: {response.text[:300]}"
        if os.environ.get("TIERSLIEU_HOSTILE_REPORT") and response.status_code >= 300:
            print("refused:", who, target, response.status_code, response.text[:300])
        if response.status_code < 300 and response.headers.get("content-type", "").startswith("application/json"):
            answer = response.json()
            self.dirty = True
            Writes.accepted.append(f"{who} {target}")
            if isinstance(answer, dict):
                for key in ("url", "ics_url", "assertion_url"):
                    if isinstance(answer.get(key), str):
                        self.shown.append(urlsplit(answer[key]).path)
                if isinstance(answer.get("id"), int):
                    name = re.sub(r"s$", "", target.path.rstrip("/").rsplit("/", 1)[-1]) + "_id"
                    self.created[name] = str(answer["id"])

    @invariant()
    def pages_still_answer(self) -> None:
        if not self.dirty:
            return
        self.dirty = False
        for path in self.shown:
            response = self.browsers["staff"].http.get(path, follow_redirects=True)
            assert response.status_code < 300, f"{path}, which shows a write: {response.status_code}"
        for who in ("anonymous", "staff"):
            for path in crawl_paths(self.world, self.created):
                status = self.browsers[who].http.get(path).status_code
                before = self.baseline.get((who, path))
                assert status < 500, f"{who} GET {path}: {status} after a write"
                assert before is None or before >= 300 or status < 300, f"{who} GET {path}: {before} then {status}"

    def teardown(self) -> None:
        for browser in self.browsers.values():
            browser.close()


def _run_writes(world: World) -> None:
    api = api_targets()
    writes = [target for target in api.values() if target.method in ("POST", "PUT", "PATCH") and target.schema]
    writes = [target for target in writes if not re.search(r"/auth/|/tokens", target.path)]
    baseline: dict[tuple[str, str], int] = {}
    browsers = {who: Browser(world, who) for who in ("anonymous", "staff")}
    for who, browser in browsers.items():
        for path in crawl_paths(world, {}):
            baseline[(who, path)] = browser.http.get(path).status_code
        browser.close()
    Writes.world, Writes.writes, Writes.baseline, Writes.accepted = world, writes, baseline, []
    run_state_machine_as_test(
        Writes, settings=settings(HYPOTHESIS, max_examples=max(EXAMPLES // 2, 2), stateful_step_count=STEPS)
    )
    if os.environ.get("TIERSLIEU_HOSTILE_REPORT"):
        print("accepted writes:", *Writes.accepted, sep="\n  ")
    # the writes were checked, not only tried: plausible bodies are accepted often enough
    assert Writes.accepted, "no write was accepted"


async def test_accepted_writes_never_break_what_shows_them(world: World) -> None:
    await asyncio.to_thread(_run_writes, world)


# --- the precise cases this grew from --------------------------------------------------------------

BAD_IDS = [str(MAX_ID + 1), "99999999999", "99999999999999999999", "0", "-1", "²", "١٢", "007"]


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


FORGED_CURSORS = [
    _cursor(json.dumps(["2030-01-01T00:00:00+00:00", 99999999999])),  # an event cursor
    _cursor(json.dumps(["2030-01-01T00:00:00", 1])),
    _cursor("2030-01-01T00:00:00+00:00|99999999999"),  # a topic cursor
    _cursor("2030-01-01T00:00:00+00:00|²"),
    _cursor(json.dumps(["0001-01-01T00:00:00+01:00", 1])),  # instants past the range
    _cursor("9999-12-31T23:59:59-05:00|1"),
]


def _id_routes(app) -> Iterator[Route]:
    return (route for route in app_routes(app.routes) if "GET" in (route.methods or ()) and _ids(route))


def test_every_integer_in_a_route_path_is_an_id_convertor(app) -> None:
    # the parts build their routes at import: tierslieu/__init__.py must register it first
    found = list(app_routes(app.routes))
    assert any(_ids(route) for route in found)
    for route in found:
        for name, convertor in route.param_convertors.items():
            assert type(convertor).__name__ != "IntegerConvertor", f"{route.path}: {name}"


def test_the_id_convertor_matches_exactly_the_ids_a_row_can_have() -> None:
    pattern = re.compile(f"^{IdConvertor.regex}$")
    for number in [1, 9, 10, 99, 1_000_000_000, 1_999_999_999, 2_099_999_999, MAX_ID - 1, MAX_ID]:
        assert pattern.match(str(number)) and IdConvertor().convert(str(number)) == number
    for text in [*BAD_IDS, str(MAX_ID + 10), "3000000000", "10000000000", "", "1.5", "1e3", " 1"]:
        assert not pattern.match(text), text
    assert IdConvertor().to_string(MAX_ID) == str(MAX_ID) and IdConvertor().to_string(0) == "0"
    for number in (MAX_ID + 1, -1):
        with pytest.raises(AssertionError):
            IdConvertor().to_string(number)


async def test_an_id_the_database_cannot_hold_in_a_path_is_a_404(app, client) -> None:
    member = await make_user()
    await login(client, member.email)
    id_routes = list(_id_routes(app))
    assert len(id_routes) > 20
    for route in id_routes:
        for name in _ids(route):
            for bad in BAD_IDS:
                path = fill(route.path, {name: bad})
                response = await client.get(path)
                assert response.status_code == 404, f"GET {path}: {response.status_code} {response.text[:300]}"
    # the API's 404 is its JSON error body, the pages' an HTML page
    response = await client.get(f"/api/v1/forum/topics/{MAX_ID + 1}")
    assert response.json()["error"]["code"] == "not_found"
    response = await client.get(f"/forum/t/{MAX_ID + 1}")
    assert response.headers["content-type"].startswith("text/html")


async def test_a_page_with_odd_numbers_in_its_query_is_the_normal_page(client) -> None:
    member = await make_user()
    topic = await make_topic(member)
    await login(client, member.email)
    for bad in ["²", "-1", "99999999999999999999", "\x00", "x" * 300, "\x01\u202e"]:
        for path, params in [
            (f"/forum/t/{topic.id}", {"page": bad, "quote": bad}),
            (f"/forum/t/{topic.id}/after", {"after": bad}),
            ("/forum", {"page": bad}),
            ("/notifications", {"page": bad}),
        ]:
            response = await client.get(path, params=params)
            assert response.status_code == 200, f"{path} {params}: {response.text[:300]}"


async def test_odd_numbers_and_forged_cursors_in_the_api_query_are_invalid_fields(client) -> None:
    for bad in ["²", "-1", "99999999999999999999", "\x00"]:
        response = await client.get("/api/v1/forum/topics", params={"category_id": bad})
        assert response.status_code == 422, response.text
        assert set(response.json()["error"]["fields"]) == {"category_id"}
    for cursor in FORGED_CURSORS:
        for path in ("/api/v1/forum/topics", "/api/v1/events"):
            response = await client.get(path, params={"cursor": cursor})
            assert response.status_code == 422, f"{path} {cursor}: {response.text}"
            assert set(response.json()["error"]["fields"]) == {"cursor"}
