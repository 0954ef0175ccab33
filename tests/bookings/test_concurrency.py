"""Races through HTTP on a real server: 50 overlapping requests, exactly one winner."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

import httpx

from bookings.models import Booking
from tests.bookings.helpers import at, make_room, next_monday, rfc3339
from tests.helpers import PASSWORD, make_user

REQUESTS = 50
PEOPLE = 10


async def _tokens(http: httpx.AsyncClient) -> list[dict[str, str]]:
    # a few people, one token each (successful logins do not count against the rate limit)
    headers = []
    for number in range(PEOPLE):
        user = await make_user(email=f"racer{number}@example.org")
        response = await http.post("/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD})
        assert response.status_code == 201, response.text
        headers.append({"Authorization": f"Bearer {response.json()['token']}"})
    return headers


def _no_live_overlap(rows: list[Booking]) -> bool:
    rows = sorted(rows, key=lambda row: row.starts_at)
    return all(a.ends_at <= b.starts_at for a, b in itertools.pairwise(rows))


async def test_fifty_concurrent_overlapping_bookings_one_wins(live_server: str) -> None:
    room = await make_room()
    day = next_monday()
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as http:
        tokens = await _tokens(http)

        async def attempt(number: int) -> httpx.Response:
            starts = at(day, "09:00") + timedelta(minutes=15 * (number % 4))
            return await http.post(
                "/api/v1/bookings",
                json={
                    "room_id": room.id,
                    "starts_at": rfc3339(starts),
                    "ends_at": rfc3339(starts + timedelta(hours=1)),
                    "purpose": f"Race {number}",
                },
                headers=tokens[number % PEOPLE],
            )

        responses = await asyncio.gather(*(attempt(n) for n in range(REQUESTS)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (REQUESTS - 1), statuses
    for response in responses:
        if response.status_code == 409:
            assert response.json()["error"]["code"] == "booking_overlap"
    live = await Booking.filter(room_id=room.id, status__in=["pending", "confirmed"])
    assert len(live) == 1


async def test_fifty_concurrent_partly_overlapping_series_one_wins(live_server: str) -> None:
    room = await make_room()
    monday = next_monday()
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as http:
        tokens = await _tokens(http)

        async def attempt(number: int) -> httpx.Response:
            # every series shares at least its first Monday evening with every other one,
            # with different weekdays, lengths and times around it
            start = ("17:30", "18:00", "18:30")[number % 3]
            end = ("18:45", "19:00", "19:30")[number % 3]
            weekdays = [["mon"], ["mon", "wed"], ["mon", "thu"], ["mon", "tue", "fri"]][number % 4]
            return await http.post(
                "/api/v1/bookings/series",
                json={
                    "room_id": room.id,
                    "weekdays": weekdays,
                    "start": start,
                    "end": end,
                    "first_date": monday.isoformat(),
                    "weeks": 1 + number % 3,
                    "purpose": f"Series {number}",
                },
                headers=tokens[number % PEOPLE],
            )

        responses = await asyncio.gather(*(attempt(n) for n in range(REQUESTS)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (REQUESTS - 1), statuses
    winner = next(response for response in responses if response.status_code == 201).json()
    live = await Booking.filter(room_id=room.id, status__in=["pending", "confirmed"])
    assert len(live) == len(winner["items"]) >= 1
    assert {row.series_id for row in live} == {winner["id"]}
    assert _no_live_overlap(live)
