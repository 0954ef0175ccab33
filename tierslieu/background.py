"""Work beside the server.

Periodic jobs are started and stopped by the app's lifespan (only when
``settings.run_background_tasks``); a part lists its jobs in its manifest
(``Part.jobs``) and the composition root starts those of the installed parts.

Background work that can wait (composing and sending mails) gives the CPU to people
waiting for a page: :func:`pause` waits until no HTTP request is in flight in this
process, which ``RequestLogMiddleware`` counts with :func:`serving`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator

log = logging.getLogger("tierslieu.background")

_in_flight = 0
PAUSE_POLL = 0.005


@contextlib.contextmanager
def serving() -> Iterator[None]:
    """Around one HTTP request: counts it as in flight."""
    global _in_flight
    _in_flight += 1
    try:
        yield
    finally:
        _in_flight -= 1


async def pause(until: float) -> None:
    """Wait until no HTTP request is in flight here, or until the loop's clock reads ``until``."""
    loop = asyncio.get_running_loop()
    # a poll, not an Event: a module-level Event would belong to the first loop that waits on it
    while _in_flight and loop.time() < until:  # noqa: ASYNC110
        await asyncio.sleep(PAUSE_POLL)
    await asyncio.sleep(0)

Stop = Callable[[], Awaitable[None]]
Start = Callable[[], Stop]


def periodic(
    name: str, every_seconds: float, job: Callable[[], Awaitable[object]], recoverable: tuple[type[Exception], ...]
) -> Start:
    """A job run every ``every_seconds``; a ``recoverable`` failure is logged and retried
    at the next turn, anything else stops the loop (and is logged by asyncio)."""

    def start() -> Stop:
        # A library may turn the cancellation into its own error, which the loop would
        # log and survive: the event ends the loop all the same.
        stopping = asyncio.Event()

        async def loop() -> None:
            while not stopping.is_set():
                try:
                    await job()
                except recoverable:
                    if stopping.is_set():
                        return
                    log.exception("%s failed; trying again later", name)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(every_seconds):
                        await stopping.wait()

        task = asyncio.create_task(loop(), name=name)

        async def stop() -> None:
            stopping.set()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        return stop

    return start
