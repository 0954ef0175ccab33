"""A relationship's thread is live on mentoring:{id}, for its participants and coordinators only."""

from __future__ import annotations

import asyncio
import json

import httpx
from websockets.asyncio.client import connect

from accounts import services as accounts
from accounts.models import Role
from tests.helpers import make_user
from tests.mentoring.helpers import make_mentor, make_relationship, make_request
from tierslieu.middleware import SESSION_COOKIE


async def subscribe(live_server: str, channel: str, cookie: str | None):
    headers = {"Cookie": f"{SESSION_COOKIE}={cookie}"} if cookie else {}
    socket = await connect(
        live_server.replace("http://", "ws://", 1) + "/ws", origin=live_server, additional_headers=headers
    )
    await socket.send(json.dumps({"subscribe": channel}))
    return socket, json.loads(await asyncio.wait_for(socket.recv(), 3))


async def test_the_thread_is_live_for_participants_only(live_server: str, settings) -> None:
    mentor, mentee, request = await make_relationship()
    channel = f"mentoring:{request.id}"
    outsiders = [None, await make_user(), await make_mentor()]
    for outsider in outsiders:
        cookie = await accounts.start_session(outsider, "127.0.0.1", "pytest", settings) if outsider else None
        socket, answer = await subscribe(live_server, channel, cookie)
        await socket.close()
        assert answer == {"error": {"code": "forbidden", "channel": channel}}, outsider
    # a request not accepted yet has no live thread, even for its mentee
    _, pending = await make_request(mentee)
    cookie = await accounts.start_session(mentee, "127.0.0.1", "pytest", settings)
    socket, answer = await subscribe(live_server, f"mentoring:{pending.id}", cookie)
    await socket.close()
    assert "error" in answer
    coordinator = await make_user(roles=(Role.COORDINATOR,))
    coordinator_cookie = await accounts.start_session(coordinator, "127.0.0.1", "pytest", settings)
    watching, answer = await subscribe(live_server, channel, coordinator_cookie)
    assert answer == {"subscribed": channel}
    socket, answer = await subscribe(live_server, channel, cookie)
    assert answer == {"subscribed": channel}
    _, token = await accounts.create_api_token(mentor, "ws")
    async with httpx.AsyncClient(base_url=live_server) as http:
        sent = await http.post(
            f"/api/v1/mentoring/requests/{request.id}/messages",
            json={"body": "À mardi !"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert sent.status_code == 201, sent.text
    for listener in (socket, watching):
        message = json.loads(await asyncio.wait_for(listener.recv(), 3))
        assert message["type"] == "mentoring.message" and message["body"] == "À mardi !"
        assert message["author"] == mentor.display_name
        await listener.close()
