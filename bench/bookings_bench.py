"""Room booking at scale: creating bookings and reading availability, with an empty
database and then with 100,000 existing bookings.

It starts a real ``tierslieu serve`` (fresh SQLite file, or a fresh PostgreSQL database
dropped at the end), inserts rooms straight into the database (open every day
07:00–22:00, no quota, two years ahead), signs up one account per client, then measures
twice, with ``--concurrency`` clients (default 8):

1. ``empty``: the rooms hold no booking;
2. ``loaded``: ``--bookings`` (default 100,000) bookings are inserted straight into the
   database first, spread over the rooms, 08:00–18:00 each day, a year back and a year
   ahead (the overlap triggers or the exclusion constraint check every one of them).

In each phase every client sends ``--creates`` ``POST /api/v1/bookings`` (15-minute slots
between 18:00 and 22:00, distinct per client, so every answer should be 201), then
``--reads`` ``GET /api/v1/rooms/{id}/availability`` over a random 7-day window. It reports
p50/p95/p99 per operation and phase, and the loaded/empty ratio. Targets (issue 4):
p95 ≤ 15 ms for each operation at 8 clients, and loaded ≤ 1.5 × empty. The last line is
``RESULT {json}``.

    /tmp/venv/bin/python bench/bookings_bench.py [--database sqlite|postgres] [--bookings N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import Server, machine_cpu_seconds, running_server

PASSWORD = "bench-password-0123456789"  # noqa: S105 - the benchmark accounts' password
ZONE = ZoneInfo("Europe/Paris")
ROOMS = 20
OPEN = {day: [["07:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
SEED_HOURS = range(8, 18)  # one-hour bookings 08:00–18:00 local
SLOTS = [f"{18 + q // 4}:{(q % 4) * 15:02d}" for q in range(16)]  # 18:00 … 21:45


def local(day: date, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


# --- seeding straight into the database ----------------------------------------------------------


def _room_rows(now: datetime) -> list[tuple]:
    return [
        (
            f"Bench room {n}",
            "",
            20,
            "[]",
            "",
            "Europe/Paris",
            json.dumps(OPEN),
            15,
            15,
            480,
            730,
            10080,
            False,
            "member",
            0,
            now,
        )
        for n in range(ROOMS)
    ]


ROOM_SQL = (
    "INSERT INTO bookings_room (name, description, capacity, equipment, accessibility, timezone, opening_hours, "
    "granularity_minutes, min_minutes, max_minutes, max_advance_days, weekly_quota_minutes, requires_approval, "
    "allowed_role, checkin_grace_minutes, created_at) VALUES ({})"
)
BOOKING_SQL = (
    "INSERT INTO bookings_booking (room_id, starts_at, ends_at, purpose, people, status, origin, decision_message, "
    "cancel_reason, sequence, created_at, updated_at) VALUES ({})"
)


def _booking_rows(room_ids: list[int], count: int, now: datetime) -> list[tuple]:
    rows = []
    first_day = now.astimezone(ZONE).date() - timedelta(days=365)
    per_room = count // len(room_ids) + 1
    for room_id in room_ids:
        for index in range(per_room):
            if len(rows) >= count:
                return rows
            day = first_day + timedelta(days=index // len(SEED_HOURS))
            hour = SEED_HOURS[index % len(SEED_HOURS)]
            starts = local(day, f"{hour:02d}:00")
            rows.append(
                (room_id, starts, starts + timedelta(hours=1), "Seed", 1, "confirmed", "member", "", "", 0, now, now)
            )
    return rows


def _sqlite_path(server: Server) -> str:
    return server.database_url.removeprefix("sqlite://").split("?", 1)[0]


def _fmt(value):
    return value.isoformat(sep=" ") if isinstance(value, datetime) else value


async def seed_rooms(server: Server) -> list[int]:
    now = datetime.now(UTC)
    if server.database == "sqlite":
        with sqlite3.connect(_sqlite_path(server)) as connection:
            connection.executemany(
                ROOM_SQL.format(", ".join("?" * 16)), [tuple(_fmt(v) for v in row) for row in _room_rows(now)]
            )
            return [row[0] for row in connection.execute("SELECT id FROM bookings_room ORDER BY id")]
    connection = await asyncpg.connect(server.database_url.replace("postgres://", "postgresql://", 1))
    try:
        placeholders = ", ".join(f"${n}" + ("::jsonb" if n in (4, 7) else "") for n in range(1, 17))
        await connection.executemany(ROOM_SQL.format(placeholders), _room_rows(now))
        return [row["id"] for row in await connection.fetch("SELECT id FROM bookings_room ORDER BY id")]
    finally:
        await connection.close()


async def seed_bookings(server: Server, room_ids: list[int], count: int) -> float:
    started = time.perf_counter()
    rows = _booking_rows(room_ids, count, datetime.now(UTC))
    if server.database == "sqlite":
        with sqlite3.connect(_sqlite_path(server), timeout=60) as connection:
            connection.executemany(BOOKING_SQL.format(", ".join("?" * 12)), [tuple(_fmt(v) for v in r) for r in rows])
            connection.execute("ANALYZE")
    else:
        connection = await asyncpg.connect(server.database_url.replace("postgres://", "postgresql://", 1))
        try:
            await connection.executemany(BOOKING_SQL.format(", ".join(f"${n}" for n in range(1, 13))), rows)
            await connection.execute("ANALYZE")
        finally:
            await connection.close()
    return time.perf_counter() - started


# --- the load ------------------------------------------------------------------------------------


async def tokens(http: httpx.AsyncClient, clients: int, tag: str) -> list[dict[str, str]]:
    headers = []
    for n in range(clients):
        email = f"bench-{tag}-{n}@example.org"
        response = await http.post(
            "/api/v1/auth/signup", json={"email": email, "password": PASSWORD, "display_name": f"Bench {n}"}
        )
        response.raise_for_status()
        response = await http.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD})
        response.raise_for_status()
        headers.append({"Authorization": f"Bearer {response.json()['token']}"})
    return headers


async def phase(
    http: aiohttp.ClientSession,
    room_ids: list[int],
    headers: list[dict[str, str]],
    creates: int,
    reads: int,
    day0: date,
    server: Server | None = None,
) -> dict:
    create_times: list[float] = []
    read_times: list[float] = []
    failures: dict[str, int] = {}

    async def client(number: int) -> None:
        auth = headers[number]
        for index in range(creates):
            slot = number * creates + index  # distinct (room, day, time) per request
            room_id = room_ids[slot % len(room_ids)]
            day = day0 + timedelta(days=(slot // len(room_ids)) // len(SLOTS))
            start = local(day, SLOTS[(slot // len(room_ids)) % len(SLOTS)])
            body = {
                "room_id": room_id,
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(minutes=15)).isoformat(),
                "purpose": "Bench",
            }
            began = time.perf_counter()
            async with http.post("/api/v1/bookings", json=body, headers=auth) as response:
                await response.read()
            elapsed = time.perf_counter() - began
            if response.status == 201:
                create_times.append(elapsed)
            else:
                failures[f"create {response.status}"] = failures.get(f"create {response.status}", 0) + 1
        rng = random.Random(number)
        for _ in range(reads):
            room_id = rng.choice(room_ids)
            start = datetime.now(UTC) + timedelta(days=rng.randint(-300, 300))
            params = {"from": start.isoformat(), "to": (start + timedelta(days=7)).isoformat()}
            began = time.perf_counter()
            async with http.get(f"/api/v1/rooms/{room_id}/availability", params=params) as response:
                await response.read()
            elapsed = time.perf_counter() - began
            if response.status == 200:
                read_times.append(elapsed)
            else:
                failures[f"read {response.status}"] = failures.get(f"read {response.status}", 0) + 1

    began = time.perf_counter()
    cpu_before = (server.cpu_seconds() if server else None, time.process_time(), machine_cpu_seconds())
    await asyncio.gather(*(client(n) for n in range(len(headers))))
    seconds = time.perf_counter() - began
    cpu_after = (server.cpu_seconds() if server else None, time.process_time(), machine_cpu_seconds())
    used = [None if a is None or b is None else b - a for a, b in zip(cpu_before, cpu_after, strict=True)]
    requests = len(create_times) + len(read_times)
    return {
        "seconds": round(seconds, 2),
        # cores kept busy during the phase, and CPU milliseconds per request, by the server
        # (all workers), by this load generator and by the whole machine (others = the rest)
        "cpu_cores": {
            name: None if value is None else round(value / seconds, 2)
            for name, value in zip(("server", "load", "machine"), used, strict=True)
        },
        "server_cpu_ms_per_request": None if used[0] is None or not requests else round(used[0] / requests * 1000, 2),
        "create_ms": {q: round(pct(create_times, v), 2) for q, v in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))},
        "availability_ms": {q: round(pct(read_times, v), 2) for q, v in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))},
        "creates": len(create_times),
        "reads": len(read_times),
        "failures": failures,
    }


async def bench(args: argparse.Namespace) -> dict:
    async with running_server(database=args.database, workers=args.workers, keep_log=args.keep_log) as server:
        room_ids = await seed_rooms(server)
        # set-up through httpx; the measured load through aiohttp, whose C parser leaves the
        # CPU to the server (httpx costs about as much CPU per request as the server itself)
        connector = aiohttp.TCPConnector(limit=args.concurrency)
        timeout = aiohttp.ClientTimeout(total=60)
        async with (
            httpx.AsyncClient(base_url=server.base_url, timeout=60) as setup,
            aiohttp.ClientSession(server.base_url, connector=connector, timeout=timeout) as http,
        ):
            today = datetime.now(UTC).astimezone(ZONE).date()
            # warm-up: a few requests so that the first-use costs stay out of the figures
            warm = await tokens(setup, 1, "warm")
            await phase(http, room_ids, warm, 5, 5, today + timedelta(days=300))
            empty = await phase(
                http,
                room_ids,
                await tokens(setup, args.concurrency, "empty"),
                args.creates,
                args.reads,
                today + timedelta(days=2),
                server,
            )
            print(f"empty:  {json.dumps(empty)}", flush=True)
            seeded_in = await seed_bookings(server, room_ids, args.bookings)
            print(f"seeded {args.bookings} bookings in {seeded_in:.1f} s", flush=True)
            await phase(http, room_ids, warm, 5, 5, today + timedelta(days=320))
            loaded = await phase(
                http,
                room_ids,
                await tokens(setup, args.concurrency, "loaded"),
                args.creates,
                args.reads,
                today + timedelta(days=60),
                server,
            )
            print(f"loaded: {json.dumps(loaded)}", flush=True)
    ratio = {
        "create_p95": round(loaded["create_ms"]["p95"] / empty["create_ms"]["p95"], 2),
        "availability_p95": round(loaded["availability_ms"]["p95"] / empty["availability_ms"]["p95"], 2),
    }
    print(f"loaded/empty p95: {ratio}")
    return {
        "database": args.database,
        "concurrency": args.concurrency,
        "bookings": args.bookings,
        "empty": empty,
        "loaded": loaded,
        "ratio": ratio,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers (SQLite: 1 only)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--creates", type=int, default=50, help="bookings created per client and phase")
    parser.add_argument("--reads", type=int, default=100, help="availability reads per client and phase")
    parser.add_argument("--keep-log", action="store_true")
    return parser.parse_args(argv)


def main() -> None:
    result = asyncio.run(bench(parse_args()))
    print("RESULT " + json.dumps(result))
    failed = result["empty"]["failures"] or result["loaded"]["failures"]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
