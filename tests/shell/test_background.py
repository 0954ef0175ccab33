"""Periodic background jobs start, run, and always stop; background work waits for a pause."""

from __future__ import annotations

import asyncio

from tierslieu import background
from tierslieu.background import periodic


async def test_a_periodic_job_runs_and_stops():
    runs = []

    async def job():
        runs.append(1)

    stop = periodic("test-job", 0.01, job, (OSError,))()
    await asyncio.sleep(0.1)
    await asyncio.wait_for(stop(), 1)
    assert len(runs) >= 2


async def test_stop_works_even_when_the_job_turns_cancellation_into_an_error():
    started = asyncio.Event()

    async def job():
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            raise OSError("connection lost") from None  # what some drivers do

    stop = periodic("test-job", 0.01, job, (OSError,))()
    await started.wait()
    await asyncio.wait_for(stop(), 1)


async def test_a_failing_job_is_retried():
    calls = []

    async def job():
        calls.append(1)
        if len(calls) == 1:
            raise OSError("first try fails")

    stop = periodic("test-job", 0.01, job, (OSError,))()
    await asyncio.sleep(0.1)
    await stop()
    assert len(calls) >= 2


async def test_background_work_waits_for_a_pause_between_requests() -> None:
    loop = asyncio.get_running_loop()
    order: list[str] = []

    async def request() -> None:
        with background.serving():
            await asyncio.sleep(0.1)
            order.append("request answered")

    async def work() -> None:
        await background.pause(until=loop.time() + 5)
        order.append("background work")

    await asyncio.gather(request(), work())
    assert order == ["request answered", "background work"]

    with background.serving():  # a server that never pauses: the work goes on at the deadline
        started = loop.time()
        await background.pause(until=started + 0.05)
        assert 0.05 <= loop.time() - started < 1
