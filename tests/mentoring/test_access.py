"""The access matrix: every mentoring page and endpoint of a request (and of the coordinators'
queues) tried as an unrelated member, a different mentor and an anonymous visitor: 404 for
the signed-in ones; for the anonymous one, the login page (pages) or 401 (forms and API). Then what the
participants and a coordinator may see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.routing import Route

from accounts.models import Role
from mentoring import services
from mentoring.forms import SessionIn
from tests.helpers import api_token, app_routes, csrf_token, login, make_user
from tests.mentoring.helpers import at, make_mentor, make_relationship, next_weekday

# the pages and endpoints open to every signed-in person (their own data only)
OPEN_TO_MEMBERS = {
    "mentoring:home",
    "mentoring:new_request",
    "mentoring:profile",
    "mentoring:pause",
    "mentoring:api:save_mentor",
    "mentoring:api:my_profile",
    "mentoring:api:create_request",
    "mentoring:api:list_requests",
}
BODIES = {
    "mentoring:api:offer": {"mentor_id": 1},
    "mentoring:api:accept": {"message": "ok"},
    "mentoring:api:decline": {"message": "non"},
    "mentoring:api:report_message": {"reason": "x"},
    "mentoring:api:post_message": {"body": "Bonjour"},
    "mentoring:api:add_goal": {"title": "Un objectif"},
    "mentoring:api:close": {"outcome": "completed", "rating": 4, "comment": ""},
    "mentoring:offer": {"mentor_id": "1"},
    "mentoring:message": {"body": "Bonjour"},
    "mentoring:add_goal": {"title": "Un objectif"},
    "mentoring:goal": {"action": "done"},
    "mentoring:close": {"outcome": "completed", "rating": "4"},
    "mentoring:session_notes": {"notes": "x"},
    "mentoring:private_notes": {"notes": "x"},
}


def mentoring_routes(app) -> list[tuple[str, str, str]]:
    """(name, method, path template) of every mentoring route that names a request or a queue."""
    found = []
    for route in app_routes(app.routes):
        if not isinstance(route, Route) or not (route.name or "").startswith("mentoring:"):
            continue
        if route.name in OPEN_TO_MEMBERS:
            continue
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                found.append((route.name, method, route.path))
    return found


async def world():
    mentor = await make_mentor()
    mentor, mentee, request = await make_relationship(mentor=mentor)
    day = next_weekday(1)
    session = await services.schedule_session(
        mentee,
        request.id,
        SessionIn(starts_at=at(day, "18:00"), ends_at=at(day, "19:00"), format="online", link="https://v.example.org"),
    )
    message = await services.post_message(mentee, request.id, "Bonjour")
    await services.report_message(mentor, request.id, message.id, "test")
    goal = await services.add_goal(mentee, request.id, "Objectif")
    return mentor, mentee, request, session, message, goal


def fill(path: str, request_id: int, session_id: int, message_id: int, goal_id: int, user_id: int) -> str:
    return (
        path.replace("{request_id:int}", str(request_id))
        .replace("{session_id:int}", str(session_id))
        .replace("{message_id:int}", str(message_id))
        .replace("{goal_id:int}", str(goal_id))
        .replace("{user_id:int}", str(user_id))
    )


def session_body() -> dict:
    day = next_weekday(2)
    starts = at(day, "18:00")
    return {
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "format": "online",
        "link": "https://v.example.org",
    }


@pytest.mark.parametrize("who", ["member", "other_mentor", "anonymous"])
async def test_every_mentoring_url_is_hidden_from_outsiders(app, client, who: str) -> None:
    mentor, mentee, request, session, message, goal = await world()
    routes = mentoring_routes(app)
    assert len(routes) >= 35, routes  # every page and endpoint is in the walk
    outsider = None
    if who == "member":
        outsider = await make_user()
    elif who == "other_mentor":
        outsider = await make_mentor()
        await make_relationship(mentor=outsider)  # a mentor with mentees of their own
    headers: dict[str, str] = {}
    if outsider is not None:
        headers = await api_token(client, outsider.email)
        await login(client, outsider.email)
    token = await csrf_token(client, "/password/forgot" if outsider is None else "/mentoring/requests/new")
    failures = []
    for name, method, template in routes:
        path = fill(template, request.id, session.id, message.id, goal.id, mentee.id)
        is_api = path.startswith("/api/")
        body = BODIES.get(name, {})
        if name.endswith("session") or name in ("mentoring:api:schedule_session", "mentoring:api:reschedule_session"):
            body = session_body()
        if name in ("mentoring:session", "mentoring:move_session"):
            body = {
                "day": next_weekday(2).isoformat(),
                "start": "18:00",
                "end": "19:00",
                "format": "online",
                "link": "https://v.example.org",
            }
        if is_api:
            response = await client.request(
                method, path, json=body if method in ("POST", "PUT") else None, headers=headers
            )
        elif method == "GET":
            response = await client.get(path)
        else:
            response = await client.post(path, data={"csrf_token": token, **body})
        if outsider is not None:
            expected = response.status_code == 404
        elif is_api or method == "POST":  # a form sent without a session: 401 (the sign-in page links)
            expected = response.status_code == 401
        else:
            expected = response.status_code == 303 and response.headers["location"].startswith("/login")
        if not expected:
            failures.append((method, path, response.status_code))
    assert not failures, failures
    # nothing changed behind the refusals
    row = await services.get_request(mentee, request.id)
    assert row.status == "active" and row.mentor_id == mentor.id
    assert [m.body for m in await services.messages(mentee, row)] == ["Bonjour"]


async def test_participants_and_coordinators_see_it(client, other_client) -> None:
    mentor, mentee, request, _session, _message, _goal = await world()
    coordinator = await make_user(roles=(Role.COORDINATOR,))
    for person in (mentee, mentor, coordinator):
        headers = await api_token(client, person.email)
        response = await client.get(f"/api/v1/mentoring/requests/{request.id}", headers=headers)
        assert response.status_code == 200, (person.email, response.text)
        contact = response.json()["contact"]
        assert contact is not None
    # the mentor's private notes stay theirs, even for a coordinator
    await services.save_private_notes(mentor, request.id, "Confidentiel")
    await login(client, coordinator.email)
    page = await client.get(f"/mentoring/requests/{request.id}")
    assert page.status_code == 200 and "Confidentiel" not in page.text
    assert (await client.get("/mentoring/reports")).status_code == 200
    await login(other_client, mentor.email)
    page = await other_client.get(f"/mentoring/requests/{request.id}")
    assert "Confidentiel" in page.text and mentee.email in page.text


async def test_contact_details_only_after_acceptance(client) -> None:
    mentor = await make_mentor()
    mentee = await make_user()
    headers = await api_token(client, mentee.email)
    created = await client.post(
        "/api/v1/mentoring/requests",
        json={"topic": "CAPES NSI", "skills": ["nsi"], "goal": "Réussir", "languages": ["fr"], "format": "online"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    offered = await client.post(
        f"/api/v1/mentoring/requests/{request_id}/offer", json={"mentor_id": mentor.id}, headers=headers
    )
    assert offered.status_code == 200 and offered.json()["contact"] is None
    mentor_headers = await api_token(client, mentor.email)
    seen = await client.get(f"/api/v1/mentoring/requests/{request_id}", headers=mentor_headers)
    assert seen.status_code == 200 and seen.json()["contact"] is None and mentee.email not in seen.text
    accepted = await client.post(f"/api/v1/mentoring/requests/{request_id}/accept", headers=mentor_headers)
    assert accepted.status_code == 200 and accepted.json()["contact"]["email"] == mentee.email
    again = await client.post(f"/api/v1/mentoring/requests/{request_id}/accept", headers=mentor_headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_answered"
