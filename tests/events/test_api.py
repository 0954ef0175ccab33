"""The events API (the contract of API.md) and the permission matrix: anonymous,
member, registrant, facilitator of this event, other facilitator, admin."""

from __future__ import annotations

from datetime import timedelta

from accounts.models import Role
from events.models import Attendance
from tests.bookings.helpers import at, make_room, next_monday, rfc3339
from tests.events.helpers import make_event, make_facilitator, soon
from tests.helpers import api_token, make_user
from tierslieu.realtime import can_read_channel


def event_body(**overrides) -> dict:
    starts = soon()
    body = {
        "title": "Webinaire NSI : les graphes",
        "kind": "webinar",
        "mode": "online",
        "timezone": "Europe/Paris",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "capacity": 2,
        "join_url": "https://visio.example.org/secret-room",
        "sessions": [],
    }
    body.update(overrides)
    return body


async def test_create_event_contract_and_permissions(client) -> None:
    await make_user(email="member@example.org")
    await make_facilitator(email="facilitator@example.org")
    assert (await client.post("/api/v1/events", json=event_body())).status_code == 401
    member = await api_token(client, "member@example.org")
    assert (await client.post("/api/v1/events", json=event_body(), headers=member)).status_code == 403
    facilitator = await api_token(client, "facilitator@example.org")
    response = await client.post("/api/v1/events", json=event_body(), headers=facilitator)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["url"] == f"http://testserver/events/{body['id']}"
    assert body["ics_url"] == f"http://testserver/events/{body['id']}.ics"
    no_offset = event_body(starts_at="2030-01-01T09:00:00")
    refused = await client.post("/api/v1/events", json=no_offset, headers=facilitator)
    assert refused.status_code == 422 and "starts_at" in refused.json()["error"]["fields"]
    backwards = event_body(ends_at=event_body()["starts_at"])
    assert (await client.post("/api/v1/events", json=backwards, headers=facilitator)).status_code == 422
    assert (await client.post("/api/v1/events", content=b"{", headers=facilitator)).status_code == 400
    listed = (await client.get("/api/v1/events")).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]] and listed["next_cursor"] is None


async def test_events_list_is_paginated_and_hides_drafts(client) -> None:
    facilitator = await make_facilitator()
    for day in range(5):
        await make_event(facilitator, starts_at=soon(days=day + 2))
    await make_event(facilitator, status="draft")
    first = (await client.get("/api/v1/events?limit=3")).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    second = (await client.get(f"/api/v1/events?limit=3&cursor={first['next_cursor']}")).json()
    assert len(second["items"]) == 2 and second["next_cursor"] is None
    assert (await client.get("/api/v1/events?cursor=%%%")).status_code == 422


async def test_on_site_sessions_book_rooms_and_a_conflict_is_a_clear_409(client) -> None:
    await make_facilitator(email="facilitator@example.org")
    headers = await api_token(client, "facilitator@example.org")
    room = await make_room()
    day = next_monday()
    starts, ends = at(day, "09:00"), at(day, "17:00")
    body = event_body(
        kind="workshop",
        mode="onsite",
        starts_at=rfc3339(starts),
        ends_at=rfc3339(ends),
        room_id=room.id,
        sessions=[
            {"title": "Atelier A", "starts_at": rfc3339(starts), "ends_at": rfc3339(starts + timedelta(hours=2))},
            {
                "title": "Atelier B",
                "speaker": "Grace",
                "starts_at": rfc3339(starts + timedelta(hours=3)),
                "ends_at": rfc3339(starts + timedelta(hours=5)),
            },
        ],
    )
    created = await client.post("/api/v1/events", json=body, headers=headers)
    assert created.status_code == 201, created.text
    detail = (await client.get(f"/api/v1/events/{created.json()['id']}")).json()
    assert [session["room_id"] for session in detail["sessions"]] == [room.id, room.id]
    clash = await client.post("/api/v1/events", json={**body, "title": "Autre"}, headers=headers)
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "booking_overlap"
    assert len((await client.get("/api/v1/events")).json()["items"]) == 1


