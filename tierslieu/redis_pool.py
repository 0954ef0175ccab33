"""One Redis connection pool per process, shared by the live hub and the rate limits.

redis-py's asyncio pool raises once every connection is taken and gives pooled
connections no retries unless told: a blocking pool waits instead, and retries
with backoff ride over a Redis restart.
"""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

MAX_CONNECTIONS = 64


def create_pool(url: str, max_connections: int = MAX_CONNECTIONS) -> BlockingConnectionPool:
    return BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=10,
        retry=Retry(ExponentialBackoff(cap=2.0, base=0.05), retries=5),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        health_check_interval=30,
        socket_connect_timeout=5,
        socket_keepalive=True,
    )
