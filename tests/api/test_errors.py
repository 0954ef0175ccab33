"""Regressions found by the schemathesis run (test_schemathesis.py), kept as fast tests of the
shared layer that fixes them: bad input is a documented 4xx with the JSON error body, never a
500, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import pytest

from accounts.models import Role
from tests.bookings.helpers import at, make_room, next_monday, rfc3339
from tests.events.helpers import make_event
from tests.forum.factories import make_reply, make_topic
from tests.helpers import api_token, make_user
from tierslieu.validation import MAX_ID

TOO_BIG = str(MAX_ID + 1)
HUGE = "449124279474364219392"


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()["error"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/rooms/{}"),
        ("GET", "/api/v1/rooms/{}/availability"),
        ("GET", "/api/v1/bookings/{}"),
        ("DELETE", "/api/v1/bookings/{}"),
        ("GET", "/api/v1/events/{}"),
        ("POST", "/api/v1/events/{}/registrations"),
        ("GET", "/api/v1/forum/topics/{}"),
        ("POST", "/api/v1/forum/posts/{}/accept"),
        ("POST", "/api/v1/admin/users/{}/suspend"),
    ],
)
async def test_an_id_past_the_largest_row_id_in_the_path_is_a_404(client, method: str, path: str) -> None:
    admin = await make_user(roles=(Role.ADMIN,))
    headers = await api_token(client, admin.email)
    for ident in (TOO_BIG, HUGE):
        response = await client.request(method, path.format(ident), headers=headers, json={"reason": "x"})
        assert error_of(response, 404)["code"] == "not_found"


async def test_an_id_past_the_largest_row_id_in_a_body_is_an_invalid_field(client) -> None:
    member = await make_user()
    headers = await api_token(client, member.email)
    event = await make_event()
    monday = next_monday()
    booking = {
        "room_id": int(HUGE),
        "starts_at": rfc3339(at(monday, "10:00")),
        "ends_at": rfc3339(at(monday, "11:00")),
        "purpose": "Réunion",
    }
    error = error_of(await client.post("/api/v1/bookings", json=booking, headers=headers), 422)
    assert error["code"] == "invalid" and set(error["fields"]) == {"room_id"}
    topic = {"category_id": MAX_ID + 1, "title": "Une question", "body": "Le texte", "kind": "question", "tags": []}
    error = error_of(await client.post("/api/v1/forum/topics", json=topic, headers=headers), 422)
    assert set(error["fields"]) == {"category_id"}
    facilitator = await api_token(client, event.facilitator.email)
    path = f"/api/v1/events/{event.id}/attendance"
    error = error_of(await client.post(path, json={"user_id": int(HUGE)}, headers=facilitator), 422)
    assert set(error["fields"]) == {"user_id"}


async def test_a_nul_character_in_a_body_is_an_invalid_field_not_a_database_error(client) -> None:
    # PostgreSQL refuses NUL in text ("invalid byte sequence for encoding UTF8: 0x00"): it was a 500
    member = await make_user()
    headers = await api_token(client, member.email)
    topic = await make_topic()
    response = await client.post(f"/api/v1/forum/topics/{topic.id}/posts", json={"body": "a\x00b"}, headers=headers)
    assert error_of(response, 422)["fields"] == {"body": "Cette valeur n'est pas valide."}
    reply = await make_reply(topic, member)
    response = await client.patch(f"/api/v1/forum/posts/{reply.id}", json={"body": "ok\x00"}, headers=headers)
    assert set(error_of(response, 422)["fields"]) == {"body"}
    room = await make_room()
    monday = next_monday()
    booking = {
        "room_id": room.id,
        "starts_at": rfc3339(at(monday, "10:00")),
        "ends_at": rfc3339(at(monday, "11:00")),
        "purpose": "Réunion",
        "extra": ["fine", {"deep\x00key": 1}],
    }
    error = error_of(await client.post("/api/v1/bookings", json=booking, headers=headers), 422)
    assert set(error["fields"]) == {"extra.1.deep\x00key"}
    response = await client.post(f"/api/v1/forum/topics/{topic.id}/posts", json={"body": "propre"}, headers=headers)
    assert response.status_code == 201


async def test_a_nul_character_in_the_people_search_is_refused(client) -> None:
    admin = await make_user(roles=(Role.ADMIN,))
    headers = await api_token(client, admin.email)
    error = error_of(await client.get("/api/v1/admin/users?q=a%00b", headers=headers), 422)
    assert set(error["fields"]) == {"q"}
    found = (await client.get(f"/api/v1/admin/users?q={admin.email}", headers=headers)).json()
    assert [person["id"] for person in found["items"]] == [admin.id] and found["page"] == 1


@pytest.mark.parametrize("page", ["²", "١٢", "-1", "0", "99999999999999999999"])
async def test_a_page_that_is_not_a_plain_number_is_the_first_page(client, page: str) -> None:
    # "²".isdigit() is True, and int("²") raised: a 500
    topic = await make_topic()
    response = await client.get(f"/api/v1/forum/topics/{topic.id}", params={"page": page})
    assert response.status_code == 200 and response.json()["page"] == 1


async def test_the_document_announces_404_on_ids_and_the_headers_of_401_and_429(client) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"]["type"] == "integer":
                    assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": MAX_ID}
                    assert "404" in operation["responses"], f"{method} {path}"
            for status, response in operation["responses"].items():
                if status == "401":
                    assert response["headers"]["WWW-Authenticate"]["required"] is True
                if status == "429":
                    assert response["headers"]["Retry-After"]["schema"]["type"] == "integer"
    for path in ("/auth/signup", "/auth/tokens"):
        assert "429" in document["paths"][path]["post"]["responses"]
    booking = document["components"]["schemas"]["BookingCreate"]["properties"]["room_id"]
    assert booking["maximum"] == MAX_ID and booking["minimum"] == 1
