"""Ending a session closes the live sockets opened with it (issue 17, finding 6), with a
real websocket client against a running server."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from accounts import services, staff
from accounts.models import Role
from tests.helpers import PASSWORD, csrf_token, make_user
from tierslieu import realtime
from tierslieu.middleware import SESSION_COOKIE


def ws_url(live_server: str) -> str:
    return live_server.replace("http://", "ws://", 1) + "/ws"


async def follow(live_server: str, user, cookie: str) -> ClientConnection:
    socket = await connect(
        ws_url(live_server), origin=live_server, additional_headers={"Cookie": f"{SESSION_COOKIE}={cookie}"}
    )
    await socket.send(json.dumps({"subscribe": f"user:{user.id}"}))
    assert json.loads(await asyncio.wait_for(socket.recv(), 3)) == {"subscribed": f"user:{user.id}"}
    return socket


async def assert_closed(socket: ClientConnection, user) -> None:
    """Closed, and no private message got through after the revocation."""
    await realtime.publish(f"user:{user.id}", "notification.created", id=99)
    with pytest.raises(ConnectionClosed):
        while True:
            message = json.loads(await asyncio.wait_for(socket.recv(), 3))
            assert message.get("id") != 99, "a private message reached a revoked socket"
    assert socket.close_code == realtime.CLOSE_POLICY_VIOLATION


async def assert_open(socket: ClientConnection, user) -> None:
    await realtime.publish(f"user:{user.id}", "notification.created", id=7)
    while (message := json.loads(await asyncio.wait_for(socket.recv(), 3)))["id"] != 7:
        pass  # what was published before still arrives: the session holds
    assert message == {"channel": f"user:{user.id}", "type": "notification.created", "id": 7}


async def test_logging_out_closes_the_sockets_of_that_session_only(live_server: str, settings) -> None:
    user = await make_user()
    ending = await services.start_session(user, "127.0.0.1", "pytest", settings)
    staying = await services.start_session(user, "127.0.0.1", "pytest", settings)
    async with (
        await follow(live_server, user, ending) as revoked,
        await follow(live_server, user, staying) as kept,
        httpx.AsyncClient(base_url=live_server, cookies={SESSION_COOKIE: ending}) as http,
    ):
        token = await csrf_token(http, "/me")
        response = await http.post("/logout", data={"csrf_token": token})
        assert response.status_code == 303
        await assert_closed(revoked, user)
        await assert_open(kept, user)


async def test_a_password_change_elsewhere_closes_the_other_sessions_sockets(live_server: str, settings) -> None:
    user = await make_user()
    other = await services.start_session(user, "127.0.0.1", "pytest", settings)
    here = await services.start_session(user, "127.0.0.1", "pytest", settings)
    async with (
        await follow(live_server, user, other) as socket,
        httpx.AsyncClient(base_url=live_server, cookies={SESSION_COOKIE: here}) as http,
    ):
        token = await csrf_token(http, "/me")
        response = await http.post(
            "/me/password",
            data={"csrf_token": token, "current_password": PASSWORD, "new_password": "a brand new secret"},
        )
        assert response.status_code == 303
        await assert_closed(socket, user)


async def test_suspension_closes_the_persons_sockets(live_server: str, settings) -> None:
    admin = await make_user(roles=(Role.ADMIN,))
    user = await make_user()
    cookie = await services.start_session(user, "127.0.0.1", "pytest", settings)
    async with await follow(live_server, user, cookie) as socket:
        await staff.suspend(admin, user, "Spam")
        await assert_closed(socket, user)
