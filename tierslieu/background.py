"""Periodic jobs that run beside the server, started and stopped by the app's lifespan
(only when ``settings.run_background_tasks``). A part lists its jobs in
``<part>.routes.background_tasks``; the composition root starts them all."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("tierslieu.background")

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
