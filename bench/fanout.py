"""Live fan-out: how long a new reply takes to reach every subscriber of its topic.

A fleet of websocket clients (Python; its CPU time is reported, since it shares the
machine) subscribes to ``topic:{id}``; then, ``messages`` times, a reply is posted through
the JSON API and every subscriber notes when its ``post.created`` arrives. With several
app processes the sockets spread over them, and the replies reach the other processes
through Redis. The figures are the delays from just before each POST to each delivery.
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import time

import httpx
from websockets.asyncio.client import connect


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(base_url: str, tokens: list[str], topic_id: int, *, subscribers: int, messages: int) -> dict:
    """``tokens``: the people who post the replies, in turn (one person's pace is limited)."""
    ws_url = base_url.replace("http://", "ws://", 1) + "/ws"
    channel = f"topic:{topic_id}"
    arrivals: dict[int, list[float]] = {}
    ready = 0
    all_ready = asyncio.Event()
    stop = asyncio.Event()

    async def subscriber() -> None:
        nonlocal ready
        async with connect(ws_url, max_queue=None, open_timeout=60) as socket:
            await socket.send(json.dumps({"subscribe": channel}))
            while json.loads(await socket.recv()).get("subscribed") != channel:
                pass
            ready += 1
            if ready == subscribers:
                all_ready.set()
            while not stop.is_set():
                try:
                    message = json.loads(await asyncio.wait_for(socket.recv(), timeout=1))
                except TimeoutError:
                    continue
                if message.get("type") == "post.created":
                    arrivals.setdefault(message["id"], []).append(time.perf_counter())

    cpu_before = _cpu()
    fleet = []
    for _ in range(subscribers):  # connect in waves of 100, as a crowd arrives
        fleet.append(asyncio.create_task(subscriber()))
        if len(fleet) % 100 == 0:
            await asyncio.sleep(0.2)
    await asyncio.wait_for(all_ready.wait(), timeout=120)
    delays: list[float] = []
    missing = 0
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        for n in range(messages):
            headers = {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}
            sent = time.perf_counter()
            reply = await http.post(
                f"/api/v1/forum/topics/{topic_id}/posts",
                json={"body": f"Réponse en direct numéro {n}."},
                headers=headers,
            )
            if reply.status_code != 201:
                raise RuntimeError(f"the reply was refused: {reply.status_code} {reply.text[:200]}")
            post_id = reply.json()["id"]
            await asyncio.sleep(1.0)
            got = arrivals.get(post_id, [])
            missing += subscribers - len(got)
            delays += [arrival - sent for arrival in got]
        stop.set()
        await asyncio.gather(*fleet, return_exceptions=True)
    delays.sort()
    return {
        "subscribers": subscribers,
        "messages": messages,
        "p50_ms": round(1000 * statistics.median(delays), 1) if delays else None,
        "p99_ms": round(1000 * delays[int(len(delays) * 0.99) - 1], 1) if delays else None,
        "max_ms": round(1000 * delays[-1], 1) if delays else None,
        "missing": missing,
        "client_cpu_seconds": round(_cpu() - cpu_before, 1),
    }
