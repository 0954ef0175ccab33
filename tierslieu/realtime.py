"""Live updates: one websocket per page, named channels, and a hub that fans out.

A page subscribes to channels such as ``topic:42`` or ``user:7``; services publish
events on them *after* their transaction commits::

    await realtime.publish("topic:42", "post.created", id=post.id)

The hub delivers in process by default. With Redis configured, every process
PUBLISHes to ``tierslieu:{channel}`` and a single listener task per process
PSUBSCRIBEs ``tierslieu:*`` and hands each message to the local subscribers, so a
post written through one worker reaches sockets held by another.

Each message goes through Redis with a key unique to the publishing process
(``"{origin}.{n} {json}"``) and each process hands a key to its sockets once: a PUBLISH
that reached Redis but whose reply timed out is retried by the pool, or delivered here
as a fallback, and would otherwise reach a socket twice.

With Redis down or frozen, nothing waits for it: the pool's circuit breaker
(:mod:`tierslieu.redis_pool`) makes a publish deliver in this process only, and the
listener keeps trying to come back. Whoever may have missed something is then told so:
when the listener is back after a loss, each socket of this process receives
``{"channel": …, "type": "resync"}`` for each of its channels, and the channels whose
events could not be published are announced the same way to every process; a client
refetches what it shows of that channel (``static/live.js``), as it does after it
reconnected by itself. Sessions revoked meanwhile are checked again.

Each socket has a bounded mailbox: publishing never waits on a socket, and a
socket too slow to keep up is closed (1013, "try again later") instead.

A socket opened with a session watches it: when a service announces that some of a
person's sessions ended (``SESSION_REVOKED`` on ``user:{id}``, through the same hub, so
in every process), each of that person's sockets checks its session again and closes
(1008) when it is gone. The control message never reaches a client.

Who may read a channel is decided by the check a part's manifest declares for its
prefix (``Part.channels``); an unknown prefix or a malformed name is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from tierslieu import identity, parts
from tierslieu.middleware import SESSION_COOKIE, foreign_origin
from tierslieu.redis_pool import Unavailable, breaker_of

log = logging.getLogger("tierslieu.realtime")

QUEUE_SIZE = 100  # messages waiting for one socket before it is dropped as too slow
MAX_SUBSCRIPTIONS = 50  # channels per socket
MAX_CLIENT_MESSAGE = 512  # characters in one client frame
REDIS_PREFIX = "tierslieu:"
START_TIMEOUT = 5.0
POLL_SECONDS = 5.0  # the listener wakes this often, so Redis health checks run
RECONNECT_MIN, RECONNECT_MAX = 0.2, 5.0
MAX_MISSED = 1000  # channels remembered as missed during an outage; past it, every channel
SEEN_KEYS = 10_000  # message keys a process remembers having delivered (duplicates come seconds apart)

CLOSE_NORMAL = 1000
CLOSE_POLICY_VIOLATION = 1008  # the session behind the socket ended
CLOSE_SERVICE_RESTART = 1012
CLOSE_TRY_AGAIN_LATER = 1013

# a kernel control message on ``user:{id}``: some of that person's sessions ended
SESSION_REVOKED = "session.revoked"
# to a client: events of this channel may have been missed; fetch its state again
RESYNC = "resync"
# on the Redis channel ``tierslieu:resync_all``: every channel may have missed events
RESYNC_ALL = "resync_all"

CHANNEL_RE = re.compile(r"[a-z][a-z_]{0,31}(?::[A-Za-z0-9_-]{1,64})?")

# ---------------------------------------------------------------------------
# Channels and who may read them: each part's manifest declares its prefixes
# (``Part.channels``); the kernel's own declares ``user``.


def valid_channel(channel: str) -> bool:
    return isinstance(channel, str) and CHANNEL_RE.fullmatch(channel) is not None


async def can_read_channel(user: Any, roles: frozenset[str], channel: str) -> bool:
    """True when this reader may subscribe to ``channel``."""
    if not valid_channel(channel):
        return False
    prefix, _, ident = channel.partition(":")
    check = parts.installed().channels.get(prefix)
    if check is None:
        return False
    return bool(await check(user, roles, ident))


async def can_read_user(user: Any, roles: frozenset[str], ident: str) -> bool:
    # one's own notifications only
    return user is not None and ident == str(user.id)


# ---------------------------------------------------------------------------
# The hub


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str)


class Subscriber:
    """One socket's mailbox: the channels it listens to and a bounded queue of
    JSON texts. ``get()`` returns None once the hub has closed it; ``close_code``
    then says why."""

    def __init__(self, hub: Hub, maxsize: int = QUEUE_SIZE) -> None:
        self._hub = hub
        self._queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize)
        self.channels: set[str] = set()
        self.close_code: int | None = None
        # a socket opened with a session: whose, and how to tell whether it still holds
        self.user_key: str | None = None
        self.session_alive: Callable[[], Awaitable[bool]] | None = None
        # while its session is checked again, what arrives waits here: nothing private
        # reaches a socket whose session may have ended
        self._held: list[str] | None = None
        self._checks = 0  # session checks under way

    def watch_session(self, user_id: int, alive: Callable[[], Awaitable[bool]]) -> None:
        """Close this subscriber when ``alive()`` turns false after a revocation of
        ``user_id``'s sessions is announced."""
        if self.closed:
            return
        self.user_key, self.session_alive = str(user_id), alive
        self._hub._sessions.setdefault(self.user_key, set()).add(self)

    @property
    def closed(self) -> bool:
        return self.close_code is not None

    def subscribe(self, channel: str) -> None:
        if not self.closed:
            self.channels.add(channel)
            self._hub._listeners.setdefault(channel, set()).add(self)

    def unsubscribe(self, channel: str) -> None:
        self.channels.discard(channel)
        listeners = self._hub._listeners.get(channel)
        if listeners is not None:
            listeners.discard(self)
            if not listeners:
                del self._hub._listeners[channel]

    def push(self, text: str) -> bool:
        """Queue one text without waiting; a full queue closes the subscriber."""
        if self.closed:
            return False
        if self._held is not None:
            if len(self._held) >= self._queue.maxsize:
                self.close(CLOSE_TRY_AGAIN_LATER)
                return False
            self._held.append(text)
            return True
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            log.warning("live socket too slow, dropped", extra={"channels": sorted(self.channels)})
            self.close(CLOSE_TRY_AGAIN_LATER)
            return False
        return True

    def close(self, code: int = CLOSE_NORMAL) -> None:
        """Leave every channel, discard what is pending and wake ``get()`` with None."""
        if self.closed:
            return
        self.close_code = code
        self._held = None
        for channel in list(self.channels):
            self.unsubscribe(channel)
        self._hub._subscribers.discard(self)
        if self.user_key is not None:
            watchers = self._hub._sessions.get(self.user_key, set())
            watchers.discard(self)
            if not watchers:
                self._hub._sessions.pop(self.user_key, None)
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(None)

    def hold(self) -> None:
        """Keep what arrives from now on until each ``hold()`` is released (or ``close()``)."""
        self._checks += 1
        if self._held is None:
            self._held = []

    def release(self) -> None:
        self._checks = max(0, self._checks - 1)
        if self._checks:
            return
        held, self._held = self._held or [], None
        for text in held:
            self.push(text)

    async def get(self) -> str | None:
        return await self._queue.get()

    async def next_message(self, within: float = 1.0) -> dict[str, Any]:
        """The next message, decoded (for tests): TimeoutError past ``within``
        seconds, LookupError once closed."""
        text = await asyncio.wait_for(self.get(), within)
        if text is None:
            raise LookupError(f"subscriber closed ({self.close_code})")
        return json.loads(text)

    def pending(self) -> list[dict[str, Any]]:
        """Every message waiting now, decoded, without waiting (for tests)."""
        messages = []
        while not self._queue.empty():
            text = self._queue.get_nowait()
            if text is None:
                self._queue.put_nowait(None)
                break
            messages.append(json.loads(text))
        return messages


