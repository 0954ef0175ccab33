"""The help desk's JSON API: the race through a real server, the permission matrix, the
privacy of the need, and clear messages for bad input."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from helpdesk.models import Appointment, Status
from tests.helpdesk.helpers import at, make_coordinator, make_helper, make_hours, upcoming
from tests.helpers import PASSWORD, api_token, make_user

PEOPLE = 30


def body(hours, day, hhmm="14:00", **overrides) -> dict:
    values = {
        "helper_id": hours.helper_id,
        "slot_starts_at": at(day, hhmm).isoformat(),
        "topic": "python",
        "need": "Je voudrais démarrer Python.",
        "format": "online",
    }
    values.update(overrides)
    return values


async def test_thirty_people_book_the_same_slot_at_once_exactly_one_wins(live_server: str) -> None:
    hours = await make_hours()
    day = upcoming("wed")
    async with httpx.AsyncClient(base_url=live_server, timeout=120) as http:
        tokens = []
        for number in range(PEOPLE):
            person = await make_user(email=f"racer{number}@example.org")
            response = await http.post("/api/v1/auth/tokens", json={"email": person.email, "password": PASSWORD})
            assert response.status_code == 201, response.text
            tokens.append({"Authorization": f"Bearer {response.json()['token']}", "Accept-Language": "en"})

        async def attempt(number: int) -> httpx.Response:
            return await http.post("/api/v1/helpdesk/appointments", json=body(hours, day), headers=tokens[number])

        responses = await asyncio.gather(*(attempt(n) for n in range(PEOPLE)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (PEOPLE - 1), statuses
    for response in responses:
        if response.status_code == 409:
            data = response.json()
            assert data["error"]["code"] == "slot_taken"
            assert "taken" in data["error"]["message"]
            assert [slot["starts_at"] for slot in data["next_slots"]] == [
                at(day, t).isoformat().replace("+00:00", "Z") for t in ("14:30", "15:00", "15:30")
            ] or data["next_slots"][0]["helper_id"] == hours.helper_id
    assert await Appointment.filter(helper_id=hours.helper_id, status=Status.BOOKED).count() == 1


async def test_slots_are_public_and_filtered(client: httpx.AsyncClient) -> None:
    await make_hours()
    await make_hours(topics=["capes"], languages=["wo"], weekday="thu")
    response = await client.get("/api/v1/helpdesk/slots")
    assert response.status_code == 200
    items = response.json()["items"]
    assert {tuple(item["topics"]) for item in items} == {("python", "reseaux"), ("capes",)}
    assert set(items[0]) == {"helper_id", "starts_at", "ends_at", "format", "topics", "languages"}
    python = (await client.get("/api/v1/helpdesk/slots?topic=python&format=online&language=fr")).json()["items"]
    assert python and all("python" in item["topics"] for item in python)
    assert (await client.get("/api/v1/helpdesk/slots?language=wo")).json()["items"][0]["topics"] == ["capes"]
    assert (await client.get("/api/v1/helpdesk/slots?format=onsite")).json()["items"] == []
    odd = await client.get("/api/v1/helpdesk/slots?format=desk", headers={"Accept-Language": "en"})
    assert odd.status_code == 422 and odd.json()["error"]["fields"] == {"format": "Choose onsite or online."}
    bad = await client.get("/api/v1/helpdesk/slots?from=yesterday", headers={"Accept-Language": "en"})
    assert bad.status_code == 422 and "from" in bad.json()["error"]["fields"]


async def test_hours_through_the_api(client: httpx.AsyncClient) -> None:
    helper = await make_helper()
    auth = {**await api_token(client, helper.email), "Accept-Language": "en"}
    hours = {
        "weekday": "wed",
        "starts": "14:00",
        "ends": "18:00",
        "timezone": "Europe/Paris",
        "format": "online",
        "slot_minutes": 30,
        "topics": ["python"],
        "languages": ["fr"],
        "join_url": "https://visio.example.org/a",
    }
    for change, field in (
        ({"slot_minutes": 7}, "slot_minutes"),
        ({"slot_minutes": 125}, "slot_minutes"),
        ({"slot_minutes": 32}, "slot_minutes"),
        ({"topics": ["cuisine"]}, "topics"),
        ({"languages": ["xx"]}, "languages"),
        ({"timezone": "Paris"}, "timezone"),
    ):
        response = await client.post("/api/v1/helpdesk/hours", json={**hours, **change}, headers=auth)
        assert response.status_code == 422, (change, response.text)
        assert field in response.json()["error"]["fields"], response.json()
    onsite = await client.post("/api/v1/helpdesk/hours", json={**hours, "format": "onsite"}, headers=auth)
    assert onsite.status_code == 422 and "room" in onsite.json()["error"]["fields"]["body"].lower()
    created = await client.post("/api/v1/helpdesk/hours", json=hours, headers=auth)
    assert created.status_code == 201, created.text
    assert created.json()["slot_minutes"] == 30 and created.json()["weekday"] == "wed"
    listed = (await client.get(f"/api/v1/helpdesk/hours?helper_id={helper.id}")).json()["items"]
    assert [item["id"] for item in listed] == [created.json()["id"]]
    member = await make_user()
    refused = await client.post("/api/v1/helpdesk/hours", json=hours, headers=await api_token(client, member.email))
    assert refused.status_code == 403
    assert (await client.post("/api/v1/helpdesk/hours", json=hours)).status_code == 401
    gone = await client.delete(f"/api/v1/helpdesk/hours/{created.json()['id']}", headers=auth)
    assert gone.status_code == 204


@pytest.mark.parametrize(
    ("change", "code", "field", "english"),
    [
        ({"hhmm": "14:10"}, "outside_hours", "slot_starts_at", "not a slot"),
        ({"topic": "capes"}, "topic_not_covered", "topic", "does not cover"),
        ({"topic": "cuisine"}, "unknown_skill", "topic", "Unknown skill"),
        ({"need": "   "}, "invalid", "need", "Describe your need"),
        ({"need": ""}, "invalid", "need", "Describe your need"),
        ({"slot_starts_at": "2020-01-01T10:00:00+01:00"}, "slot_past", "slot_starts_at", "in the past"),
        ({"slot_starts_at": "tomorrow"}, "invalid", "slot_starts_at", ""),
        ({"format": "onsite"}, "wrong_format", "format", "online only"),
        ({"helper_id": 99999}, "outside_hours", "slot_starts_at", "not a slot"),
    ],
)
async def test_bad_bookings_get_clear_messages(client: httpx.AsyncClient, change, code, field, english) -> None:
    hours = await make_hours()
    day = upcoming("wed")
    person = await make_user()
    auth = await api_token(client, person.email)
    hhmm = change.pop("hhmm", "14:00")
    for language in ("en", "fr"):
        response = await client.post(
            "/api/v1/helpdesk/appointments",
            json=body(hours, day, hhmm, **change),
            headers={**auth, "Accept-Language": language},
        )
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == code and field in error["fields"]
        if language == "en":
            assert english in error["fields"][field]
            shown = error["fields"][field]
        else:
            assert error["fields"][field] != shown or not english  # translated


async def test_a_third_upcoming_appointment_is_refused(client: httpx.AsyncClient) -> None:
    hours = await make_hours()
    day = upcoming("wed")
    person = await make_user()
    auth = {**await api_token(client, person.email), "Accept-Language": "en"}
    for hhmm in ("14:00", "14:30"):
        assert (
            await client.post("/api/v1/helpdesk/appointments", json=body(hours, day, hhmm), headers=auth)
        ).status_code == 201
    third = await client.post("/api/v1/helpdesk/appointments", json=body(hours, day, "15:00"), headers=auth)
    assert third.status_code == 422
    assert third.json()["error"]["code"] == "too_many_appointments"
    assert "2 upcoming appointments" in third.json()["error"]["message"]


async def test_permission_matrix_and_privacy_of_the_need(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient
) -> None:
    hours = await make_hours()
    day = upcoming("wed")
    person, stranger = await make_user(), await make_user()
    other_helper = await make_helper()
    helper_email = (await hours.helper).email
    coordinator = await make_coordinator()
    auth = {
        "person": await api_token(client, person.email),
        "stranger": await api_token(client, stranger.email),
        "helper": await api_token(client, helper_email),
        "other helper": await api_token(client, other_helper.email),
        "coordinator": await api_token(client, coordinator.email),
    }
    assert (await client.post("/api/v1/helpdesk/appointments", json=body(hours, day))).status_code == 401
    created = await client.post(
        "/api/v1/helpdesk/appointments", json=body(hours, day, need="Ma situation privée"), headers=auth["person"]
    )
    assert created.status_code == 201
    path = f"/api/v1/helpdesk/appointments/{created.json()['id']}"
    # the need: the person, the helper and coordinators only; the join link: not coordinators
    seen = {}
    for who, headers in auth.items():
        response = await client.get(path, headers=headers)
        seen[who] = response.status_code
        if response.status_code == 200:
            assert response.json()["need"] == "Ma situation privée"
            assert (response.json()["join_url"] is None) == (who == "coordinator")
    assert seen == {"person": 200, "stranger": 404, "helper": 200, "other helper": 404, "coordinator": 200}
    assert (await client.get(path)).status_code == 401
    # public slots never carry the need or names
    assert "privée" not in (await client.get("/api/v1/helpdesk/slots")).text
    # moving: the person only
    move = {"slot_starts_at": at(day, "15:00").isoformat()}
    for who, expected in (("stranger", 404), ("other helper", 404), ("helper", 403), ("coordinator", 403)):
        response = await client.post(f"{path}/move", json=move, headers={**auth[who], "Accept-Language": "en"})
        assert response.status_code == expected, (who, response.text)
    moved = await client.post(f"{path}/move", json=move, headers=auth["person"])
    assert moved.status_code == 200 and moved.json()["starts_at"].startswith(
        at(day, "15:00").strftime("%Y-%m-%dT%H:%M")
    )
    # outcome and follow-up: the helper only
    for who, expected in (("person", 403), ("other helper", 404), ("coordinator", 403)):
        response = await client.post(f"{path}/follow-up", json={"follow_up": "x"}, headers=auth[who])
        assert response.status_code == expected, who
    follow = await client.post(
        f"{path}/follow-up", json={"follow_up": "Voir l'atelier de jeudi."}, headers=auth["helper"]
    )
    assert follow.status_code == 200
    assert (await client.get(path, headers=auth["person"])).json()["follow_up"] == "Voir l'atelier de jeudi."
    # cancelling: the person or the helper
    for who, expected in (("stranger", 404), ("other helper", 404), ("coordinator", 403)):
        assert (await client.delete(path, headers=auth[who])).status_code == expected, who
    assert (await client.delete(path, headers=auth["helper"])).status_code == 204
    assert (await client.delete(path, headers=auth["person"])).status_code == 409
    mine = (await client.get("/api/v1/helpdesk/appointments", headers=auth["person"])).json()["items"]
    assert [item["status"] for item in mine] == ["cancelled"]


async def test_openapi_paths(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    for path, method in (
        ("/api/v1/helpdesk/hours", "post"),
        ("/api/v1/helpdesk/slots", "get"),
        ("/api/v1/helpdesk/appointments", "post"),
        ("/api/v1/helpdesk/appointments/{appointment_id}", "delete"),
    ):
        assert method in document["paths"][path.removeprefix("/api/v1")], path
