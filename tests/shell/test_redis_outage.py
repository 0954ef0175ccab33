"""Redis outages, on a private redis-server that the tests kill, freeze (SIGSTOP) and
restart: pages, sign-in, sign-up, API tokens, posting and booking keep answering without
500s and without waiting for Redis; rate limits fall back to per-process counters and say
so in the log; live updates resume by themselves and sockets are told to resync."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import connect

from tests.bookings.helpers import at, make_room, next_monday, rfc3339
from tests.conftest import free_port, make_settings
from tests.forum.factories import make_category, make_topic
from tests.helpers import api_token, make_user
from tests.scale.services import PrivateRedis, private_redis
from tierslieu import realtime
from tierslieu.app import create_app
from tierslieu.redis_pool import CALL_DEADLINE

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")

# A request never waits for Redis longer than one guarded call (plus the work itself).
PATIENCE = CALL_DEADLINE + 1.5


@pytest.fixture
def redis() -> Iterator[PrivateRedis]:
    with private_redis() as server:
        yield server


@pytest.fixture
async def served(redis: PrivateRedis) -> AsyncIterator[tuple[str, object]]:
    """The app with the private Redis, its lifespan running, under a real uvicorn."""
    app = create_app(make_settings(redis_url=redis.url, base_url="http://127.0.0.1"), init_database=False)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    await asyncio.wait_for(app.state.hub.wait_listening(), 5)
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    await task


async def timed(call) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await call
    return response, time.monotonic() - started


async def exercise(http: httpx.AsyncClient, headers: dict[str, str], topic_id: int, room_id: int, n: int) -> None:
    """Sign-up, a wrong password, a token, a page, a reply and a booking: none 500, none slow."""
    day = next_monday(2 + n)
    calls = [
        http.post(
            "/api/v1/auth/signup",
            json={"email": f"new{n}@example.org", "password": "a long passphrase 123", "display_name": f"New {n}"},
        ),
        http.post("/api/v1/auth/tokens", json={"email": "member@example.org", "password": "wrong password"}),
        http.post("/api/v1/auth/tokens", json={"email": "member@example.org", "password": "correct horse battery"}),
        http.get(f"/forum/t/{topic_id}"),
        http.post(f"/api/v1/forum/topics/{topic_id}/posts", json={"body": f"Reply number {n}"}, headers=headers),
        http.post(
            "/api/v1/bookings",
            json={
                "room_id": room_id,
                "starts_at": rfc3339(at(day, "10:00")),
                "ends_at": rfc3339(at(day, "11:00")),
                "purpose": "Atelier",
            },
            headers=headers,
        ),
    ]
    expected = [201, 401, 201, 200, 201, 201]
    for call, status in zip(calls, expected, strict=True):
        response, took = await timed(call)
        assert response.status_code == status, (response.request.url, response.status_code, response.text[:300])
        assert took < PATIENCE, (response.request.url, took)


async def test_requests_never_wait_for_a_dead_or_frozen_redis(
    served: tuple[str, object], redis: PrivateRedis, caplog: pytest.LogCaptureFixture
) -> None:
    base, app = served
    await make_user(email="member@example.org", password="correct horse battery")
    topic = await make_topic(category=await make_category())
    room = await make_room()
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        headers = await api_token(http, "member@example.org", "correct horse battery")
        await exercise(http, headers, topic.id, room.id, 0)
        assert app.state.limiter.shared

        caplog.set_level(logging.WARNING)
        redis.kill()
        await exercise(http, headers, topic.id, room.id, 1)
        assert "counting in this process only" in caplog.text
        assert not app.state.limiter.shared

        redis.start()  # the same port, an empty Redis
        await asyncio.sleep(2.5)  # the breaker's cool-down
        await exercise(http, headers, topic.id, room.id, 2)
        assert app.state.limiter.shared
        assert "counting in Redis again" in caplog.text

        redis.freeze()
        try:
            await exercise(http, headers, topic.id, room.id, 3)
            await exercise(http, headers, topic.id, room.id, 4)
        finally:
            redis.thaw()


async def test_the_eleventh_wrong_password_is_refused_while_redis_is_down(
    served: tuple[str, object], redis: PrivateRedis
) -> None:
    base, _app = served
    await make_user(email="member@example.org", password="correct horse battery")
    redis.kill()
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        statuses = []
        for _ in range(11):
            response = await http.post("/api/v1/auth/tokens", json={"email": "member@example.org", "password": "nope"})
            statuses.append(response.status_code)
    assert statuses == [401] * 10 + [429]


async def _subscribe(base: str, channel: str):
    socket = await connect(base.replace("http", "ws", 1) + "/ws")
    await socket.send(json.dumps({"subscribe": channel}))
    assert json.loads(await socket.recv()) == {"subscribed": channel}
    return socket


async def test_live_updates_resume_and_sockets_are_told_to_resync(
    served: tuple[str, object], redis: PrivateRedis
) -> None:
    base, app = served
    hub = app.state.hub
    topic = await make_topic(category=await make_category())
    channel = f"topic:{topic.id}"
    socket = await _subscribe(base, channel)
    try:
        await realtime.publish(channel, "post.created", id=1)
        assert json.loads(await asyncio.wait_for(socket.recv(), 3))["id"] == 1

        redis.kill()
        started = time.monotonic()
        await realtime.publish(channel, "post.created", id=2)  # committed elsewhere; Redis is gone
        assert time.monotonic() - started < PATIENCE
        # this process's readers still hear of it
        assert json.loads(await asyncio.wait_for(socket.recv(), 3))["id"] == 2
        await asyncio.sleep(0.5)

        redis.start()
        await asyncio.wait_for(_until(lambda: hub.listening), 15)
        told = json.loads(await asyncio.wait_for(socket.recv(), 5))
        assert told == {"channel": channel, "type": "resync"}
        await asyncio.sleep(2.5)  # the breaker's cool-down: the next publish goes to Redis again
        await realtime.publish(channel, "post.created", id=3)
        messages = [json.loads(await asyncio.wait_for(socket.recv(), 5)) for _ in range(1)]
        while messages[-1].get("type") == "resync":
            messages.append(json.loads(await asyncio.wait_for(socket.recv(), 5)))
        assert messages[-1]["id"] == 3
    finally:
        await socket.close()


async def test_a_publish_whose_reply_was_lost_is_delivered_once(redis: PrivateRedis) -> None:
    """Redis frozen: the PUBLISH is written but its reply never comes, so the hub delivers
    in this process; thawed, Redis delivers the same message through the listener too."""
    from tierslieu.redis_pool import create_pool

    pool = create_pool(redis.url)
    hub = realtime.RedisHub(pool)
    try:
        await hub.start()
        with hub.listen("topic:7") as reader:
            await hub.publish("topic:7", "post.created", id=0)  # a fresh connection: no health check
            assert (await reader.next_message(within=2))["id"] == 0
            redis.freeze()
            try:
                await hub.publish("topic:7", "post.created", id=1)
            finally:
                redis.thaw()
            assert (await reader.next_message(within=1))["id"] == 1
            await asyncio.sleep(1.5)  # Redis works through what it was sent meanwhile
            assert [m for m in reader.pending() if m["type"] == "post.created"] == []
    finally:
        await hub.stop()
        await pool.aclose()


async def test_a_process_that_lost_events_tells_the_others_to_resync(redis: PrivateRedis) -> None:
    """Process A could not publish (Redis frozen) while B's listener never noticed: once
    Redis answers again, A announces the channel and B's sockets are told to resync."""
    from tierslieu.redis_pool import create_pool

    pools = [create_pool(redis.url), create_pool(redis.url)]
    hub_a, hub_b = realtime.RedisHub(pools[0]), realtime.RedisHub(pools[1])
    try:
        await hub_a.start()
        await hub_b.start()
        with hub_b.listen("topic:7") as reader:
            redis.freeze()
            started = time.monotonic()
            await hub_a.publish("topic:7", "post.created", id=1)
            assert time.monotonic() - started < PATIENCE
            redis.thaw()
            await asyncio.sleep(2.5)  # A's breaker lets a trial through again
            await hub_a.publish("topic:8", "post.created", id=2)
            messages = []
            with contextlib.suppress(TimeoutError):
                while True:
                    messages.append(await reader.next_message(within=3))
                    if {"channel": "topic:7", "type": "resync"} in messages:
                        break
            assert {"channel": "topic:7", "type": "resync"} in messages
    finally:
        await hub_a.stop()
        await hub_b.stop()
        for pool in pools:
            await pool.aclose()


async def test_five_hundred_websockets_in_a_burst_never_hit_the_pool_limit(
    served: tuple[str, object],
) -> None:
    base, app = served
    channel = f"topic:{(await make_topic(category=await make_category())).id}"

    async def one():
        return await _subscribe(base, channel)

    sockets = await asyncio.gather(*(one() for _ in range(500)))
    try:
        assert app.state.hub.subscriber_count >= 500
        await asyncio.gather(*(realtime.publish(channel, "post.created", id=n) for n in range(100)))
        # then a last one: whatever comes before it on a socket is all that socket gets
        await realtime.publish(channel, "post.created", id=100)
        for socket in sockets:
            ids = []
            while not ids or ids[-1] != 100:
                message = json.loads(await asyncio.wait_for(socket.recv(), 10))
                if message["type"] != realtime.RESYNC:  # a publish timed out on a loaded machine
                    ids.append(message["id"])
            # every message once: none lost, none twice (a retried or fallen-back publish)
            assert sorted(ids) == list(range(101))
    finally:
        await asyncio.gather(*(socket.close() for socket in sockets))


async def _until(condition) -> None:
    while not condition():  # noqa: ASYNC110 - a flag of another task
        await asyncio.sleep(0.05)
