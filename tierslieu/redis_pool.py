"""One Redis connection pool per process, shared by the live hub and the rate limits, and
the circuit breaker that keeps requests from waiting for a Redis that is down or frozen.

redis-py's asyncio pool raises once every connection is taken and gives pooled
connections no retries unless told: a blocking pool waits instead (briefly), and one quick
retry rides over a dropped connection. Every socket operation has a short timeout, so a
frozen Redis (SIGSTOP, a full network buffer) costs a request at most
:data:`CALL_DEADLINE` seconds; after a failure the :class:`Breaker` opens and callers skip
Redis at once (rate limits count in the process, live updates stay in the process) until
a single trial call, every :data:`COOL_DOWN` seconds, succeeds again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import BlockingConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("tierslieu.redis")

MAX_CONNECTIONS = 64
SOCKET_TIMEOUT = 0.5  # seconds for one read or write on a Redis socket
CONNECT_TIMEOUT = 0.5
POOL_WAIT = 2.0  # seconds a caller waits for a free connection when all are taken
CALL_DEADLINE = 1.2  # seconds one guarded call may take, retries included
COOL_DOWN = 2.0  # seconds the breaker stays open before one trial call
HEALTH_CHECK_SECONDS = 5

T = TypeVar("T")

# what a Redis outage looks like to a caller
UNAVAILABLE: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)


class Unavailable(Exception):
    """Redis is not used for this call: the breaker is open, or the call just failed."""


class Breaker:
    """Closed: calls go to Redis. A failed call opens it: calls fail at once with
    :class:`Unavailable` for ``cool_down`` seconds; then one trial call is let through
    (the others still fail at once), and its success closes the breaker again."""

    def __init__(self, cool_down: float = COOL_DOWN, deadline: float = CALL_DEADLINE) -> None:
        self.cool_down = cool_down
        self.deadline = deadline
        self.opened_at: float | None = None
        self._trial = False
        self._listeners: list[Callable[[bool], None]] = []

    @property
    def open(self) -> bool:
        return self.opened_at is not None

    def on_change(self, listener: Callable[[bool], None]) -> None:
        """Call ``listener(available)`` whenever the breaker closes (True) or opens (False)."""
        self._listeners.append(listener)

    def _allow(self) -> bool:
        if self.opened_at is None:
            return True
        if self._trial or time.monotonic() - self.opened_at < self.cool_down:
            return False
        self._trial = True
        return True

    def record_failure(self, exc: BaseException) -> None:
        was_open = self.open
        self.opened_at = time.monotonic()
        self._trial = False
        if not was_open:
            log.warning("Redis unavailable (%s: %s): going on without it", type(exc).__name__, exc)
            for listener in self._listeners:
                listener(False)

    def record_success(self) -> None:
        self._trial = False
        if self.opened_at is not None:
            self.opened_at = None
            log.warning("Redis available again")
            for listener in self._listeners:
                listener(True)

    async def call(self, work: Callable[[], Awaitable[T]]) -> T:
        """``await work()`` within the deadline; :class:`Unavailable` when the breaker is
        open or the call fails (the failure opens it)."""
        if not self._allow():
            raise Unavailable("the Redis circuit breaker is open")
        try:
            async with asyncio.timeout(self.deadline):
                result = await work()
        except UNAVAILABLE as exc:
            self.record_failure(exc)
            raise Unavailable(str(exc) or type(exc).__name__) from exc
        except BaseException:
            self._trial = False
            raise
        self.record_success()
        return result


class Pool(BlockingConnectionPool):
    """The blocking pool with its breaker (``pool.breaker``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.breaker = Breaker()


def breaker_of(pool: BlockingConnectionPool) -> Breaker:
    """The breaker of ``pool`` (one is attached to a pool made elsewhere, as in tests)."""
    breaker = getattr(pool, "breaker", None)
    if breaker is None:
        breaker = Breaker()
        pool.breaker = breaker  # type: ignore[attr-defined]
    return breaker


def create_pool(url: str, max_connections: int = MAX_CONNECTIONS) -> Pool:
    return Pool.from_url(
        url,
        max_connections=max_connections,
        timeout=POOL_WAIT,
        retry=Retry(ExponentialBackoff(cap=0.1, base=0.02), retries=1),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        health_check_interval=HEALTH_CHECK_SECONDS,
        socket_timeout=SOCKET_TIMEOUT,
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_keepalive=True,
    )
