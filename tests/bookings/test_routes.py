"""The rooms and bookings API (the contract of API.md), the pages, the feed and the
permission matrix: anonymous, member, owner, space manager."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from accounts.models import Role
from bookings.models import Booking, Status
from tests.bookings.helpers import at, make_room, next_monday, rfc3339
from tests.helpers import api_token, csrf_token, inputs, login, make_user, post_form
from tierslieu import i18n
from tierslieu.realtime import can_read_channel

ROOM = {
    "name": "Salle Ada Lovelace",
    "capacity": 12,
    "timezone": "Europe/Paris",
    "opening_hours": {"mon": [["08:00", "20:00"]], "tue": [["08:00", "20:00"]]},
    "requires_approval": False,
}


async def test_room_creation_permission_matrix(client) -> None:
    await make_user(email="member@example.org")
    await make_user(email="manager@example.org", roles=(Role.SPACE_MANAGER,))
    assert (await client.post("/api/v1/rooms", json=ROOM)).status_code == 401
    member = await api_token(client, "member@example.org")
    assert (await client.post("/api/v1/rooms", json=ROOM, headers=member)).status_code == 403
    manager = await api_token(client, "manager@example.org")
    response = await client.post("/api/v1/rooms", json=ROOM, headers=manager)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["granularity_minutes"] == 15 and body["max_minutes"] == 480 and body["max_advance_days"] == 90
    assert body["weekly_quota_minutes"] == 1200 and body["allowed_role"] == "member"
    assert body["ics_url"] == f"http://testserver/rooms/{body['id']}.ics"
    assert (await client.post("/api/v1/rooms", json=ROOM, headers=manager)).status_code == 409
    url = f"/api/v1/rooms/{body['id']}"
    assert (await client.put(url, json={**ROOM, "capacity": 20}, headers=member)).status_code == 403
    updated = await client.put(url, json={**ROOM, "capacity": 20}, headers=manager)
    assert updated.status_code == 200 and updated.json()["capacity"] == 20
    wrong = await client.post(
        "/api/v1/rooms", json={**ROOM, "name": "B", "opening_hours": {"mon": [["20:00", "08:00"]]}}, headers=manager
    )
    assert wrong.status_code == 422 and "opening_hours" in wrong.json()["error"]["fields"]
    listed = await client.get("/api/v1/rooms")
    assert listed.status_code == 200
    assert [item["name"] for item in listed.json()["items"]] == ["Salle Ada Lovelace"]
    assert {"id", "name", "capacity", "timezone"} <= set(listed.json()["items"][0])


async def test_booking_permission_matrix_and_overlap(client, other_client) -> None:
    owner = await make_user(email="owner@example.org")
    await make_user(email="someone@example.org")
    await make_user(email="manager@example.org", roles=(Role.SPACE_MANAGER,))
    room = await make_room()
    day = next_monday()
    body = {
        "room_id": room.id,
        "starts_at": rfc3339(at(day, "09:00")),
        "ends_at": rfc3339(at(day, "10:00")),
        "purpose": "Tutoring",
        "people": 3,
    }
    assert (await client.post("/api/v1/bookings", json=body)).status_code == 401
    owner_auth = await api_token(client, "owner@example.org")
    created = await client.post("/api/v1/bookings", json=body, headers=owner_auth)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "confirmed"
    booking_id = created.json()["id"]
    someone = await api_token(client, "someone@example.org")
    overlap = await client.post(
        "/api/v1/bookings",
        json={**body, "starts_at": rfc3339(at(day, "09:30")), "ends_at": rfc3339(at(day, "10:30"))},
        headers={**someone, "Accept-Language": "en"},
    )
    assert overlap.status_code == 409
    assert overlap.json()["error"]["code"] == "booking_overlap"
    assert f"{i18n.human_date(day, 'en')}, 09:00 to 10:00" in overlap.json()["error"]["message"]
    no_offset = await client.post(
        "/api/v1/bookings", json={**body, "starts_at": f"{day}T11:00:00", "ends_at": f"{day}T12:00:00"}, headers=someone
    )
    assert no_offset.status_code == 422 and set(no_offset.json()["error"]["fields"]) == {"starts_at", "ends_at"}
    # reading and cancelling: others see a 404, the owner and managers may
    assert (await client.get(f"/api/v1/bookings/{booking_id}", headers=someone)).status_code == 404
    assert (await client.delete(f"/api/v1/bookings/{booking_id}", headers=someone)).status_code == 404
    assert (await client.delete(f"/api/v1/bookings/{booking_id}")).status_code == 401
    assert (await client.get(f"/api/v1/bookings/{booking_id}", headers=owner_auth)).json()["purpose"] == "Tutoring"
    assert (await client.delete(f"/api/v1/bookings/{booking_id}", headers=owner_auth)).status_code == 204
    assert (await client.delete(f"/api/v1/bookings/{booking_id}", headers=owner_auth)).status_code == 409
    again = await client.post("/api/v1/bookings", json=body, headers=someone)
    assert again.status_code == 201
    manager = await api_token(client, "manager@example.org")
    assert (await client.delete(f"/api/v1/bookings/{again.json()['id']}", headers=manager)).status_code == 204
    assert owner.id


async def test_rule_errors_are_422_with_fields(client) -> None:
    await make_user(email="member@example.org")
    room = await make_room(capacity=4)
    day = next_monday()
    auth = await api_token(client, "member@example.org")
    response = await client.post(
        "/api/v1/bookings",
        json={
            "room_id": room.id,
            "starts_at": rfc3339(at(day, "07:00")),
            "ends_at": rfc3339(at(day, "08:10")),
            "purpose": "x",
            "people": 5,
        },
        headers={**auth, "Accept-Language": "en"},
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert fields["people"] == "This room holds at most 4 people."
    assert fields["starts_at"] == "The room is not open for all of this time."
    assert fields["ends_at"] == "End on a multiple of 15 minutes."
    missing = await client.post("/api/v1/bookings", json={"room_id": 999}, headers=auth)
    assert missing.status_code == 422
    unknown = await client.post(
        "/api/v1/bookings",
        json={
            "room_id": 999,
            "starts_at": rfc3339(at(day, "09:00")),
            "ends_at": rfc3339(at(day, "10:00")),
            "purpose": "x",
        },
        headers=auth,
    )
    assert unknown.status_code == 404


async def test_availability_contract(client) -> None:
    user = await make_user()
    room = await make_room(opening_hours={"mon": [["08:00", "12:00"]]})
    day = next_monday()
    await Booking.create(room=room, user=user, starts_at=at(day, "09:00"), ends_at=at(day, "10:00"), purpose="Secret")
    url = f"/api/v1/rooms/{room.id}/availability"
    response = await client.get(url, params={"from": rfc3339(at(day, "00:00")), "to": rfc3339(at(day, "24:00"))})
    assert response.status_code == 200
    z = lambda value: value.isoformat().replace("+00:00", "Z")
    assert response.json() == {
        "busy": [{"starts_at": z(at(day, "09:00")), "ends_at": z(at(day, "10:00"))}],
        "free": [
            {"starts_at": z(at(day, "08:00")), "ends_at": z(at(day, "09:00"))},
            {"starts_at": z(at(day, "10:00")), "ends_at": z(at(day, "12:00"))},
        ],
    }
    assert "Secret" not in response.text
    naive = await client.get(url, params={"from": f"{day}T00:00:00", "to": rfc3339(at(day, "24:00"))})
    assert naive.status_code == 422 and "from" in naive.json()["error"]["fields"]
    too_long = await client.get(
        url, params={"from": rfc3339(at(day, "00:00")), "to": rfc3339(at(day + timedelta(days=32), "00:00"))}
    )
    assert too_long.status_code == 422 and "to" in too_long.json()["error"]["fields"]
    exactly_31 = await client.get(
        url, params={"from": rfc3339(at(day, "00:00")), "to": rfc3339(at(day, "00:00") + timedelta(days=31))}
    )
    assert exactly_31.status_code == 200
    assert (await client.get(url)).status_code == 422
    assert (await client.get(f"/api/v1/rooms/{room.id + 9}/availability")).status_code == 404


async def test_openapi_documents_the_booking_endpoints(client) -> None:
    paths = (await client.get("/api/v1/openapi.json")).json()["paths"]
    assert {"get", "post"} <= set(paths["/rooms"])
    assert "get" in paths["/rooms/{room_id}/availability"]
    assert "post" in paths["/bookings"]
    assert "delete" in paths["/bookings/{booking_id}"]
    assert "409" in paths["/bookings"]["post"]["responses"]


async def test_room_feed_has_busy_times_only_and_conditional_get(client) -> None:
    user = await make_user(display_name="Zora Secret")
    room = await make_room()
    day = next_monday()
    booking = await Booking.create(
        room=room, user=user, starts_at=at(day, "09:00"), ends_at=at(day, "10:00"), purpose="Private matter"
    )
    response = await client.get(f"/rooms/{room.id}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    text = response.text
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Paris" in text
    assert f"UID:booking-{booking.id}@testserver" in text
    assert f"DTSTART;TZID=Europe/Paris:{day:%Y%m%d}T090000" in text
    assert "Private matter" not in text and "Zora" not in text
    etag = response.headers["etag"]
    same = await client.get(f"/rooms/{room.id}.ics", headers={"If-None-Match": etag})
    assert same.status_code == 304
    booking.status = Status.CANCELLED
    booking.sequence = 1
    await booking.save()
    changed = await client.get(f"/rooms/{room.id}.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "STATUS:CANCELLED" in changed.text and "SEQUENCE:1" in changed.text
    assert (await client.get("/rooms/999.ics")).status_code == 404


async def test_room_changed_is_published_after_a_booking(client, app) -> None:
    await make_user(email="member@example.org")
    room = await make_room()
    day = next_monday()
    auth = await api_token(client, "member@example.org")
    assert await can_read_channel(None, frozenset(), f"room:{room.id}")
    with app.state.hub.listen(f"room:{room.id}") as reader:
        response = await client.post(
            "/api/v1/bookings",
            json={
                "room_id": room.id,
                "starts_at": rfc3339(at(day, "09:00")),
                "ends_at": rfc3339(at(day, "10:00")),
                "purpose": "x",
            },
            headers=auth,
        )
        assert response.status_code == 201
        message = await asyncio.wait_for(reader.next_message(), 1)
    assert message == {"channel": f"room:{room.id}", "type": "room.changed", "id": room.id}


async def test_pages_list_rooms_and_show_an_accessible_week(client) -> None:
    user = await make_user()
    room = await make_room(name="Atelier", equipment=["projector"])
    day = next_monday()
    await Booking.create(room=room, user=user, starts_at=at(day, "09:00"), ends_at=at(day, "10:00"), purpose="Hidden")
    listing = await client.get("/rooms")
    assert listing.status_code == 200 and "Atelier" in listing.text
    week = await client.get(f"/rooms/{room.id}?week={day}")
    assert week.status_code == 200
    assert "<caption " in week.text and 'scope="col"' in week.text and 'scope="row"' in week.text
    assert "Hidden" not in week.text
    assert week.text.count('class="slot-busy"') == 2  # two half-hour rows
    assert f'data-live-channel="room:{room.id}"' in week.text
    # anonymous visitors see the week, not the booking form
    assert (await client.get(f"/rooms/{room.id}/book")).status_code == 303


async def test_booking_through_the_form_single_and_recurring(client) -> None:
    await make_user(email="member@example.org")
    room = await make_room()
    day = next_monday()
    await login(client, "member@example.org")
    form = await client.get(f"/rooms/{room.id}/book?date={day}&start=09:00")
    assert form.status_code == 200
    token = inputs(form.text)["csrf_token"]
    refused = await client.post(f"/rooms/{room.id}/book", data={"date": str(day)})
    assert refused.status_code == 403
    done = await client.post(
        f"/rooms/{room.id}/book",
        data={"csrf_token": token, "date": str(day), "start": "09:00", "end": "10:00", "purpose": "Revision"},
    )
    assert done.status_code == 303, done.text
    detail = await client.get(done.headers["location"])
    assert detail.status_code == 200 and "Revision" in detail.text
    again = await client.post(
        f"/rooms/{room.id}/book",
        data={"csrf_token": token, "date": str(day), "start": "09:30", "end": "10:30", "purpose": "Again"},
    )
    assert again.status_code == 409
    # the conflict: under the start field, in words people read, with other free times offered
    assert 'id="f-start-error"' in again.text
    assert f"Cette salle est déjà réservée de {i18n.human_date(day, 'fr')}, 9\u00a0h à 10\u00a0h." in again.text
    assert again.text.count(f'href="/rooms/{room.id}/book?date={day}&amp;start=') >= 2
    backwards = await client.post(
        f"/rooms/{room.id}/book",
        data={"csrf_token": token, "date": str(day), "start": "11:00", "end": "10:00", "purpose": "Backwards"},
    )
    assert backwards.status_code == 422 and 'id="f-end-error"' in backwards.text
    series = {
        "csrf_token": token,
        "date": str(day),
        "start": "09:00",
        "end": "10:00",
        "purpose": "Club",
        "weekdays": ["mon", "tue"],
        "weeks": "2",
    }
    preview = await client.post(f"/rooms/{room.id}/book", data=series)
    assert preview.status_code == 200
    assert preview.text.count('name="skip"') == 1  # the Monday already booked
    confirm = await client.post(f"/rooms/{room.id}/book", data={**series, "step": "confirm", "skip": str(day)})
    assert confirm.status_code == 303, confirm.text
    assert await Booking.filter(room_id=room.id, series_id__not_isnull=True).count() == 3
    mine = await client.get("/bookings")
    assert mine.status_code == 200 and mine.text.count("Club") == 3


async def test_owner_cancels_and_managers_decide_through_pages(client, other_client) -> None:
    owner = await make_user(email="owner@example.org")
    await make_user(email="manager@example.org", roles=(Role.SPACE_MANAGER,))
    room = await make_room(requires_approval=True)
    day = next_monday()
    booking = await Booking.create(
        room=room, user=owner, starts_at=at(day, "09:00"), ends_at=at(day, "10:00"), purpose="x", status="pending"
    )
    await login(other_client, "manager@example.org")
    assert (await other_client.get("/bookings/manage")).status_code == 200
    await login(client, "owner@example.org")
    assert (await client.get("/bookings/manage")).status_code == 403
    page = await client.get(f"/bookings/{booking.id}")
    assert page.status_code == 200 and "approve" not in page.text
    token = await csrf_token(client, f"/bookings/{booking.id}")
    refused = await client.post(f"/bookings/{booking.id}/approve", data={"csrf_token": token})
    assert refused.status_code == 403
    manager_token = await csrf_token(other_client, f"/bookings/{booking.id}")
    approved = await other_client.post(
        f"/bookings/{booking.id}/approve", data={"csrf_token": manager_token, "message": "OK"}
    )
    assert approved.status_code == 303
    await booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED
    cancelled = await client.post(f"/bookings/{booking.id}/cancel", data={"csrf_token": token})
    assert cancelled.status_code == 303
    await booking.refresh_from_db()
    assert booking.status == Status.CANCELLED
    stranger = await make_user(email="stranger@example.org")
    await login(client, stranger.email)
    assert (await client.get(f"/bookings/{booking.id}")).status_code == 404


async def test_managers_add_rooms_and_closures_through_pages(client) -> None:
    await make_user(email="manager@example.org", roles=(Role.SPACE_MANAGER,))
    await login(client, "manager@example.org")
    form = await client.get("/rooms/new")
    assert form.status_code == 200
    response = await post_form(
        client,
        "/rooms/new",
        {
            "name": "Bureau d'accueil",
            "capacity": "2",
            "timezone": "Europe/Paris",
            "mon_open": "09:00",
            "mon_close": "18:00",
            "equipment": ["computers", "screen"],
            "granularity_minutes": "30",
        },
        from_page="/rooms/new",
    )
    assert response.status_code == 303, response.text
    room_id = int(response.headers["location"].rsplit("/", 1)[1])
    room = (await client.get(f"/api/v1/rooms/{room_id}")).json()
    assert room["opening_hours"] == {"mon": [["09:00", "18:00"]]}
    assert room["equipment"] == ["computers", "screen"] and room["granularity_minutes"] == 30
    bad = await post_form(client, "/rooms/new", {"name": "", "capacity": "0"}, from_page="/rooms/new")
    assert bad.status_code == 422
    edit = await client.get(f"/rooms/{room_id}/edit")
    assert edit.status_code == 200 and 'value="09:00"' in edit.text
    changed = await post_form(
        client,
        f"/rooms/{room_id}/edit",
        {
            "name": "Bureau d'accueil",
            "capacity": "3",
            "timezone": "Africa/Dakar",
            "tue_open": "10:00",
            "tue_close": "12:00",
        },
        from_page=f"/rooms/{room_id}/edit",
    )
    assert changed.status_code == 303, changed.text
    room = (await client.get(f"/api/v1/rooms/{room_id}")).json()
    assert room["opening_hours"] == {"tue": [["10:00", "12:00"]]} and room["timezone"] == "Africa/Dakar"
    day = next_monday()
    closure = await post_form(
        client,
        "/bookings/closures",
        {"room_id": str(room_id), "first_day": str(day), "last_day": str(day), "reason": "Inventaire"},
        from_page="/bookings/manage",
    )
    assert closure.status_code == 303
    manage = await client.get("/bookings/manage")
    assert "Inventaire" in manage.text


async def test_free_slot_finder_page(client) -> None:
    await make_room(name="Salle Grace Hopper", capacity=8, equipment=["projector"])
    await make_room(name="Cabine", capacity=2, equipment=["projector"])
    day = next_monday() + timedelta(days=3)
    response = await client.get(
        "/rooms/find",
        params={"date": str(day), "people": "6", "minutes": "120", "part": "afternoon", "equipment": "projector"},
    )
    assert response.status_code == 200
    assert "Salle Grace Hopper" in response.text.split('id="finder"')[1]
    assert "Cabine" not in response.text.split('id="finder"')[1]
    assert (await client.get("/rooms/find", params={"date": "nope"})).status_code == 422
    bare = await client.get("/rooms/find")  # opened from the menu: the form, no error yet
    assert bare.status_code == 200 and "aria-invalid" not in bare.text


async def test_check_in_and_decisions_through_the_api(client) -> None:
    from datetime import UTC, datetime

    owner = await make_user(email="owner@example.org")
    await make_user(email="someone@example.org")
    await make_user(email="manager@example.org", roles=(Role.SPACE_MANAGER,))
    room = await make_room()
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    booking = await Booking.create(
        room=room, user=owner, starts_at=soon, ends_at=soon + timedelta(hours=1), purpose="x"
    )
    later = await Booking.create(
        room=room, user=owner, starts_at=soon + timedelta(hours=3), ends_at=soon + timedelta(hours=4), purpose="x"
    )
    someone = await api_token(client, "someone@example.org")
    owner_auth = await api_token(client, "owner@example.org")
    manager = await api_token(client, "manager@example.org")
    assert (await client.post(f"/api/v1/bookings/{booking.id}/checkin", headers=someone)).status_code == 404
    assert (await client.post(f"/api/v1/bookings/{later.id}/checkin", headers=owner_auth)).status_code == 422
    done = await client.post(f"/api/v1/bookings/{booking.id}/checkin", headers=owner_auth)
    assert done.status_code == 200 and done.json()["checked_in_at"] is not None
    assert (await client.post(f"/api/v1/bookings/{booking.id}/checkin", headers=manager)).status_code == 409
    pending = await Booking.create(
        room=room,
        user=owner,
        starts_at=soon + timedelta(hours=5),
        ends_at=soon + timedelta(hours=6),
        purpose="x",
        status=Status.PENDING,
    )
    url = f"/api/v1/bookings/{pending.id}/decision"
    assert (await client.post(url, json={"approve": True}, headers=owner_auth)).status_code == 403
    decided = await client.post(url, json={"approve": False, "message": "Sorry"}, headers=manager)
    assert decided.status_code == 200 and decided.json()["status"] == "rejected"
    assert (await client.post(url, json={"approve": True}, headers=manager)).status_code == 409


async def test_adding_a_date_to_a_series_through_the_page(client) -> None:
    await make_user(email="member@example.org")
    room = await make_room()
    day = next_monday()
    await login(client, "member@example.org")
    token = await csrf_token(client, f"/rooms/{room.id}/book")
    series = {
        "csrf_token": token,
        "date": str(day),
        "start": "09:00",
        "end": "10:00",
        "purpose": "Club",
        "weekdays": ["mon"],
        "weeks": "2",
        "step": "confirm",
    }
    created = await client.post(f"/rooms/{room.id}/book", data=series)
    assert created.status_code == 303
    first = created.headers["location"].split("?")[0]
    page = await client.get(first)
    assert "add-date" in page.text
    added = await client.post(f"{first}/add-date", data={"csrf_token": token, "date": str(day + timedelta(days=3))})
    assert added.status_code == 303
    assert await Booking.filter(room_id=room.id, series_id__not_isnull=True, status="confirmed").count() == 3


async def test_the_desk_checks_people_in(client) -> None:
    from datetime import UTC, datetime

    owner = await make_user(email="owner@example.org", display_name="Awa Diop")
    await make_user(email="manager@example.org", roles=(Role.SPACE_MANAGER,))
    room = await make_room()
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
    booking = await Booking.create(
        room=room, user=owner, starts_at=soon, ends_at=soon + timedelta(hours=1), purpose="x"
    )
    await login(client, "manager@example.org")
    desk = await client.get("/bookings/manage")
    assert "Awa Diop" in desk.text
    token = inputs(desk.text)["csrf_token"]
    done = await client.post(f"/bookings/{booking.id}/checkin", data={"csrf_token": token, "next": "/bookings/manage"})
    assert done.status_code == 303 and done.headers["location"] == "/bookings/manage"
    await booking.refresh_from_db()
    assert booking.checked_in_at is not None
