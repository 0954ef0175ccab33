"""Open event pages follow seats left and the waiting list through event:{id}."""

from __future__ import annotations

import asyncio
import json

import httpx
from websockets.asyncio.client import connect

from accounts import services as accounts
from tests.events.helpers import make_event
from tests.helpers import make_user


async def test_an_anonymous_socket_hears_seats_change(live_server: str) -> None:
    event = await make_event(capacity=1)
    first, second = await make_user(), await make_user()
    tokens = []
    for person in (first, second):
        _, plain = await accounts.create_api_token(person, "ws")
        tokens.append({"Authorization": f"Bearer {plain}"})
    async with connect(live_server.replace("http://", "ws://", 1) + "/ws") as socket:
        await socket.send(json.dumps({"subscribe": f"event:{event.id}"}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 2)) == {"subscribed": f"event:{event.id}"}
        async with httpx.AsyncClient(base_url=live_server) as http:
            for headers in tokens:
                response = await http.post(f"/api/v1/events/{event.id}/registrations", headers=headers)
                assert response.status_code == 201
        messages = [json.loads(await asyncio.wait_for(socket.recv(), 2)) for _ in range(2)]
    assert messages == [
        {
            "channel": f"event:{event.id}",
            "type": "event.seats",
            "id": event.id,
            "seats_left": 0,
            "online_seats_left": None,
            "waiting": waiting,
        }
        for waiting in (0, 1)
    ]
