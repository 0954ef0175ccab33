"""Bad input in a URL is never a 500: every GET route of the app, found by walking
``app.routes``, is asked with ids the database cannot hold in its path and with odd values
in every query parameter the routes read, anonymously, as a member and as an admin.

The values are the ones that used to break: "²" (``str.isdigit()`` accepts it, ``int()``
refuses it), ids past the 32-bit row ids (SQLite OverflowError, PostgreSQL "out of range"),
negative numbers, NUL (PostgreSQL refuses it in text) and forged pagination cursors.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx
import pytest
from starlette.convertors import IntegerConvertor
from starlette.routing import Route

from accounts import services as accounts
from accounts.models import Role
from bookings import services as bookings
from tests.bookings.helpers import at, make_room, next_monday
from tests.conftest import SECRET_KEY
from tests.events.helpers import make_event
from tests.forum.factories import make_reply, make_topic
from tests.helpers import app_routes, login, make_user
from tests.mentoring.helpers import make_relationship
from tierslieu.convertors import IdConvertor
from tierslieu.validation import MAX_ID

BAD_IDS = [str(MAX_ID + 1), "99999999999", "99999999999999999999", "0", "-1", "²", "١٢", "007"]
BAD_VALUES = ["²", "-1", "99999999999999999999", "\x00", "x" * 300, "\x01\u202e", "0001-01-01", "9999-12-31T23:00:00Z"]


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


QUERY_PARAMETERS = [
    *("page", "after", "quote", "session", "category", "category_id", "limit", "cursor", "kind", "status", "tag"),
    *("q", "title", "week", "people", "minutes", "date", "part", "equipment", "start", "end", "from", "to"),
    *("next", "token", "t", "done", "sent", "locale"),
]
"""Every query parameter a route reads (``grep -rn query_params``, plus the fields of the API's
query models)."""

EXTRA_VALUES = {
    "cursor": [
        _cursor(json.dumps(["2030-01-01T00:00:00+00:00", 99999999999])),  # an event cursor
        _cursor(json.dumps(["2030-01-01T00:00:00", 1])),
        _cursor("2030-01-01T00:00:00+00:00|99999999999"),  # a topic cursor
        _cursor("2030-01-01T00:00:00+00:00|²"),
        _cursor(json.dumps(["0001-01-01T00:00:00+01:00", 1])),  # instants past the range
        _cursor("9999-12-31T23:59:59-05:00|1"),
    ],
    "t": ["².unsubscribe.x", "99999999999999.unsubscribe.x"],
    "token": ["99999999999-x"],
}


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """A browser that sees a 500 as the response the app sends, to list all of them in one run
    (the shared ``client`` raises the first error instead)."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def _get_routes(app) -> list[Route]:
    return [route for route in app_routes(app.routes) if "GET" in (route.methods or ())]


def _path(route: Route, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda match: values[match.group(1)], route.path)


def _int_names(route: Route) -> list[str]:
    return [name for name, convertor in route.param_convertors.items() if isinstance(convertor, IntegerConvertor)]


async def _world() -> dict[str, str]:
    """One row of each kind that a path names, so that pages render and read their query."""
    member = await make_user()
    room = await make_room()
    monday = next_monday()
    booking = await bookings.create_booking(member, room.id, at(monday, "10:00"), at(monday, "11:00"), "Réunion")
    event = await make_event()
    topic = await make_topic(member)
    reply = await make_reply(topic, member)
    category = await topic.category
    _, _, mentoring_request = await make_relationship(mentee=member)
    return {
        "request_id": str(mentoring_request.id),
        "email": member.email,
        "user_id": str(member.id),
        "room_id": str(room.id),
        "booking_id": str(booking.id),
        "event_id": str(event.id),
        "topic_id": str(topic.id),
        "post_id": str(reply.id),
        "category_id": str(category.id),
        "notification_id": "1",
        "slug": category.slug,
        "locale": "fr",
        "token": accounts.calendar_token(member, SECRET_KEY),
    }


async def _signed_in(client: httpx.AsyncClient, who: str, world: dict[str, str]) -> None:
    if who == "member":
        await login(client, world["email"])
    elif who == "admin":
        await login(client, (await make_user(roles=(Role.ADMIN,))).email)