async def test_registration_contract(client) -> None:
    event = await make_event(capacity=1)
    for email in ("a@example.org", "b@example.org", "c@example.org"):
        await make_user(email=email)
    path = f"/api/v1/events/{event.id}/registrations"
    assert (await client.post(path)).status_code == 401
    a, b, c = [await api_token(client, f"{x}@example.org") for x in "abc"]
    first = await client.post(path, headers=a)
    assert (first.status_code, first.json()) == (201, {"status": "confirmed", "position": None})
    assert (await client.post(path, headers=a)).status_code == 409
    assert (await client.post(path, headers=b)).json() == {"status": "waitlisted", "position": 1}
    assert (await client.post(path, headers=c)).json() == {"status": "waitlisted", "position": 2}
    assert (await client.delete(f"{path}/me", headers=a)).status_code == 204
    assert (await client.delete(f"{path}/me", headers=a)).status_code == 404
    facilitator = await api_token(client, event.facilitator.email)
    items = (await client.get(path, headers=facilitator)).json()["items"]
    assert [(item["display_name"] != "", item["status"], item["position"]) for item in items] == [
        (True, "confirmed", None),
        (True, "waitlisted", 1),
    ]
    assert (await client.post("/api/v1/events/999/registrations", headers=b)).status_code == 404


async def test_permission_matrix_and_join_link(client) -> None:
    event = await make_event(capacity=1)
    member = await make_user(email="member@example.org")
    registrant = await make_user(email="registrant@example.org")
    waiting = await make_user(email="waiting@example.org")
    await make_facilitator(email="other@example.org")
    await make_user(email="admin@example.org", roles=(Role.ADMIN,))
    tokens = {
        name: await api_token(client, f"{name}@example.org")
        for name in ("member", "registrant", "waiting", "other", "admin")
    }
    tokens["facilitator"] = await api_token(client, event.facilitator.email)
    tokens["anonymous"] = {}
    path = f"/api/v1/events/{event.id}/registrations"
    await client.post(path, headers=tokens["registrant"])
    await client.post(path, headers=tokens["waiting"])

    expected_join = {
        "anonymous": None,
        "member": None,
        "waiting": None,
        "registrant": "https://visio.example.org/room-secret",
        "facilitator": "https://visio.example.org/room-secret",
        "other": None,
        "admin": "https://visio.example.org/room-secret",
    }
    expected_list = {"anonymous": 401, "member": 403, "waiting": 403, "registrant": 403, "other": 403}
    expected_list |= {"facilitator": 200, "admin": 200}
    for name, headers in tokens.items():
        detail = await client.get(f"/api/v1/events/{event.id}", headers=headers)
        assert detail.status_code == 200
        assert detail.json()["join_url"] == expected_join[name], name
        assert (await client.get(path, headers=headers)).status_code == expected_list[name], name
        change = await client.patch(f"/api/v1/events/{event.id}", json={"capacity": 5}, headers=headers)
        assert change.status_code == (expected_list[name] if name != "facilitator" else 200), name
    # drafts are visible to the people running them only
    draft = await make_event(event.facilitator, status="draft")
    for name, status in {"anonymous": 404, "member": 404, "other": 404, "facilitator": 200, "admin": 200}.items():
        assert (await client.get(f"/api/v1/events/{draft.id}", headers=tokens[name])).status_code == status
    assert member.id and registrant.id and waiting.id


async def test_raising_capacity_through_the_api_promotes(client) -> None:
    event = await make_event(capacity=1)
    users = [await make_user() for _ in range(3)]
    tokens = [await api_token(client, user.email) for user in users]
    for headers in tokens:
        await client.post(f"/api/v1/events/{event.id}/registrations", headers=headers)
    facilitator = await api_token(client, event.facilitator.email)
    changed = await client.patch(f"/api/v1/events/{event.id}", json={"capacity": 2}, headers=facilitator)
    assert changed.status_code == 200 and changed.json()["seats_left"] == 0
    statuses = [
        item["status"]
        for item in (await client.get(f"/api/v1/events/{event.id}/registrations", headers=facilitator)).json()["items"]
    ]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    assert (
        await client.patch(f"/api/v1/events/{event.id}", json={"capacity": 1}, headers=facilitator)
    ).status_code == 422


async def test_attendance(client) -> None:
    event = await make_event()
    person = await make_user()
    stranger = await make_user()
    await api_token(client, person.email)
    headers = await api_token(client, person.email)
    await client.post(f"/api/v1/events/{event.id}/registrations", headers=headers)
    facilitator = await api_token(client, event.facilitator.email)
    path = f"/api/v1/events/{event.id}/attendance"
    assert (await client.post(path, json={"user_id": person.id}, headers=headers)).status_code == 403
    done = await client.post(path, json={"user_id": person.id}, headers=facilitator)
    assert done.status_code == 200 and done.json()["user_id"] == person.id
    assert (await client.post(path, json={"user_id": person.id}, headers=facilitator)).status_code == 200
    assert await Attendance.filter(event_id=event.id).count() == 1
    assert (await client.post(path, json={"user_id": stranger.id}, headers=facilitator)).status_code == 422
    assert (
        await client.post(path, json={"user_id": person.id, "session_id": 999}, headers=facilitator)
    ).status_code == 404


