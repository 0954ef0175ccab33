"""Feed benchmark: the personal calendar feed with 500 items and the site feed with
5,000 events, served by a real ``tierslieu serve``.

Targets (issue 5): personal feed with 500 items ≤ 30 ms; site feed with 5,000 events
≤ 300 ms from the feed cache (a cold build may take up to 10× that); a conditional GET
with the ETag answers 304. Latencies are medians (and the slowest) of sequential
requests measured from outside, over HTTP on the loopback.

    .venv/bin/python bench/events_feeds.py [--database postgres] [--requests 30]

Ends with a line ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Server, running_server

PASSWORD = "bench password 0123"  # noqa: S105 - a throwaway account on a local bench server
EVENT_COLUMNS = (
    "title, kind, mode, language, description, timezone, starts_at, ends_at, capacity, online_capacity, "
    "confirmed_count, online_confirmed_count, waitlist_ticket, registration_opens_at, registration_closes_at, "
    "status, join_url, sequence, created_at, updated_at"
)
REGISTRATION_COLUMNS = "event_id, user_id, place, status, confirmed_at, sequence, created_at, updated_at"
ZONES = ("Europe/Paris", "Africa/Dakar", "Africa/Abidjan", "Africa/Douala", "Europe/Brussels")
KINDS = ("webinar", "intensive_week", "weekend", "workshop")


def _event_rows(count: int, now: datetime) -> list[tuple]:
    rows = []
    for n in range(count):
        starts = now + timedelta(hours=3 * n + 24)
        rows.append(
            (
                f"Bench event {n}",
                KINDS[n % 4],
                "online",
                "fr",
                "",
                ZONES[n % len(ZONES)],
                starts,
                starts + timedelta(hours=2),
                50,
                0,
                1 if n < 500 else 0,
                0,
                0,
                now - timedelta(days=1),
                starts,
                "published",
                "https://visio.example.org/bench",
                0,
                now,
                now,
            )
        )
    return rows


def _fmt(value):
    return value.isoformat(sep=" ") if isinstance(value, datetime) else value


async def seed(server: Server, events: int, personal: int, user_id: int) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    rows = _event_rows(events, now)
    if server.database == "sqlite":
        path = server.database_url.removeprefix("sqlite://").split("?", 1)[0]
        with sqlite3.connect(path, timeout=60) as connection:
            marks = ", ".join("?" * 20)
            connection.executemany(
                f"INSERT INTO events_event ({EVENT_COLUMNS}) VALUES ({marks})",  # noqa: S608
                [tuple(_fmt(v) for v in row) for row in rows],
            )
            ids = [row[0] for row in connection.execute("SELECT id FROM events_event ORDER BY id LIMIT ?", (personal,))]
            connection.executemany(
                f"INSERT INTO events_registration ({REGISTRATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                [(i, user_id, "online", "confirmed", _fmt(now), 0, _fmt(now), _fmt(now)) for i in ids],
            )
            connection.execute("ANALYZE")
        return
    connection = await asyncpg.connect(server.database_url.replace("postgres://", "postgresql://", 1))
    try:
        marks = ", ".join(f"${n}" for n in range(1, 21))
        await connection.executemany(f"INSERT INTO events_event ({EVENT_COLUMNS}) VALUES ({marks})", rows)  # noqa: S608
        ids = [r["id"] for r in await connection.fetch("SELECT id FROM events_event ORDER BY id LIMIT $1", personal)]
        await connection.executemany(
            f"INSERT INTO events_registration ({REGISTRATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",  # noqa: S608
            [(i, user_id, "online", "confirmed", now, 0, now, now) for i in ids],
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def timed(http: httpx.AsyncClient, url: str, count: int, headers: dict | None = None) -> tuple[list[float], int]:
    times, status = [], 0
    for _ in range(count):
        started = time.perf_counter()
        response = await http.get(url, headers=headers or {})
        times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    return times, status


def summary(times: list[float]) -> dict:
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1), "n": len(times)}


async def bench(args: argparse.Namespace) -> dict:
    async with running_server(database=args.database, keep_log=args.keep_log) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=120) as http:
            email = "bench-feeds@example.org"
            signup = await http.post(
                "/api/v1/auth/signup", json={"email": email, "password": PASSWORD, "display_name": "Bench"}
            )
            signup.raise_for_status()
            token = (await http.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD})).json()
            me = (await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token['token']}"})).json()
            await seed(server, args.events, args.personal, signup.json()["id"])
            personal_url = me["calendar_url"].replace(me["calendar_url"].split("/calendar/")[0], "")

            started = time.perf_counter()
            cold = await http.get("/events/feed.ics")
            cold_ms = (time.perf_counter() - started) * 1000
            site_items = cold.text.count("BEGIN:VEVENT")
            site, _ = await timed(http, "/events/feed.ics", args.requests)
            _, site_304 = await timed(http, "/events/feed.ics", 1, {"If-None-Match": cold.headers["etag"]})

            started = time.perf_counter()
            first = await http.get(personal_url)
            personal_cold_ms = (time.perf_counter() - started) * 1000
            personal_items = first.text.count("BEGIN:VEVENT")
            personal, _ = await timed(http, personal_url, args.requests)
            _, personal_304 = await timed(http, personal_url, 1, {"If-None-Match": first.headers["etag"]})
    return {
        "database": args.database,
        "site_feed": {"events": site_items, "cold_ms": round(cold_ms, 1), **summary(site), "conditional": site_304},
        "personal_feed": {
            "items": personal_items,
            "cold_ms": round(personal_cold_ms, 1),
            **summary(personal),
            "conditional": personal_304,
        },
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--personal", type=int, default=500)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--keep-log", action="store_true")
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    result = asyncio.run(bench(args))
    site, personal = result["site_feed"], result["personal_feed"]
    print(f"database: {result['database']}")
    print(
        f"site feed, {site['events']} events: cold {site['cold_ms']} ms; cached median {site['median_ms']} ms "
        f"(max {site['max_ms']} ms, n={site['n']}); If-None-Match -> {site['conditional']}"
    )
    print(
        f"personal feed, {personal['items']} items: cold {personal['cold_ms']} ms; "
        f"cached median {personal['median_ms']} ms "
        f"(max {personal['max_ms']} ms, n={personal['n']}); If-None-Match -> {personal['conditional']}"
    )
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
