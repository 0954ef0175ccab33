"""Open availability views follow a room through the public room:{id} channel."""

from __future__ import annotations

import asyncio
import json

import httpx
from websockets.asyncio.client import connect

from tests.bookings.helpers import at, make_room, next_monday, rfc3339
from tests.helpers import PASSWORD, make_user


async def test_an_anonymous_socket_hears_room_changed_after_a_booking(live_server: str) -> None:
    user = await make_user()
    room = await make_room()
    day = next_monday()
    async with connect(live_server.replace("http://", "ws://", 1) + "/ws") as socket:
        await socket.send(json.dumps({"subscribe": f"room:{room.id}"}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 2)) == {"subscribed": f"room:{room.id}"}
        async with httpx.AsyncClient(base_url=live_server) as http:
            token = (await http.post("/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD})).json()
            response = await http.post(
                "/api/v1/bookings",
                json={
                    "room_id": room.id,
                    "starts_at": rfc3339(at(day, "09:00")),
                    "ends_at": rfc3339(at(day, "10:00")),
                    "purpose": "Private",
                },
                headers={"Authorization": f"Bearer {token['token']}"},
            )
            assert response.status_code == 201
        message = json.loads(await asyncio.wait_for(socket.recv(), 2))
    assert message == {"channel": f"room:{room.id}", "type": "room.changed", "id": room.id}