async def test_event_channel_is_public() -> None:
    event = await make_event()
    assert await can_read_channel(None, frozenset(), f"event:{event.id}")
    assert not await can_read_channel(None, frozenset(), "event:abc")
    # an id that names no event, or a draft, is not public (tests/shell/test_production.py)
    assert not await can_read_channel(None, frozenset(), f"event:{event.id + 1}")


async def test_openapi_lists_the_events_endpoints(client) -> None:
    paths = (await client.get("/api/v1/openapi.json")).json()["paths"]
    assert {"post", "get"} <= set(paths["/events"])
    assert "delete" in paths["/events/{event_id}/registrations/me"]
    assert {"post", "get"} <= set(paths["/events/{event_id}/registrations"])
    assert "post" in paths["/events/{event_id}/attendance"]


def _last_sunday(year: int, month: int):
    from datetime import date

    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


async def test_weekly_series_keeps_the_wall_clock_across_dst(client) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    await make_facilitator(email="facilitator@example.org")
    headers = await api_token(client, "facilitator@example.org")
    year = datetime.now(UTC).year + 1
    change = _last_sunday(year, 10)
    first = change - timedelta(days=5 + 21)  # a Tuesday, four weeks before the change
    series = {
        "title": "Webinaire du mardi",
        "timezone": "Europe/Paris",
        "first_date": first.isoformat(),
        "start": "18:00",
        "duration_minutes": 90,
        "weeks": 8,
        "capacity": 30,
    }
    response = await client.post("/api/v1/events/series", json=series, headers=headers)
    assert response.status_code == 201, response.text
    items = response.json()["items"]
    assert len(items) == 8
    paris = ZoneInfo("Europe/Paris")
    starts = []
    for item in items:
        detail = (await client.get(f"/api/v1/events/{item['id']}")).json()
        instant = datetime.fromisoformat(detail["starts_at"].replace("Z", "+00:00"))
        assert instant.astimezone(paris).strftime("%a %H:%M") == "Tue 18:00"
        starts.append(instant.hour)
    assert starts[:4] == [16] * 4 and starts[4:] == [17] * 4  # UTC moves, the wall clock does not
    # each occurrence is its own event
    one = await client.patch(f"/api/v1/events/{items[2]['id']}", json={"title": "Séance spéciale"}, headers=headers)
    assert one.status_code == 200
    assert (await client.get(f"/api/v1/events/{items[3]['id']}")).json()["title"] == "Webinaire du mardi"


async def test_local_times_at_dst_changes_are_refused_not_shifted(client) -> None:
    from datetime import UTC, datetime

    await make_facilitator(email="facilitator@example.org")
    headers = await api_token(client, "facilitator@example.org")
    year = datetime.now(UTC).year + 1
    base = {"title": "Nuit", "timezone": "Europe/Paris", "start": "02:30", "duration_minutes": 60, "capacity": 5}
    skipped = await client.post(
        "/api/v1/events/series",
        json={**base, "first_date": (_last_sunday(year, 3) - timedelta(weeks=1)).isoformat(), "weeks": 2},
        headers=headers,
    )
    assert skipped.status_code == 422 and skipped.json()["error"]["code"] == "nonexistent_time"
    twice = await client.post(
        "/api/v1/events/series",
        json={**base, "first_date": _last_sunday(year, 10).isoformat(), "weeks": 1},
        headers=headers,
    )
    assert twice.status_code == 422 and twice.json()["error"]["code"] == "ambiguous_time"
    assert (await client.get("/api/v1/events")).json()["items"] == []  # all or nothing


async def test_events_list_refuses_an_unknown_kind_or_limit_with_422(client) -> None:
    # found by tests/api/test_schemathesis.py: ?kind=<anything> was a 500 (ValueError from the enum)
    await make_event(kind="workshop")
    response = await client.get("/api/v1/events?kind=conference")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid" and "kind" in response.json()["error"]["fields"]
    for limit in ("0", "101", "ten"):
        response = await client.get(f"/api/v1/events?limit={limit}")
        assert response.status_code == 422 and "limit" in response.json()["error"]["fields"], limit
    assert [e["kind"] for e in (await client.get("/api/v1/events?kind=workshop")).json()["items"]] == ["workshop"]
    assert (await client.get("/api/v1/events?kind=webinar")).json()["items"] == []
