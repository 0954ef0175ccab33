"""Rate limits: in memory for one process, shared through Redis for several."""

from __future__ import annotations

import os
import uuid

import pytest

from tierslieu.errors import TooManyRequests
from tierslieu.ratelimit import LOGIN_PER_ACCOUNT, RateLimiter
from tierslieu.redis_pool import create_pool


async def exhaust(limiter: RateLimiter, key: str, times: int) -> None:
    for _ in range(times):
        await limiter.check(LOGIN_PER_ACCOUNT, key)
        await limiter.hit(LOGIN_PER_ACCOUNT, key)


async def test_memory_limiter_refuses_the_eleventh_failure():
    limiter = RateLimiter.create()
    await exhaust(limiter, "someone@example.org", 10)
    with pytest.raises(TooManyRequests) as raised:
        await limiter.check(LOGIN_PER_ACCOUNT, "someone@example.org")
    assert 0 < raised.value.retry_after <= 15 * 60
    await limiter.check(LOGIN_PER_ACCOUNT, "other@example.org")  # keys are separate


@pytest.mark.redis
async def test_redis_limiter_counts_across_processes():
    url = os.environ["TEST_REDIS_URL"]
    first_pool, second_pool = create_pool(url), create_pool(url)
    try:
        first, second = RateLimiter.create(first_pool), RateLimiter.create(second_pool)
        key = f"{uuid.uuid4().hex}@example.org"
        await exhaust(first, key, 6)
        await exhaust(second, key, 4)
        with pytest.raises(TooManyRequests):
            await first.check(LOGIN_PER_ACCOUNT, key)
        with pytest.raises(TooManyRequests):
            await second.check(LOGIN_PER_ACCOUNT, key)
    finally:
        await first_pool.aclose()
        await second_pool.aclose()
