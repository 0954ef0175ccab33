"""Open slot lists follow the public ``helpdesk`` channel: a slot taken or freed is told."""

from __future__ import annotations

import asyncio
import json

import httpx
from websockets.asyncio.client import connect

from tests.helpdesk.helpers import at, make_hours, upcoming
from tests.helpers import PASSWORD, make_user


async def test_an_anonymous_socket_hears_a_slot_taken_then_freed(live_server: str) -> None:
    hours = await make_hours()
    person = await make_user()
    day = upcoming("wed")
    async with connect(live_server.replace("http://", "ws://", 1) + "/ws") as socket:
        await socket.send(json.dumps({"subscribe": "helpdesk"}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 2)) == {"subscribed": "helpdesk"}
        async with httpx.AsyncClient(base_url=live_server) as http:
            token = (await http.post("/api/v1/auth/tokens", json={"email": person.email, "password": PASSWORD})).json()
            auth = {"Authorization": f"Bearer {token['token']}"}
            response = await http.post(
                "/api/v1/helpdesk/appointments",
                json={
                    "helper_id": hours.helper_id,
                    "slot_starts_at": at(day, "14:00").isoformat(),
                    "topic": "python",
                    "need": "Un besoin privé",
                    "format": "online",
                },
                headers=auth,
            )
            assert response.status_code == 201
            taken = json.loads(await asyncio.wait_for(socket.recv(), 2))
            assert (
                await http.delete(f"/api/v1/helpdesk/appointments/{response.json()['id']}", headers=auth)
            ).status_code == 204
            freed = json.loads(await asyncio.wait_for(socket.recv(), 2))
    assert taken == {
        "channel": "helpdesk",
        "type": "helpdesk.slots",
        "helper_id": hours.helper_id,
        "starts_at": at(day, "14:00").isoformat(),
        "free": False,
    }
    assert freed["type"] == "helpdesk.slots" and freed["free"] is True
    assert "privé" not in json.dumps([taken, freed])


async def test_a_foreign_channel_name_is_refused(live_server: str) -> None:
    async with connect(live_server.replace("http://", "ws://", 1) + "/ws") as socket:
        await socket.send(json.dumps({"subscribe": "helpdesk:1"}))
        answer = json.loads(await asyncio.wait_for(socket.recv(), 2))
    assert answer == {"error": {"code": "forbidden", "channel": "helpdesk:1"}}