def _no_server_error(failures: list[str], response: httpx.Response, what: str) -> None:
    """Collects the 500s, so that one run lists them all."""
    if response.status_code >= 500:
        failures.append(f"{what}: {response.status_code}")


def test_every_integer_in_a_route_path_is_an_id_convertor(app) -> None:
    # the parts build their routes at import: tierslieu/__init__.py must register it first
    routes = list(app_routes(app.routes))
    assert any(_int_names(route) for route in routes)
    for route in routes:
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


@pytest.mark.parametrize("who", ["anonymous", "member", "admin"])
async def test_an_id_the_database_cannot_hold_in_a_path_is_a_404(app, client, who: str) -> None:
    world = await _world()
    await _signed_in(client, who, world)
    routes = [route for route in _get_routes(app) if _int_names(route)]
    assert len(routes) > 20
    for route in routes:
        for name in _int_names(route):
            for bad in BAD_IDS:
                path = _path(route, {**world, name: bad})
                response = await client.get(path)
                assert response.status_code == 404, f"{who} GET {path}: {response.status_code} {response.text[:300]}"
    # the API's 404 is its JSON error body, the pages' an HTML page
    response = await client.get(f"/api/v1/forum/topics/{MAX_ID + 1}")
    assert response.json()["error"]["code"] == "not_found"
    response = await client.get(f"/forum/t/{MAX_ID + 1}")
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("who", ["anonymous", "member", "admin"])
async def test_odd_strings_in_a_path_are_never_a_500(app, client, who: str) -> None:
    world = await _world()
    await _signed_in(client, who, world)
    failures: list[str] = []
    for route in _get_routes(app):
        names = [name for name in route.param_convertors if name not in _int_names(route)]
        for name in names:
            for bad in [*BAD_VALUES, "²-x", "99999999999-x", "99999999999"]:
                path = _path(route, {**world, name: quote(bad, safe="")})
                _no_server_error(failures, await client.get(path), f"{who} GET {path}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("who", ["anonymous", "member", "admin"])
async def test_odd_query_parameters_are_never_a_500(app, client, who: str) -> None:
    world = await _world()
    await _signed_in(client, who, world)
    failures: list[str] = []
    for route in _get_routes(app):
        if route.path.startswith("/static") or route.path in ("/logout",):
            continue
        path = _path(route, world)
        for bad in BAD_VALUES:
            response = await client.get(path, params={name: bad for name in QUERY_PARAMETERS})
            _no_server_error(failures, response, f"{who} GET {path} ?*={bad!r}")
            if response.status_code >= 400:
                # the first odd value may have stopped the route before it read the others
                for name in QUERY_PARAMETERS:
                    response = await client.get(path, params={name: bad})
                    _no_server_error(failures, response, f"{who} GET {path} ?{name}={bad!r}")
        for name, values in EXTRA_VALUES.items():
            for bad in values:
                response = await client.get(path, params={name: bad})
                _no_server_error(failures, response, f"{who} GET {path} ?{name}={bad!r}")
    assert not failures, "\n".join(failures)


async def test_a_page_with_odd_numbers_in_its_query_is_the_normal_page(client) -> None:
    world = await _world()
    await login(client, world["email"])
    for bad in BAD_VALUES:
        for path, params in [
            (f"/forum/t/{world['topic_id']}", {"page": bad, "quote": bad}),
            (f"/forum/t/{world['topic_id']}/after", {"after": bad}),
            ("/forum", {"page": bad}),
            ("/notifications", {"page": bad}),
        ]:
            response = await client.get(path, params=params)
            assert response.status_code == 200, f"{path} {params}: {response.text[:300]}"


async def test_odd_numbers_in_the_api_query_are_invalid_fields(client) -> None:
    for bad in ["²", "-1", "99999999999999999999", "\x00"]:
        response = await client.get("/api/v1/forum/topics", params={"category_id": bad})
        assert response.status_code == 422, response.text
        assert set(response.json()["error"]["fields"]) == {"category_id"}
    for cursor in EXTRA_VALUES["cursor"]:
        for path in ("/api/v1/forum/topics", "/api/v1/events"):
            response = await client.get(path, params={"cursor": cursor})
            assert response.status_code == 422, f"{path} {cursor}: {response.text}"
            assert set(response.json()["error"]["fields"]) == {"cursor"}
