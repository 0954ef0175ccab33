"""Fuzzing the JSON API with schemathesis, from the OpenAPI document the app serves.

Every operation of ``/api/v1/openapi.json`` is called with generated requests (valid ones,
valid ones aimed at objects that exist, and invalid ones) by four people: anonymous, a
signed-in member, a staff member (space manager, facilitator and moderator) and an admin,
the last two with a second factor, each with a bearer token. Every answer must be no server
error, and its status code, content type, headers and body must be the ones the document
announces. Hypothesis is derandomised: a run is reproducible.

The app runs in a real uvicorn in the test's event loop (it shares the test database);
schemathesis and hypothesis run in a worker thread and call it over HTTP.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Role
from bookings import services as bookings
from events import services as events_services
from mentoring import services as mentoring_services
from mentoring.forms import SessionIn
from tests.bookings.helpers import at, make_room, next_monday, rfc3339
from tests.conftest import make_settings
from tests.events.helpers import make_event, soon
from tests.forum.factories import make_reply, make_topic
from tests.helpers import PASSWORD, api_token, app_routes, make_user
from tests.mentoring.helpers import make_relationship, next_weekday
from tierslieu.app import create_app
from tierslieu.openapi import API_PREFIX, build_document, mounted_api_routes

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_PERSON = 25
PEOPLE = ("anonymous", "member", "staff", "admin")


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation, read from the same builder the endpoint uses."""
    routes = mounted_api_routes(create_app(make_settings(), init_database=False).routes)
    document = build_document(routes, "http://testserver")
    return [(method.upper(), path) for path, item in document["paths"].items() for method in item]


OPERATIONS = _operations()


class World:
    """What exists before a run: people with their tokens, ids for path parameters to aim
    at, and a valid body for the operations whose rules random data rarely satisfies."""

    def __init__(self, people: dict[str, dict[str, str]], ids: dict[str, int], bodies: dict[str, dict]) -> None:
        self.people, self.ids, self.bodies = people, ids, bodies


async def _world(client: httpx.AsyncClient) -> World:
    member = await make_user()
    staff = await make_user(roles=(Role.SPACE_MANAGER, Role.FACILITATOR, Role.MODERATOR))
    admin = await make_user(roles=(Role.ADMIN,))
    room = await make_room()
    event = await make_event(staff)
    topic = await make_topic(member)
    reply = await make_reply(topic)
    starts_at = at(next_monday(), "10:00")
    booking = await bookings.create_booking(member, room.id, starts_at, starts_at + timedelta(hours=1), "Réunion", 2)
    await events_services.register(member, event.id)
    mentor, _, relationship = await make_relationship(mentee=member)
    mentoring_session = await mentoring_services.schedule_session(
        member,
        relationship.id,
        SessionIn(
            starts_at=at(next_weekday(1), "18:00"),
            ends_at=at(next_weekday(1), "19:00"),
            format="online",
            link="https://visio.example.org/a",
        ),
    )
    message = await mentoring_services.post_message(member, relationship.id, "Bonjour")
    headers = {
        "anonymous": {},
        "member": await api_token(client, member.email),
        "staff": await api_token(client, staff.email),
        "admin": await api_token(client, admin.email),
    }
    ids = {
        "room_id": room.id,
        "event_id": event.id,
        "topic_id": topic.id,
        "post_id": reply.id,
        "booking_id": booking.id,
        "user_id": member.id,
        "request_id": relationship.id,
        "session_id": mentoring_session.id,
        "message_id": message.id,
    }
    monday, starts = next_monday(2), soon(days=20)
    bodies = {
        "POST /auth/signup": {"email": "newcomer@example.org", "password": PASSWORD, "display_name": "Newcomer"},
        "POST /auth/tokens": {"email": member.email, "password": PASSWORD},
        "POST /bookings": {
            "room_id": room.id,
            "starts_at": rfc3339(at(monday, "14:00")),
            "ends_at": rfc3339(at(monday, "15:00")),
            "purpose": "Atelier",
        },
        "POST /bookings/series": {
            "room_id": room.id,
            "weekdays": ["tue"],
            "start": "09:00",
            "end": "10:00",
            "first_date": monday.isoformat(),
            "weeks": 3,
            "purpose": "Club",
        },
        "POST /events": {
            "title": "Webinaire",
            "kind": "webinar",
            "mode": "online",
            "timezone": "Europe/Paris",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "capacity": 10,
            "sessions": [
                {
                    "title": "Accueil",
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(hours=1)).isoformat(),
                }
            ],
        },
        "POST /events/series": {
            "title": "Club du mardi",
            "timezone": "Europe/Paris",
            "first_date": monday.isoformat(),
            "start": "18:00",
            "duration_minutes": 60,
            "weeks": 2,
            "capacity": 10,
        },
        "POST /events/{event_id}/attendance": {"user_id": member.id},
        "POST /mentoring/requests": {"topic": "CAPES NSI", "skills": ["nsi"], "languages": ["fr"], "format": "online"},
        "POST /mentoring/mentors": {
            "skills": ["python"],
            "languages": ["fr"],
            "formats": ["online"],
            "max_mentees": 2,
            "bio": "Développeuse",
        },
        "POST /mentoring/requests/{request_id}/offer": {"mentor_id": mentor.id},
        "POST /mentoring/requests/{request_id}/messages": {"body": "Bonjour"},
    }
    return World(headers, ids, bodies)


def _fuzz(base_url: str, method: str, path: str, world: World) -> None:
    schema = schemathesis.openapi.from_url(f"{base_url}{API_PREFIX}/openapi.json")
    operation = schema[path][method]
    known = {name: world.ids[name] for name in world.ids if operation.get_parameter(name, "path") is not None}
    strategies = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    if known:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known))
    body = world.bodies.get(f"{method} {path}")
    if body is not None:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known, body=body))
    with requests.Session() as session:
        for person in PEOPLE:
            try:
                _examples(st.one_of(strategies), base_url + API_PREFIX, session, world.people[person])
            except Exception as error:
                error.add_note(f"as {person}")
                raise


def _examples(strategy: st.SearchStrategy, base_url: str, session: requests.Session, headers: dict[str, str]) -> None:
    @settings(
        max_examples=EXAMPLES_PER_PERSON,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(case=strategy)
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=base_url, session=session, headers=headers, checks=CHECKS)

    run()


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{method} {path}" for method, path in OPERATIONS])
async def test_operation_answers_as_documented(
    method: str, path: str, live_server: str, client: httpx.AsyncClient
) -> None:
    world = await _world(client)
    await asyncio.to_thread(_fuzz, live_server, method, path, world)


def test_every_api_route_is_documented_hence_fuzzed() -> None:
    """The operations above come from the document: an /api/v1 route left out of it would
    be neither described nor fuzzed."""
    app = create_app(make_settings(), init_database=False)
    undocumented = [
        route.path
        for route in app_routes(app.routes)
        if route.path.startswith(API_PREFIX + "/")
        and route.path != API_PREFIX + "/openapi.json"
        and not hasattr(route, "operation")
    ]
    assert undocumented == []
    assert len(OPERATIONS) > 40
