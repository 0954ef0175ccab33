"""Rate limits (moving windows, from the ``limits`` library): in memory for one
process, in Redis when ``TIERSLIEU_REDIS_URL`` is set so that every process counts
together. Thresholds are the ones published in API.md."""

from __future__ import annotations

import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from tierslieu.errors import TooManyRequests


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
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.limiter = MovingWindowRateLimiter(storage)

    @classmethod
    def create(cls, redis_pool=None) -> RateLimiter:
        if redis_pool is None:
            return cls(MemoryStorage())
        return cls(
            RedisStorage(
                "async+redis://", implementation="redispy", connection_pool=redis_pool, key_prefix="tierslieu-limits"
            )
        )

    async def check(self, limit: Limit, key: str) -> None:
        """Raise 429 when ``key`` has used up ``limit`` (without counting this call)."""
        if not await self.limiter.test(limit.item, limit.name, key):
            stats = await self.limiter.get_window_stats(limit.item, limit.name, key)
            raise TooManyRequests(retry_after=max(1, int(stats.reset_time - time.time())))

    async def hit(self, limit: Limit, key: str) -> None:
        await self.limiter.hit(limit.item, limit.name, key)
