"""Slow clients are closed by the app server (tierslieu/server.py): headers that never end,
a body that never comes; a client merely slow within the limits is served."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
import uvicorn

from tests.conftest import free_port
from tierslieu import server as timed

HEADER_TIMEOUT, BODY_TIMEOUT = 1.0, 1.5


@pytest.fixture
async def slow_server(app, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[int]:
    monkeypatch.setenv("TIERSLIEU_HEADER_TIMEOUT", str(HEADER_TIMEOUT))
    monkeypatch.setenv("TIERSLIEU_BODY_TIMEOUT", str(BODY_TIMEOUT))
    timed.timeouts.cache_clear()
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", http=timed.TimedHttpToolsProtocol
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    yield port
    server.should_exit = True
    await task
    timed.timeouts.cache_clear()


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    """True when the server closes the connection within ``seconds`` (EOF, no answer)."""
    try:
        async with asyncio.timeout(seconds):
            return await reader.read() == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


async def test_headers_trickling_in_are_cut_off(slow_server: int) -> None:
    async def slowloris() -> bool:
        reader, writer = await asyncio.open_connection("127.0.0.1", slow_server)
        writer.write(b"GET / HTTP/1.1\r\nHost: testserver\r\n")

        async def trickle() -> None:
            for n in range(20):
                await asyncio.sleep(0.3)
                writer.write(f"X-Slow-{n}: yes\r\n".encode())

        feeder = asyncio.create_task(trickle())
        try:
            return await closed_within(reader, HEADER_TIMEOUT + 2)
        finally:
            feeder.cancel()
            writer.close()

    started = time.monotonic()
    results = await asyncio.gather(*(slowloris() for _ in range(200)))
    assert all(results)
    assert time.monotonic() - started < HEADER_TIMEOUT + 3


async def test_a_connection_that_sends_nothing_is_closed(slow_server: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", slow_server)
    try:
        assert await closed_within(reader, HEADER_TIMEOUT + 2)
    finally:
        writer.close()


async def test_a_declared_body_that_never_comes_is_cut_off(slow_server: int) -> None:
    async def one_byte() -> bool:
        reader, writer = await asyncio.open_connection("127.0.0.1", slow_server)
        writer.write(
            b"POST /api/v1/auth/tokens HTTP/1.1\r\nHost: testserver\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000000\r\n\r\n{"
        )
        try:
            async with asyncio.timeout(BODY_TIMEOUT + 3):
                data = await reader.read()
            return b"200" not in data.split(b"\r\n", 1)[0]  # closed, whether or not told so
        finally:
            writer.close()

    assert all(await asyncio.gather(*(one_byte() for _ in range(100))))


async def test_a_slow_client_within_the_limits_is_served(slow_server: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", slow_server)
    try:
        for line in (b"GET /healthz HTTP/1.1\r\n", b"Host: testserver\r\n", b"Connection: close\r\n", b"\r\n"):
            writer.write(line)
            await asyncio.sleep(HEADER_TIMEOUT / 5)
        answer = await asyncio.wait_for(reader.read(), 5)
        assert answer.startswith(b"HTTP/1.1 200")
    finally:
        writer.close()
