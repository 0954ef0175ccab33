"""Rendered pages kept for anonymous readers, dropped the moment what they show changes.

Most of a forum's readers are not signed in, and they all get the same page for the same
path, query, language and display zone. :func:`cached` keeps that page's bytes and gives
them back, byte for byte, until one of the **versions** the page depends on changes: a
page of topic 42 depends on ``forum.topic:42`` (its posts, votes, state), ``forum`` (the
categories and tags it names) and ``people`` (the names it shows). A part bumps a version
after committing a change (:func:`bump`); every page keyed on it is a miss from then on,
in every process.

- **Who gets cached pages**: requests without a session cookie nor credentials, GET only.
  A signed-in person never gets a kept page, and a page that asked for a CSRF token or set
  a cookie while rendering (something personal) is never kept.
- **Versions** are counters: in the process without Redis; in Redis with it, read in one
  ``MGET`` per request, so that a change made through any process is seen by all. When
  Redis does not answer, pages are rendered afresh (never served from a guess) and the
  bumps that could not be written are written once Redis is back.
- **Bytes** are kept in the process (a bounded LRU keyed by the page and the versions it
  was rendered under), so an entry of an older version is never found again; entries
  older than :data:`MAX_AGE` are dropped as a safety net.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tierslieu.redis_pool import Unavailable, breaker_of

MAX_ENTRIES = 512
MAX_BYTES = 64 * 2**20
MAX_AGE = 600.0  # seconds
PREFIX = "tierslieu:pagecache:"
PEOPLE = "people"  # people's names and pictures, shown on pages of every part
_KEPT_HEADERS = ("content-type", "content-language", "vary", "link")


@dataclass(frozen=True)
class Kept:
    body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]
    at: float

    def response(self) -> Response:
        response = Response(self.body, status_code=self.status)
        for name, value in self.headers:
            response.headers[name] = value
        return response


class PageCache:
    """``redis`` is the process's Redis client (or None): versions live there, reached
    through its pool's circuit breaker, so that a Redis down or frozen costs a request
    nothing (see :mod:`tierslieu.redis_pool`)."""

    def __init__(self, redis: Any = None) -> None:
        self.redis = redis
        self.breaker = breaker_of(redis.connection_pool) if redis is not None else None
        self.local_versions: dict[str, int] = {}
        self.entries: OrderedDict[tuple[str, tuple[int, ...]], Kept] = OrderedDict()
        self.size = 0
        self.pending: set[str] = set()  # bumps Redis did not take yet
        self.hits = self.misses = 0

    async def versions(self, names: Sequence[str]) -> tuple[int, ...] | None:
        """The current versions of ``names``, or None when they cannot be known."""
        if self.redis is None:
            return tuple(self.local_versions.get(name, 0) for name in names)
        try:
            if self.pending:
                await self._flush()
            values = await self.breaker.call(lambda: self.redis.mget([PREFIX + name for name in names]))
        except Unavailable:  # the versions are unknown: render afresh
            return None
        return tuple(int(value or 0) for value in values)

    async def _flush(self) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for name in sorted(self.pending):
            pipe.incr(PREFIX + name)
        await self.breaker.call(pipe.execute)
        self.pending.clear()

    async def bump(self, *names: str) -> None:
        """What the pages depending on ``names`` show has changed."""
        if self.redis is None:
            for name in names:
                self.local_versions[name] = self.local_versions.get(name, 0) + 1
            return
        self.pending.update(names)
        try:
            await self._flush()
        except Unavailable:  # this process forgets its pages
            self.entries.clear()
            self.size = 0
            # (the other processes cannot read the versions either, so they render afresh;
            # the bump reaches Redis with the first call that finds it back)

    def get(self, key: str, stamp: tuple[int, ...]) -> Kept | None:
        kept = self.entries.get((key, stamp))
        if kept is None or time.monotonic() - kept.at > MAX_AGE:
            self.misses += 1
            return None
        self.entries.move_to_end((key, stamp))
        self.hits += 1
        return kept

    def put(self, key: str, stamp: tuple[int, ...], response: Response) -> None:
        body = bytes(response.body)
        headers = tuple((name, value) for name, value in response.headers.items() if name in _KEPT_HEADERS)
        old = self.entries.pop((key, stamp), None)
        if old is not None:
            self.size -= len(old.body)
        self.entries[(key, stamp)] = Kept(body, response.status_code, headers, time.monotonic())
        self.size += len(body)
        while self.entries and (len(self.entries) > MAX_ENTRIES or self.size > MAX_BYTES):
            _, dropped = self.entries.popitem(last=False)
            self.size -= len(dropped.body)


_current: PageCache | None = None


def use(cache: PageCache | None) -> None:
    """``create_app`` installs the process's cache (None: nothing is kept)."""
    global _current
    _current = cache


def current() -> PageCache | None:
    return _current


async def bump(*names: str) -> None:
    """Call after committing a change that shows on pages depending on ``names``."""
    if _current is not None:
        await _current.bump(*names)


def _anonymous(request: Request) -> bool:
    state = request.state
    return (
        request.method == "GET"
        and getattr(state, "user", None) is None
        and "authorization" not in request.headers
        and not request.cookies.get("tl_session")
    )


def _key(request: Request) -> str:
    state = request.state
    return f"{request.url.path}?{request.url.query}|{state.locale}|{state.timezone}"


async def cached(request: Request, depends: Sequence[str], build: Callable[[], Awaitable[Response]]) -> Response:
    """The page ``build()`` makes, kept for anonymous readers under the versions of
    ``depends``: built afresh for anyone signed in, on a miss, or when the versions cannot
    be read. ``build`` returns a rendered response (or a :class:`tierslieu.templating.Page`,
    rendered here)."""
    cache = _current
    if cache is None or not _anonymous(request):
        return await build()
    key = _key(request)
    stamp = await cache.versions(depends)
    if stamp is not None:
        kept = cache.get(key, stamp)
        if kept is not None:
            return kept.response()
    asked = request.state.csrf_token
    personal = False

    def csrf_token() -> str:  # a page with a CSRF token is this visitor's own
        nonlocal personal
        personal = True
        return asked()

    request.state.csrf_token = csrf_token
    try:
        response = await build()
        render = getattr(response, "render_page", None)
        if render is not None:
            await render()
    finally:
        request.state.csrf_token = asked
    if stamp is not None and response.status_code == 200 and not personal and "set-cookie" not in response.headers:
        cache.put(key, stamp, response)
    return response
