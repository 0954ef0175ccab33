"""Races through HTTP on a real server: a mentor's capacity and their sessions never overlap."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from mentoring import services
from mentoring.models import MentorProfile, Request, Session
from tests.helpers import api_token
from tests.mentoring.helpers import at, make_mentor, make_relationship, make_request, next_weekday, rfc3339

ACCEPTS = 10


async def test_ten_concurrent_acceptances_fill_exactly_two_places(live_server: str) -> None:
    mentor = await make_mentor(max_mentees=2)
    requests = []
    for _ in range(ACCEPTS):
        mentee, request = await make_request()
        await services.offer(mentee, request.id, mentor.id)
        requests.append(request)
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as http:
        headers = await api_token(http, mentor.email)
        responses = await asyncio.gather(
            *(http.post(f"/api/v1/mentoring/requests/{row.id}/accept", headers=headers) for row in requests)
        )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 200] + [409] * (ACCEPTS - 2), statuses
    for response in responses:
        if response.status_code == 409:
            assert response.json()["error"]["code"] == "mentor_full"
    assert (await MentorProfile.get(user_id=mentor.id)).active_count == 2
    assert await Request.filter(mentor_id=mentor.id, status="active").count() == 2


async def test_concurrent_overlapping_sessions_of_one_mentor_one_wins(live_server: str) -> None:
    mentor = await make_mentor(max_mentees=2)
    _, first, one = await make_relationship(mentor=mentor)
    _, second, two = await make_relationship(mentor=mentor)
    day = next_weekday(3)
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as http:
        people = [(await api_token(http, first.email), one.id), (await api_token(http, second.email), two.id)]

        async def attempt(number: int) -> httpx.Response:
            headers, request_id = people[number % 2]
            starts = at(day, "18:00") + timedelta(minutes=15 * (number % 3))
            return await http.post(
                f"/api/v1/mentoring/requests/{request_id}/sessions",
                json={
                    "starts_at": rfc3339(starts),
                    "ends_at": rfc3339(starts + timedelta(hours=1)),
                    "format": "online",
                    "link": f"https://visio.example.org/{number}",
                },
                headers=headers,
            )

        responses = await asyncio.gather(*(attempt(n) for n in range(10)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 9, statuses
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"session_overlap"}
    assert await Session.filter(mentor_id=mentor.id, status="scheduled").count() == 1