class Hub:
    """In-process delivery: one process holds every socket (the SQLite set-up)."""

    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self.queue_size = queue_size
        self._listeners: dict[str, set[Subscriber]] = {}
        self._subscribers: set[Subscriber] = set()
        self._sessions: dict[str, set[Subscriber]] = {}  # user id -> sockets on a session
        self._checks: set[asyncio.Task[None]] = set()

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    async def start(self) -> None:
        """Nothing to start in process."""

    async def stop(self) -> None:
        """Close every subscriber (their sockets are told the service restarts)."""
        for subscriber in list(self._subscribers):
            subscriber.close(CLOSE_SERVICE_RESTART)

    def connect(self) -> Subscriber:
        subscriber = Subscriber(self, self.queue_size)
        self._subscribers.add(subscriber)
        return subscriber

    @contextlib.contextmanager
    def listen(self, *channels: str) -> Iterator[Subscriber]:
        """A subscriber to ``channels`` for the duration of the block."""
        subscriber = self.connect()
        for channel in channels:
            subscriber.subscribe(channel)
        try:
            yield subscriber
        finally:
            subscriber.close()

    async def publish(self, channel: str, type: str, **data: Any) -> dict[str, Any]:
        """Send ``{"channel", "type", **data}`` to every reader of ``channel``."""
        if not valid_channel(channel):
            raise ValueError(f"invalid channel name: {channel!r}")
        message = {"channel": channel, "type": type, **data}
        await self._send(channel, encode(message))
        return message

    async def _send(self, channel: str, text: str) -> None:
        self.dispatch(channel, text)

    def dispatch(self, channel: str, text: str) -> int:
        """Hand a text to this process's readers of ``channel``; how many took it."""
        if channel.startswith("user:") and _is_revocation(text):
            self._recheck_sessions(channel.partition(":")[2])
            return 0
        delivered = 0
        for subscriber in list(self._listeners.get(channel, ())):
            delivered += subscriber.push(text)
        return delivered

    def resync(self, channels: set[str] | None = None) -> int:
        """Tell this process's sockets on ``channels`` (every socket when None) that they may
        have missed events; a session behind a socket is checked again too. How many messages."""
        told = 0
        for subscriber in list(self._subscribers):
            for channel in sorted(subscriber.channels):
                if channels is None or channel in channels:
                    told += subscriber.push(encode({"channel": channel, "type": RESYNC}))
        if channels is None:
            for user_key in list(self._sessions):
                self._recheck_sessions(user_key)
        return told

    def _recheck_sessions(self, user_key: str) -> None:
        for subscriber in list(self._sessions.get(user_key, ())):
            subscriber.hold()
            task = asyncio.create_task(_recheck(subscriber), name="tierslieu.realtime.recheck")
            self._checks.add(task)
            task.add_done_callback(self._checks.discard)
            task.add_done_callback(_report_crash)

    async def settled(self) -> None:
        """Until every pending session check is done (for tests)."""
        while self._checks:
            await asyncio.wait(set(self._checks))


