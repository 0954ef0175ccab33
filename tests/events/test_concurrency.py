"""Races through HTTP on a real server: 100 simultaneous registrations for 10 places,
then 5 simultaneous cancellations."""

from __future__ import annotations

import asyncio

import httpx

from accounts import services as accounts
from events.models import Event, Registration
from tests.events.helpers import make_event
from tests.helpers import make_user

PEOPLE = 100
CAPACITY = 10
LEAVING = 5


async def _bearer(user) -> dict[str, str]:
    _, plain = await accounts.create_api_token(user, "race")
    return {"Authorization": f"Bearer {plain}"}


async def test_hundred_registrations_for_ten_places_then_five_cancellations(live_server: str) -> None:
    event = await make_event(capacity=CAPACITY)
    people = [await make_user(email=f"racer{n}@example.org") for n in range(PEOPLE)]
    headers = [await _bearer(person) for person in people]
    path = f"/api/v1/events/{event.id}/registrations"
    async with httpx.AsyncClient(base_url=live_server, timeout=120) as http:
        responses = await asyncio.gather(*(http.post(path, headers=h) for h in headers))
        assert {response.status_code for response in responses} == {201}, [r.text for r in responses[:3]]
        bodies = [response.json() for response in responses]
        confirmed = [body for body in bodies if body["status"] == "confirmed"]
        waiting = [body for body in bodies if body["status"] == "waitlisted"]
        assert len(confirmed) == CAPACITY
        assert all(body["position"] is None for body in confirmed)
        assert sorted(body["position"] for body in waiting) == list(range(1, PEOPLE - CAPACITY + 1))

        # the first five waiting, in queue order, are the ones promoted
        by_user = {person.id: body for person, body in zip(people, bodies, strict=True)}
        queue = sorted((body["position"], user_id) for user_id, body in by_user.items() if body["position"])
        first_waiting = {user_id for _, user_id in queue[:LEAVING]}
        leaving = [i for i, person in enumerate(people) if by_user[person.id]["status"] == "confirmed"][:LEAVING]
        cancels = await asyncio.gather(*(http.delete(f"{path}/me", headers=headers[i]) for i in leaving))
        assert [response.status_code for response in cancels] == [204] * LEAVING

    rows = await Registration.filter(event_id=event.id)
    now_confirmed = {row.user_id for row in rows if row.status == "confirmed"}
    assert len(now_confirmed) == CAPACITY
    assert first_waiting <= now_confirmed
    assert {people[i].id for i in leaving}.isdisjoint(now_confirmed)
    assert sum(row.status == "waitlisted" for row in rows) == PEOPLE - CAPACITY - LEAVING
    fresh = await Event.get(id=event.id)
    assert fresh.confirmed_count == CAPACITY
