"""Room booking at scale: creating bookings and reading availability on an empty
database and on one with 100,000 bookings, measured side by side.

It starts two real ``tierslieu serve`` (each on a fresh SQLite file, or a fresh PostgreSQL
database dropped at the end), inserts the same rooms straight into both databases (open
every day 07:00–22:00, a week's quota no member reaches, two years ahead), and into the
second one ``--bookings`` (default 100,000) bookings, spread over the rooms, 08:00–18:00
each day, a year back and a year ahead (the overlap triggers or the exclusion constraint
check every one of them). It signs up one account per client on each server.

Then, ``--rounds`` times, with ``--concurrency`` clients (default 8): every client sends
``--creates`` ``POST /api/v1/bookings`` to the empty server, then as many to the loaded
one (15-minute slots between 18:00 and 22:00, distinct per request, so every answer
should be 201); then ``--reads`` ``GET /api/v1/rooms/{id}/availability`` over a random
7-day window to each. Alternating in short turns, the two servers share whatever else
the machine is doing (the machines are shared and their speed drifts within minutes),
so the loaded/empty ratio compares like with like. It reports p50/p95/p99 per operation
and server over all rounds, and the loaded/empty ratio. Targets (issue 4): p95 ≤ 15 ms
for each operation at 8 clients, and loaded ≤ 1.5 × empty. The last line is
``RESULT {json}``.

    .venv/bin/python bench/bookings_bench.py [--database sqlite|postgres] [--bookings N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Server, machine_cpu_seconds, running_server

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


@dataclass
class Target:
    """One server under test, and what was measured on it."""

    name: str
    server: Server
    http: aiohttp.ClientSession
    room_ids: list[int]
    headers: list[dict[str, str]]
    day0: date
    next_slot: int = 0
    create_times: list[float] = field(default_factory=list)
    read_times: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    cpu: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])  # server, load generator, machine
    background_cpu: float = 0.0  # the server's CPU between turns (composing the confirmation mails)

    def slot(self) -> datetime:
        """A 15-minute slot no request has taken yet, between 18:00 and 22:00."""
        slot, self.next_slot = self.next_slot, self.next_slot + 1
        day = self.day0 + timedelta(days=(slot // len(self.room_ids)) // len(SLOTS))
        return local(day, SLOTS[(slot // len(self.room_ids)) % len(SLOTS)])

    def fail(self, what: str) -> None:
        self.failures[what] = self.failures.get(what, 0) + 1


async def create_turn(target: Target, creates: int) -> None:
    async def client(number: int) -> None:
        for _ in range(creates):
            slot = target.next_slot
            start = target.slot()
            body = {
                "room_id": target.room_ids[slot % len(target.room_ids)],
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(minutes=15)).isoformat(),
                "purpose": "Bench",
            }
            began = time.perf_counter()
            async with target.http.post("/api/v1/bookings", json=body, headers=target.headers[number]) as response:
                await response.read()
            if response.status == 201:
                target.create_times.append(time.perf_counter() - began)
            else:
                target.fail(f"create {response.status}")

    await measured(target, client)


async def read_turn(target: Target, reads: int, rng: random.Random) -> None:
    windows = []
    for _ in range(reads * len(target.headers)):
        start = datetime.now(UTC) + timedelta(days=rng.randint(-300, 300))
        windows.append((rng.choice(target.room_ids), start))

    async def client(number: int) -> None:
        for room_id, start in windows[number :: len(target.headers)]:
            params = {"from": start.isoformat(), "to": (start + timedelta(days=7)).isoformat()}
            began = time.perf_counter()
            async with target.http.get(f"/api/v1/rooms/{room_id}/availability", params=params) as response:
                await response.read()
            if response.status == 200:
                target.read_times.append(time.perf_counter() - began)
            else:
                target.fail(f"read {response.status}")

    await measured(target, client)


async def measured(target: Target, client) -> None:
    """Run one turn of every client, adding its duration and CPU to the target's."""
    before = (target.server.cpu_seconds() or 0.0, time.process_time(), machine_cpu_seconds() or 0.0)
    began = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(len(target.headers))))
    target.seconds += time.perf_counter() - began
    after = (target.server.cpu_seconds() or 0.0, time.process_time(), machine_cpu_seconds() or 0.0)
    target.cpu = [total + b - a for total, a, b in zip(target.cpu, before, after, strict=True)]


