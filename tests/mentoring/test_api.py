"""The JSON answers of the actions on a request: each is the request as a GET shows it
right after, to the byte (the services hand back the row they changed, with what its view
needs, instead of the handler loading it again)."""

from __future__ import annotations

import httpx

from accounts.models import Role
from mentoring import services
from mentoring.forms import SessionIn
from tests.helpers import api_token, make_user
from tests.mentoring.helpers import at, make_mentor, next_weekday

# days out of week order, so that a database keeping JSON keys in an order of its own shows
WEEKLY = {"tue": [["18:00", "21:00"]], "mon": [["17:00", "20:00"], ["08:00", "10:00"]], "fri": [["18:00", "21:00"]]}


async def shown_as_by_get(client: httpx.AsyncClient, answer: httpx.Response, path: str, headers: dict) -> dict:
    assert answer.status_code in (200, 201), answer.text
    detail = await client.get(path, headers=headers)
    assert detail.status_code == 200, detail.text
    assert answer.content == detail.content
    return answer.json()


async def ask(client: httpx.AsyncClient, headers: dict) -> int:
    created = await client.post(
        "/api/v1/mentoring/requests",
        json={
            "topic": "CAPES NSI",
            "skills": ["nsi"],
            "goal": "Réussir l'écrit",
            "languages": ["fr"],
            "format": "any",
            "availability": WEEKLY,
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def test_offer_accept_and_close_answer_what_get_shows(client) -> None:
    mentor = await make_mentor(availability=WEEKLY)
    mentee = await make_user()
    as_mentee, as_mentor = await api_token(client, mentee.email), await api_token(client, mentor.email)
    request_id = await ask(client, as_mentee)
    path = f"/api/v1/mentoring/requests/{request_id}"

    offered = await client.post(f"{path}/offer", json={"mentor_id": mentor.id}, headers=as_mentee)
    body = await shown_as_by_get(client, offered, path, as_mentee)
    assert body["status"] == "offered" and body["mentor_id"] == mentor.id and body["contact"] is None

    accepted = await client.post(f"{path}/accept", json={"message": "Avec plaisir"}, headers=as_mentor)
    body = await shown_as_by_get(client, accepted, path, as_mentor)
    assert body["status"] == "active" and body["accepted_at"] is not None
    assert body["contact"] == {"display_name": mentee.display_name, "email": mentee.email}

    day = next_weekday(1)  # a Tuesday evening, inside both weekly times
    await services.schedule_session(
        mentee,
        request_id,
        SessionIn(starts_at=at(day, "18:00"), ends_at=at(day, "19:00"), format="online", link="https://v.example.org"),
    )
    await services.add_goal(mentee, request_id, "Relire le programme")
    closed = await client.post(
        f"{path}/close", json={"outcome": "completed", "rating": 5, "comment": "Merci"}, headers=as_mentee
    )
    body = await shown_as_by_get(client, closed, path, as_mentee)
    assert body["status"] == "completed" and body["closed_at"] is not None
    assert body["contact"]["email"] == mentor.email
    assert [s["status"] for s in body["sessions"]] == ["cancelled"] and len(body["goals"]) == 1


async def test_a_coordinator_closing_gets_both_contacts_view(client) -> None:
    mentor = await make_mentor(availability=WEEKLY)
    mentee = await make_user()
    coordinator = await make_user(roles=(Role.COORDINATOR,))
    as_mentee, as_coordinator = await api_token(client, mentee.email), await api_token(client, coordinator.email)
    request_id = await ask(client, as_mentee)
    path = f"/api/v1/mentoring/requests/{request_id}"
    offered = await client.post(f"{path}/offer", json={"mentor_id": mentor.id}, headers=as_coordinator)
    await shown_as_by_get(client, offered, path, as_coordinator)
    await services.accept(mentor, request_id)
    closed = await client.post(f"{path}/close", json={"outcome": "cancelled", "rating": 3}, headers=as_coordinator)
    body = await shown_as_by_get(client, closed, path, as_coordinator)
    assert body["status"] == "cancelled" and body["contact"]["email"] == mentee.email


async def test_renew_answers_what_get_shows(client) -> None:
    mentee = await make_user()
    as_mentee = await api_token(client, mentee.email)
    request_id = await ask(client, as_mentee)
    path = f"/api/v1/mentoring/requests/{request_id}"
    before = (await client.get(path, headers=as_mentee)).json()
    renewed = await client.post(f"{path}/renew", headers=as_mentee)
    body = await shown_as_by_get(client, renewed, path, as_mentee)
    assert body["expires_at"] > before["expires_at"]


async def test_the_mentor_profile_answer_is_what_get_shows(client) -> None:
    person = await make_user(roles=(Role.MENTOR,))
    headers = await api_token(client, person.email)
    profile = {
        "skills": ["python", "nsi"],
        "languages": ["fr", "wo"],
        "formats": ["online"],
        "max_mentees": 2,
        "bio": "Développeuse",
        "timezone": "Africa/Dakar",
        "availability": WEEKLY,
    }
    for status in (201, 200):
        saved = await client.post("/api/v1/mentoring/mentors", json=profile, headers=headers)
        assert saved.status_code == status, saved.text
        body = await shown_as_by_get(client, saved, "/api/v1/mentoring/mentors/me", headers)
        assert body["status"] == "active" and body["availability"]["mon"] == [["08:00", "10:00"], ["17:00", "20:00"]]
