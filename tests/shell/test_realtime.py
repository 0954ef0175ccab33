"""The live hub (in process and through Redis) and the /ws endpoint, driven by a
real websocket client against a real server."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from accounts import services as accounts
from tierslieu import parts, realtime
from tierslieu.middleware import SESSION_COOKIE
from tierslieu.realtime import Hub, RedisHub, can_read_channel, create_hub
from tierslieu.redis_pool import create_pool

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def unique(prefix: str = "topic") -> str:
    # pub/sub channels are shared by every database of a Redis server
    return f"{prefix}:{uuid.uuid4().hex}"


# --- the hub, in process -----------------------------------------------------


async def test_publish_reaches_the_readers_of_that_channel_only() -> None:
    hub = create_hub(None)
    with hub.listen("topic:1") as reader, hub.listen("topic:2") as other:
        message = await hub.publish("topic:1", "post.created", id=5)
        assert message == {"channel": "topic:1", "type": "post.created", "id": 5}
        assert await reader.next_message() == message
        assert other.pending() == []
        reader.unsubscribe("topic:1")
        await hub.publish("topic:1", "post.created", id=6)
        assert reader.pending() == []
    assert hub.subscriber_count == 0


async def test_a_slow_reader_is_dropped_and_never_holds_up_the_others() -> None:
    hub = Hub(queue_size=3)
    with hub.listen("topic:1") as slow, hub.listen("topic:1") as fast:
        for n in range(5):
            await asyncio.wait_for(hub.publish("topic:1", "post.created", id=n), 0.5)
            assert (await fast.next_message())["id"] == n
        assert slow.close_code == realtime.CLOSE_TRY_AGAIN_LATER
        assert await slow.get() is None  # pending messages discarded, the socket is told
        assert not fast.closed
        await hub.publish("topic:1", "post.created", id=99)
        assert (await fast.next_message())["id"] == 99


async def test_stop_is_idempotent_and_closes_readers() -> None:
    hub = create_hub(None)
    reader = hub.connect()
    reader.subscribe("topic:1")
    await hub.start()
    await hub.stop()
    await hub.stop()
    assert reader.close_code == realtime.CLOSE_SERVICE_RESTART
    assert hub.subscriber_count == 0


async def test_module_publish_uses_the_current_hub_and_is_safe_without_one() -> None:
    previous = realtime.current_hub()
    hub = Hub()
    try:
        realtime.use_hub(None)
        assert await realtime.publish("topic:1", "post.created", id=1) is None
        realtime.use_hub(hub)
        with hub.listen("user:3") as reader:
            await realtime.publish("user:3", "notification.created", id=8)
            assert reader.pending() == [{"channel": "user:3", "type": "notification.created", "id": 8}]
    finally:
        realtime.use_hub(previous)


async def test_publishing_on_a_malformed_channel_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        await Hub().publish("topic:1 2", "post.created")


async def test_channel_checks() -> None:
    me = SimpleNamespace(id=7)
    assert await can_read_channel(me, frozenset(), "user:7")
    assert not await can_read_channel(me, frozenset(), "user:8")
    assert not await can_read_channel(None, frozenset(), "user:7")
    assert not await can_read_channel(me, frozenset({"admin"}), "user:8")
    for refused in ("unknown:7", "user", "user:", "User:7", "user:7:7", "user: 7", "", "x" * 40):
        assert not await can_read_channel(me, frozenset(), refused), refused
    with pytest.raises(ValueError):
        parts.Part(name="extra", channels={"Bad:prefix": realtime.can_read_user})


async def test_a_missing_redis_is_logged_and_retried_without_crashing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(realtime, "START_TIMEOUT", 0.2)
    # a port nobody listens on, and no retries, so that failures are immediate
    pool = BlockingConnectionPool.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.5)
    hub = RedisHub(pool)
    try:
        with caplog.at_level(logging.WARNING, logger="tierslieu.realtime"):
            await hub.start()
            assert not hub.listening
            await hub.publish("topic:1", "post.created", id=1)  # lost, logged, no error
        assert hub._task is not None and not hub._task.done()
        messages = " ".join(record.getMessage() for record in caplog.records)
        assert "lost Redis" in messages
        assert "not published" in messages
    finally:
        await hub.stop()
        await hub.stop()
        await pool.aclose()


# --- the hub through Redis: two processes, each with its own pool -------------


@pytest.fixture
async def two_hubs() -> AsyncIterator[tuple[RedisHub, RedisHub]]:
    pools = [create_pool(TEST_REDIS_URL), create_pool(TEST_REDIS_URL)]
    hubs = [RedisHub(pool) for pool in pools]
    for hub in hubs:
        await hub.start()
        assert hub.listening
    yield hubs[0], hubs[1]
    for hub in hubs:
        await hub.stop()
    for pool in pools:
        await pool.aclose()


async def _delivered_eventually(hub: Hub, reader: realtime.Subscriber, channel: str) -> dict:
    for attempt in range(100):
        await hub.publish(channel, "post.created", id=attempt)
        try:
            return await reader.next_message(0.1)
        except TimeoutError:
            continue
    raise AssertionError("never delivered")


@pytest.mark.redis
async def test_redis_carries_a_message_to_another_process(
    two_hubs: tuple[RedisHub, RedisHub],
) -> None:
    hub_a, hub_b = two_hubs
    channel = unique()
    with hub_b.listen(channel) as reader, hub_a.listen(unique()) as elsewhere:
        message = await hub_a.publish(channel, "post.created", id=5, title="Entraide")
        assert await reader.next_message(2.0) == message
        assert elsewhere.pending() == []


@pytest.mark.redis
async def test_a_message_published_twice_reaches_a_reader_once(
    two_hubs: tuple[RedisHub, RedisHub],
) -> None:
    """redis-py retries a PUBLISH whose reply timed out, though Redis may have got it: the
    copy carries the same key and no process hands it to its sockets twice."""
    hub_a, hub_b = two_hubs
    channel = unique()
    spy = Redis.from_url(TEST_REDIS_URL).pubsub()
    try:
        await spy.subscribe(realtime.REDIS_PREFIX + channel)
        assert (await spy.get_message(timeout=2))["type"] == "subscribe"
        with hub_a.listen(channel) as here, hub_b.listen(channel) as there:
            await hub_a.publish(channel, "post.created", id=1)
            sent = await spy.get_message(timeout=2)
            admin = Redis.from_url(TEST_REDIS_URL)
            try:
                await admin.publish(realtime.REDIS_PREFIX + channel, sent["data"])  # the retry
            finally:
                await admin.aclose()
            await hub_a.publish(channel, "post.created", id=2)
            for reader in (here, there):
                assert [(await reader.next_message(2.0))["id"] for _ in range(2)] == [1, 2]
                await asyncio.sleep(0.2)
                assert reader.pending() == []
    finally:
        await spy.aclose()


async def _kill_listener_connection(hub: RedisHub) -> None:
    """CLIENT KILL TYPE pubsub, narrowed to this hub's connection (others may share
    this Redis)."""
    assert hub._pubsub is not None and hub._pubsub.connection is not None
    host, port = hub._pubsub.connection._writer.get_extra_info("sockname")[:2]
    admin = Redis.from_url(TEST_REDIS_URL)
    try:
        killed = await admin.client_kill_filter(_type="pubsub", addr=f"{host}:{port}")
    finally:
        await admin.aclose()
    assert killed == 1


@pytest.mark.redis
async def test_the_redis_listener_comes_back_after_losing_its_connection(
    two_hubs: tuple[RedisHub, RedisHub],
) -> None:
    hub_a, hub_b = two_hubs
    channel = unique()
    with hub_b.listen(channel) as reader:
        await _delivered_eventually(hub_a, reader, channel)
        await _kill_listener_connection(hub_b)
        reader.pending()
        message = await _delivered_eventually(hub_a, reader, channel)
        assert message["channel"] == channel


@pytest.mark.redis
async def test_the_listener_reconnects_by_itself_when_the_client_gives_up(
    two_hubs: tuple[RedisHub, RedisHub], caplog: pytest.LogCaptureFixture
) -> None:
    hub_a = two_hubs[0]
    # no retries in redis-py: the connection error reaches the hub's own loop
    pool = BlockingConnectionPool.from_url(TEST_REDIS_URL, retry=Retry(NoBackoff(), 0))
    hub_b = RedisHub(pool)
    channel = unique()
    try:
        await hub_b.start()
        with hub_b.listen(channel) as reader, caplog.at_level(logging.INFO, "tierslieu.realtime"):
            await _delivered_eventually(hub_a, reader, channel)
            await _kill_listener_connection(hub_b)
            message = await _delivered_eventually(hub_a, reader, channel)
            assert message["channel"] == channel
        messages = [record.getMessage() for record in caplog.records]
        assert any("lost Redis" in text for text in messages)
        assert any("listening to Redis again" in text for text in messages)
    finally:
        await hub_b.stop()
        await pool.aclose()


# --- the /ws endpoint ----------------------------------------------------------


def ws_url(live_server: str) -> str:
    return live_server.replace("http://", "ws://", 1) + "/ws"


async def ask(socket: ClientConnection, request: dict | str) -> dict:
    await socket.send(request if isinstance(request, str) else json.dumps(request))
    return json.loads(await asyncio.wait_for(socket.recv(), 2))


async def test_anonymous_socket_is_refused_private_channels_and_stays_open(
    live_server: str,
) -> None:
    async with connect(ws_url(live_server)) as socket:
        assert await ask(socket, {"subscribe": "user:1"}) == {"error": {"code": "forbidden", "channel": "user:1"}}
        assert await ask(socket, {"subscribe": "nowhere:1"}) == {"error": {"code": "forbidden", "channel": "nowhere:1"}}
        malformed = ("not json", "[]", '{"subscribe": 42}', '{"subscribe": "a", "other": "b"}')
        for bad in malformed:
            assert await ask(socket, bad) == {"error": {"code": "bad_request"}}, bad
        assert await ask(socket, {"unsubscribe": "user:1"}) == {"unsubscribed": "user:1"}


async def test_a_foreign_origin_is_refused_at_the_handshake(live_server: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(ws_url(live_server), origin="http://evil.example"):
            pass
    assert refused.value.response.status_code == 403


async def test_own_origin_is_accepted(live_server: str) -> None:
    async with connect(ws_url(live_server), origin=live_server) as socket:
        assert await ask(socket, {"unsubscribe": "topic:1"}) == {"unsubscribed": "topic:1"}


async def test_a_signed_in_member_follows_own_notifications(live_server: str, settings) -> None:
    password = "correct horse battery staple"
    user = await accounts.create_user("ada@example.org", password, "Ada")
    other = await accounts.create_user("bob@example.org", password, "Bob")
    cookie = await accounts.start_session(user, "127.0.0.1", "pytest", settings)
    headers = {"Cookie": f"{SESSION_COOKIE}={cookie}"}
    async with connect(ws_url(live_server), origin=live_server, additional_headers=headers) as socket:
        channel = f"user:{user.id}"
        assert await ask(socket, {"subscribe": channel}) == {"subscribed": channel}
        assert await ask(socket, {"subscribe": channel}) == {"subscribed": channel}
        assert await ask(socket, {"subscribe": f"user:{other.id}"}) == {
            "error": {"code": "forbidden", "channel": f"user:{other.id}"}
        }
        await realtime.publish(f"user:{other.id}", "notification.created", id=1)
        await realtime.publish(channel, "notification.created", id=2)
        event = json.loads(await asyncio.wait_for(socket.recv(), 2))
        assert event == {"channel": channel, "type": "notification.created", "id": 2}
        assert await ask(socket, {"unsubscribe": channel}) == {"unsubscribed": channel}
        await realtime.publish(channel, "notification.created", id=3)
        assert await ask(socket, {"unsubscribe": channel}) == {"unsubscribed": channel}


async def test_subscriptions_per_socket_are_limited(live_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async def anyone(user, roles, ident: str) -> bool:
        return True

    monkeypatch.setitem(parts.installed().channels, "testing", anyone)
    monkeypatch.setattr(realtime, "MAX_SUBSCRIPTIONS", 2)
    async with connect(ws_url(live_server)) as socket:
        assert await ask(socket, {"subscribe": "testing:1"}) == {"subscribed": "testing:1"}
        assert await ask(socket, {"subscribe": "testing:2"}) == {"subscribed": "testing:2"}
        assert await ask(socket, {"subscribe": "testing:3"}) == {
            "error": {"code": "too_many_subscriptions", "channel": "testing:3"}
        }
        assert await ask(socket, {"unsubscribe": "testing:1"}) == {"unsubscribed": "testing:1"}
        assert await ask(socket, {"subscribe": "testing:3"}) == {"subscribed": "testing:3"}


async def test_a_socket_that_falls_behind_is_closed_and_forgotten(
    live_server: str, app, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def anyone(user, roles, ident: str) -> bool:
        return True

    monkeypatch.setitem(parts.installed().channels, "testing", anyone)
    hub: Hub = app.state.hub
    hub.queue_size = 5
    async with connect(ws_url(live_server)) as socket:
        assert await ask(socket, {"subscribe": "testing:1"}) == {"subscribed": "testing:1"}
        assert hub.subscriber_count == 1
        for n in range(10):  # no await yields here: the mailbox overflows
            await hub.publish("testing:1", "post.created", id=n)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(socket.recv(), 2)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == realtime.CLOSE_TRY_AGAIN_LATER
    for _ in range(200):  # the server notices the disconnect a moment later
        if not hub.subscriber_count:
            break
        await asyncio.sleep(0.01)
    assert hub.subscriber_count == 0


@pytest.mark.redis
async def test_a_revocation_announced_in_one_process_closes_sockets_in_another(
    two_hubs: tuple[RedisHub, RedisHub],
) -> None:
    hub_a, hub_b = two_hubs
    user_id = uuid.uuid4().int % 10**9  # channels are shared by every database of a Redis server
    ended, kept = hub_b.connect(), hub_b.connect()
    ended.watch_session(user_id, lambda: _answer_now(False))
    kept.watch_session(user_id, lambda: _answer_now(True))
    for subscriber in (ended, kept):
        subscriber.subscribe(f"user:{user_id}")
    await hub_a.publish(f"user:{user_id}", realtime.SESSION_REVOKED)
    for _ in range(100):
        if ended.closed:
            break
        await asyncio.sleep(0.02)
    await hub_b.settled()
    assert ended.close_code == realtime.CLOSE_POLICY_VIOLATION
    assert not kept.closed and kept.pending() == []  # the control message never reaches a client
    kept.close()


async def _answer_now(value: bool) -> bool:
    return value


async def test_sockets_are_logged_with_what_their_handshake_answered(
    live_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    """An accepted socket is a 101 in the request log, a refused one a 403, never a 500."""
    url = live_server.replace("http://", "ws://") + "/ws"
    with caplog.at_level(logging.INFO, logger="tierslieu"):
        async with connect(url, origin=live_server) as socket:
            await socket.send(json.dumps({"subscribe": "topic:1"}))
            await socket.recv()
        with pytest.raises(InvalidStatus):
            async with connect(url, origin="https://elsewhere.example.org"):
                pass
        await asyncio.sleep(0.1)
    statuses = [record.status for record in caplog.records if record.getMessage() == "request"]
    assert statuses == [101, 403]
