"""Live updates of a topic, with a real websocket client against a running server."""

from __future__ import annotations

import asyncio
import json

import httpx
from websockets.asyncio.client import connect

from forum import moderation, services
from tests.forum.factories import make_moderator, make_reply, make_topic
from tests.helpers import api_token, make_user


async def _next(socket, type_: str) -> dict:
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), 3))
        if message.get("type") == type_:
            return message


async def test_a_reader_hears_of_a_reply_posted_by_someone_else(live_server: str) -> None:
    asker = await make_user()
    topic = await make_topic(asker)
    replier = await make_user()
    async with (
        httpx.AsyncClient(base_url=live_server) as http,
        connect(live_server.replace("http", "ws", 1) + "/ws") as socket,
    ):
        await socket.send(json.dumps({"subscribe": f"topic:{topic.id}"}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 3)) == {"subscribed": f"topic:{topic.id}"}
        headers = await api_token(http, replier.email)
        response = await http.post(
            f"/api/v1/forum/topics/{topic.id}/posts", json={"body": "Me voilà !"}, headers=headers
        )
        assert response.status_code == 201
        event = await _next(socket, "post.created")
        assert event == {
            "channel": f"topic:{topic.id}",
            "type": "post.created",
            "id": response.json()["id"],
            "number": 2,
        }

        voter = await make_user()
        await services.vote(voter, response.json()["id"], 1)
        assert (await _next(socket, "vote.changed"))["score"] == 1
        await services.accept_answer(asker, response.json()["id"])
        assert (await _next(socket, "topic.solved"))["post_id"] == response.json()["id"]


async def test_the_asker_is_notified_live_and_hidden_topics_are_closed_to_members(live_server: str, settings) -> None:
    from accounts import services as accounts
    from tierslieu.middleware import SESSION_COOKIE

    asker = await make_user()
    topic = await make_topic(asker)
    cookie = await accounts.start_session(asker, "127.0.0.1", "pytest", settings)
    url = live_server.replace("http", "ws", 1) + "/ws"
    async with connect(url, origin=live_server, additional_headers={"Cookie": f"{SESSION_COOKIE}={cookie}"}) as socket:
        await socket.send(json.dumps({"subscribe": f"user:{asker.id}"}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 3)) == {"subscribed": f"user:{asker.id}"}
        await make_reply(topic)
        event = await _next(socket, "notification.created")
        assert event["channel"] == f"user:{asker.id}" and event["topic_id"] == topic.id
        moderator = await make_moderator()
        await moderation.set_topic_state(moderator, topic.id, "hide", "Test")
        await socket.send(json.dumps({"subscribe": f"topic:{topic.id}"}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 3)) == {
            "error": {"code": "forbidden", "channel": f"topic:{topic.id}"}
        }