def _is_revocation(text: str) -> bool:
    try:
        message = json.loads(text)
    except ValueError:
        return False
    return isinstance(message, dict) and message.get("type") == SESSION_REVOKED


async def _recheck(subscriber: Subscriber) -> None:
    """Close ``subscriber`` unless its session still holds (closed too if the check fails)."""
    if subscriber.closed or subscriber.session_alive is None:
        subscriber.release()
        return
    alive = False
    try:
        alive = await subscriber.session_alive()
    finally:
        if alive:
            subscriber.release()
        else:
            subscriber.close(CLOSE_POLICY_VIOLATION)


class RedisHub(Hub):
    """Delivery across processes through Redis pub/sub."""

    def __init__(self, pool: BlockingConnectionPool, queue_size: int = QUEUE_SIZE) -> None:
        super().__init__(queue_size)
        self._redis = Redis(connection_pool=pool)
        self.breaker = breaker_of(pool)
        # channels whose events could not be published: announced once Redis is back
        self._missed: set[str] = set()
        self._missed_all = False
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        self._pubsub: PubSub | None = None  # the listener's, while it runs
        self._origin = secrets.token_hex(6)
        self._numbers = itertools.count()
        self._seen: dict[str, None] = {}  # keys delivered here, oldest first

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    async def wait_listening(self) -> None:
        """Until the listener is subscribed (for tests and start-up)."""
        await self._listening.wait()

    async def start(self) -> None:
        if self._task is not None:
            return
        self._task = asyncio.create_task(self._listen(), name="tierslieu.realtime.listener")
        self._task.add_done_callback(_report_crash)
        try:
            await asyncio.wait_for(self.wait_listening(), START_TIMEOUT)
        except TimeoutError:
            log.warning("live updates: Redis does not answer yet, still trying")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            await _cancel(task)
        self._listening.clear()
        await super().stop()

    def _frame(self, text: str) -> tuple[str, str]:
        """A new key for ``text`` and what travels through Redis."""
        key = f"{self._origin}.{next(self._numbers)}"
        return key, f"{key} {text}"

    def _first_time(self, key: str) -> bool:
        """True the first time ``key`` is seen in this process (remembered for a while)."""
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > SEEN_KEYS:
            del self._seen[next(iter(self._seen))]
        return True

    async def _send(self, channel: str, text: str) -> None:
        key, payload = self._frame(text)
        try:
            await self.breaker.call(lambda: self._redis.publish(REDIS_PREFIX + channel, payload))
        except Unavailable as exc:
            # the change is committed already: this process's sockets still hear of it, the
            # others' are told to refetch once Redis is back (it may have got the message
            # before its reply was lost: the key keeps this process from delivering it twice)
            log.warning("live update not published: %s", exc, extra={"channel": channel})
            self._remember_missed(channel)
            if self._first_time(key):
                self.dispatch(channel, text)
            return
        if self._missed or self._missed_all:
            await self._announce_missed()

    def _remember_missed(self, channel: str) -> None:
        if not self._missed_all:
            self._missed.add(channel)
            if len(self._missed) > MAX_MISSED:
                self._missed_all, self._missed = True, set()

    async def _announce_missed(self) -> None:
        """Publish a resync for each channel whose events were lost (to every process)."""
        missed, self._missed = self._missed, set()
        everything, self._missed_all = self._missed_all, False
        notices = [(RESYNC_ALL, "")] if everything else [(channel, RESYNC) for channel in sorted(missed)]
        for index, (channel, type_) in enumerate(notices):
            text = encode({"channel": channel, "type": type_}) if type_ else encode({"type": RESYNC_ALL})
            payload = self._frame(text)[1]
            try:
                await self.breaker.call(lambda c=channel, p=payload: self._redis.publish(REDIS_PREFIX + c, p))
            except Unavailable:
                for rest, _ in notices[index:]:
                    if rest == RESYNC_ALL:
                        self._missed_all = True
                    else:
                        self._remember_missed(rest)
                return
        log.info("live updates: told every process to resync %s", "every channel" if everything else sorted(missed))

    async def _listen(self) -> None:
        delay = RECONNECT_MIN
        lost = False  # events may have passed while the listener was away
        while True:
            self._pubsub = pubsub = self._redis.pubsub()
            try:
                await pubsub.psubscribe(REDIS_PREFIX + "*")
                while True:
                    message = await pubsub.get_message(timeout=POLL_SECONDS)
                    if message is None:
                        continue
                    if message["type"] == "psubscribe":
                        # also sent again when redis-py reconnects by itself
                        if delay > RECONNECT_MIN or self._listening.is_set() or lost:
                            log.warning("live updates: listening to Redis again; clients told to resync")
                            self.resync()
                        self._listening.set()
                        lost = False
                        delay = RECONNECT_MIN
                        if self._missed or self._missed_all:
                            await self._announce_missed()
                    elif message["type"] == "pmessage":
                        self._deliver(message["channel"], message["data"])
            except (RedisError, OSError) as exc:
                self._listening.clear()
                lost = True
                log.warning("live updates: lost Redis (%s), retrying in %.1f s", exc, delay)
            finally:
                self._pubsub = None
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX)

    def _deliver(self, raw_channel: bytes | str, raw_data: bytes | str) -> None:
        channel = _text(raw_channel).removeprefix(REDIS_PREFIX)
        key, _, text = _text(raw_data).partition(" ")
        if not text or not self._first_time(key):
            return  # not ours, or a copy of a message delivered already
        if channel == RESYNC_ALL:
            self.resync()
            return
        self.dispatch(channel, text)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


