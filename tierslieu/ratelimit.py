"""Rate limits (moving windows, from the ``limits`` library): in memory for one
process, in Redis when ``TIERSLIEU_REDIS_URL`` is set so that every process counts
together. Thresholds are the ones published in API.md.

With Redis down or frozen, a request does not wait for it: the pool's circuit breaker
(:mod:`tierslieu.redis_pool`) sends the counting to this process's memory, and the log
says so once when it starts and once when Redis counts again."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from tierslieu.errors import TooManyRequests
from tierslieu.redis_pool import Breaker, Unavailable, breaker_of

log = logging.getLogger("tierslieu.ratelimit")

T = TypeVar("T")


@dataclass(frozen=True)
class Limit:
    name: str
    item: RateLimitItem


LOGIN_PER_ACCOUNT = Limit("login-account", parse("10/15 minutes"))
LOGIN_PER_ADDRESS = Limit("login-address", parse("100/15 minutes"))
RESET_PER_ACCOUNT = Limit("reset-account", parse("5/hour"))
RESET_PER_ADDRESS = Limit("reset-address", parse("50/hour"))
SIGNUP_PER_ADDRESS = Limit("signup-address", parse("300/hour"))


class RateLimiter:
    def __init__(self, storage: Storage, breaker: Breaker | None = None) -> None:
        self.storage = storage
        self.limiter = MovingWindowRateLimiter(storage)
        # with a shared storage: the breaker guarding it, and the counters used meanwhile
        self.breaker = breaker
        self.fallback = MovingWindowRateLimiter(MemoryStorage()) if breaker is not None else None
        self._falling_back = False

    @classmethod
    def create(cls, redis_pool=None) -> RateLimiter:
        if redis_pool is None:
            return cls(MemoryStorage())
        return cls(
            RedisStorage(
                "async+redis://",
                implementation="redispy",
                connection_pool=redis_pool,
                key_prefix="tierslieu-limits",
                wrap_exceptions=False,
            ),
            breaker_of(redis_pool),
        )

    @property
    def shared(self) -> bool:
        """False while the counting happens in this process only (Redis unavailable)."""
        return self.breaker is not None and not self._falling_back

    async def _use(self, work: Callable[[MovingWindowRateLimiter], Awaitable[T]]) -> T:
        if self.breaker is None or self.fallback is None:
            return await work(self.limiter)
        try:
            result = await self.breaker.call(lambda: work(self.limiter))
        except Unavailable as exc:
            if not self._falling_back:
                self._falling_back = True
                log.warning("rate limits: Redis unavailable (%s), counting in this process only", exc)
            return await work(self.fallback)
        if self._falling_back:
            self._falling_back = False
            log.warning("rate limits: counting in Redis again, shared by every process")
        return result

    async def check(self, limit: Limit, key: str) -> None:
        """Raise 429 when ``key`` has used up ``limit`` (without counting this call)."""

        async def check(limiter: MovingWindowRateLimiter) -> float | None:
            if await limiter.test(limit.item, limit.name, key):
                return None
            stats = await limiter.get_window_stats(limit.item, limit.name, key)
            return stats.reset_time

        reset_time = await self._use(check)
        if reset_time is not None:
            raise TooManyRequests(retry_after=max(1, int(reset_time - time.time())))

    async def hit(self, limit: Limit, key: str) -> None:
        await self._use(lambda limiter: limiter.hit(limit.item, limit.name, key))