async def settle(targets: tuple[Target, ...], quiet: float = 0.01, within: float = 60.0) -> None:
    """Wait until no server uses more than ``quiet`` of a core (each booking's confirmation
    mail is composed once its burst is over), adding that CPU to each one's background."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        before = [target.server.cpu_seconds() or 0.0 for target in targets]
        await asyncio.sleep(0.25)
        used = [(target.server.cpu_seconds() or 0.0) - start for target, start in zip(targets, before, strict=True)]
        for target, seconds in zip(targets, used, strict=True):
            target.background_cpu += seconds
        if max(used) < quiet * 0.25:
            return


def percentiles(times: list[float]) -> dict[str, float]:
    return {name: round(pct(times, q), 2) for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))}


def report(target: Target) -> dict:
    requests = len(target.create_times) + len(target.read_times)
    server, load, machine = target.cpu
    return {
        "seconds": round(target.seconds, 2),
        # cores kept busy while this server was measured, and its CPU milliseconds per request:
        # the server (all workers), this load generator, the whole machine (others = the rest)
        "cpu_cores": {
            name: round(value / target.seconds, 2)
            for name, value in (("server", server), ("load", load), ("machine", machine))
        },
        "server_cpu_ms_per_request": round(server / requests * 1000, 2) if requests else None,
        "create_ms": percentiles(target.create_times),
        "availability_ms": percentiles(target.read_times),
        "background_cpu_ms_per_create": round(target.background_cpu / len(target.create_times) * 1000, 2)
        if target.create_times
        else None,
        "creates": len(target.create_times),
        "reads": len(target.read_times),
        "failures": target.failures,
    }


async def prepare(
    name: str, server: Server, room_ids: list[int], stack: contextlib.AsyncExitStack, args: argparse.Namespace
) -> Target:
    # set-up through httpx; the measured load through aiohttp, whose C parser leaves the
    # CPU to the server (httpx costs about as much CPU per request as the server itself)
    setup = await stack.enter_async_context(httpx.AsyncClient(base_url=server.base_url, timeout=60))
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    http = await stack.enter_async_context(
        aiohttp.ClientSession(server.base_url, connector=connector, timeout=aiohttp.ClientTimeout(total=60))
    )
    today = datetime.now(UTC).astimezone(ZONE).date()
    target = Target(
        name, server, http, room_ids, await tokens(setup, args.concurrency, name), today + timedelta(days=60)
    )
    # warm-up: a few requests so that the first-use costs stay out of the figures
    await create_turn(target, 3)
    await read_turn(target, 3, random.Random(0))
    target.create_times.clear()
    target.read_times.clear()
    target.seconds, target.cpu = 0.0, [0.0, 0.0, 0.0]
    return target


async def bench(args: argparse.Namespace) -> dict:
    async with contextlib.AsyncExitStack() as stack:
        servers = [
            await stack.enter_async_context(
                running_server(database=args.database, workers=args.workers, keep_log=args.keep_log)
            )
            for _ in ("empty", "loaded")
        ]
        rooms = [await seed_rooms(server) for server in servers]
        seeded_in = await seed_bookings(servers[1], rooms[1], args.bookings)
        print(f"seeded {args.bookings} bookings in {seeded_in:.1f} s", flush=True)
        empty = await prepare("empty", servers[0], rooms[0], stack, args)
        loaded = await prepare("loaded", servers[1], rooms[1], stack, args)
        rng = random.Random(1)
        targets = (empty, loaded)
        await settle(targets)
        for target in targets:
            target.background_cpu = 0.0
        for number in range(1, args.rounds + 1):
            # each turn starts on a quiet machine: the other server's mails are out
            for target in targets:
                await create_turn(target, args.creates)
                await settle(targets)
            for target in targets:
                await read_turn(target, args.reads, rng)
                await settle(targets)
            print(f"round {number}/{args.rounds} done", flush=True)
    results = {target.name: report(target) for target in (empty, loaded)}
    for name, result in results.items():
        print(f"{name}: {json.dumps(result)}", flush=True)
    ratio = {
        "create_p95": round(results["loaded"]["create_ms"]["p95"] / results["empty"]["create_ms"]["p95"], 2),
        "availability_p95": round(
            results["loaded"]["availability_ms"]["p95"] / results["empty"]["availability_ms"]["p95"], 2
        ),
    }
    print(f"loaded/empty p95: {ratio}")
    return {
        "database": args.database,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "bookings": args.bookings,
        "rounds": args.rounds,
        **results,
        "ratio": ratio,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of each server (SQLite: 1 only)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5, help="turns on each server, alternating")
    parser.add_argument("--creates", type=int, default=20, help="bookings created per client, turn and server")
    parser.add_argument("--reads", type=int, default=40, help="availability reads per client, turn and server")
    parser.add_argument("--keep-log", action="store_true")
    return parser.parse_args(argv)


def main() -> None:
    result = asyncio.run(bench(parse_args()))
    print("RESULT " + json.dumps(result))
    failed = result["empty"]["failures"] or result["loaded"]["failures"]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