async def _cancel(task: asyncio.Task[None]) -> None:
    """Cancel ``task`` and wait for it to end, without swallowing our own cancellation."""
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("live updates: %s failed", task.get_name(), exc_info=task.exception())


def create_hub(redis_pool: BlockingConnectionPool | None) -> Hub:
    return RedisHub(redis_pool) if redis_pool is not None else Hub()


_hub: Hub | None = None


def use_hub(hub: Hub | None) -> None:
    """Make ``hub`` the one ``publish()`` uses (``create_app`` calls this)."""
    global _hub
    _hub = hub


def current_hub() -> Hub | None:
    return _hub


async def publish(channel: str, type: str, **data: Any) -> dict[str, Any] | None:
    """Announce a committed change to the readers of ``channel`` (None without a hub)."""
    if _hub is None:
        return None
    return await _hub.publish(channel, type, **data)


# ---------------------------------------------------------------------------
# The websocket endpoint


def _error(code: str, channel: str | None = None) -> str:
    body: dict[str, str] = {"code": code}
    if channel is not None:
        body["channel"] = channel
    return encode({"error": body})


def _request(text: str) -> tuple[str, str] | None:
    """("subscribe" | "unsubscribe", channel) from one client frame, or None."""
    if len(text) > MAX_CLIENT_MESSAGE:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or len(data) != 1:
        return None
    ((action, channel),) = data.items()
    if action not in ("subscribe", "unsubscribe") or not isinstance(channel, str):
        return None
    return action, channel


async def _answer(websocket: WebSocket, subscriber: Subscriber, text: str) -> str:
    request = _request(text)
    if request is None:
        return _error("bad_request")
    action, channel = request
    if action == "unsubscribe":
        subscriber.unsubscribe(channel)
        return encode({"unsubscribed": channel})
    if channel in subscriber.channels:
        return encode({"subscribed": channel})
    if len(subscriber.channels) >= MAX_SUBSCRIPTIONS:
        return _error("too_many_subscriptions", channel)
    state = websocket.scope.get("state", {})
    if not await can_read_channel(state.get("user"), state.get("roles", frozenset()), channel):
        return _error("forbidden", channel)
    subscriber.subscribe(channel)
    return encode({"subscribed": channel})


async def _send_loop(websocket: WebSocket, subscriber: Subscriber) -> None:
    try:
        while (text := await subscriber.get()) is not None:
            await websocket.send_text(text)
        await websocket.close(subscriber.close_code or CLOSE_NORMAL)
    except (WebSocketDisconnect, OSError):
        pass  # the client went away; the reader sees the disconnect


async def live(websocket: WebSocket) -> None:
    if foreign_origin(websocket.scope, websocket.app.state.settings):
        await websocket.close(code=1008)  # before accept: the server answers 403
        return
    await websocket.accept()
    hub: Hub = websocket.app.state.hub
    subscriber = hub.connect()
    state = websocket.scope.get("state", {})
    cookie = websocket.cookies.get(SESSION_COOKIE)
    if state.get("auth") == "session" and state.get("user") is not None and cookie:
        settings = websocket.app.state.settings

        async def alive() -> bool:
            return await identity.current().resolve_session(cookie, settings) is not None

        subscriber.watch_session(state["user"].id, alive)
    sender = asyncio.create_task(_send_loop(websocket, subscriber))
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is None:
                text = (message.get("bytes") or b"").decode("utf-8", "replace")
            # replies travel through the mailbox, so one task writes to the socket
            subscriber.push(await _answer(websocket, subscriber, text))
    finally:
        subscriber.close()
        await _cancel(sender)


websocket_route = WebSocketRoute("/ws", live, name="ws")
