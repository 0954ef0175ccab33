"""``python -m bench``: build realistic data, run every bench against 127.0.0.1, report.

One command, one run: a fresh PostgreSQL database filled by :mod:`bench.data`, the app
served by ``tierslieu serve --workers 2`` (with Redis, as several processes run in
production), and beside it the ceiling, a bare Starlette hello-world under uvicorn with
the same workers. Load comes from ``wrk`` (compiled; one thread, 8 connections), in
alternating rounds: each round runs the ceiling, then every bench, so every figure is
read beside a ceiling measured minutes apart on the same machine. Each figure is given as
a ratio to the median ceiling of the run.

Besides requests per second and latencies, each bench reports the CPU time per request of
the app's processes and of PostgreSQL's, and the app's peak memory. The results go to
``bench/results/<time>.json`` and ``.md`` (``--output``); ``docs/performance.md`` keeps
the latest table.

    bench/run [--quick] [--seconds S] [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import data, fanout, wrk
from bench.harness import (
    HOST,
    create_database,
    drop_database,
    free_port,
    running_server,
    stop_server,
    wait_healthy,
)

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/{name}"
REDIS_URL = "redis://127.0.0.1:6379/14"
HELLO = textwrap.dedent(
    """
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def hello(request):
        return PlainTextResponse("Hello, world!")

    app = Starlette(routes=[Route("/", hello), Route("/healthz", hello)])
    """
)
TARGETS = {  # bench name -> (what, target) as the performance issue sets them
    "topic_anonymous": ("≥ 10 % of the ceiling", lambda r: r["ratio"] >= 0.10),
    "topic_no_cache": ("≥ 3 % of the ceiling", lambda r: r["ratio"] >= 0.03),
    "topic_signed_in": ("≥ 3 % of the ceiling", lambda r: r["ratio"] >= 0.03),
    "search": ("p95 ≤ 30 ms", lambda r: r["p95_ms"] <= 30),
    "booking_create_sqlite": ("p95 ≤ 15 ms", lambda r: r["p95_ms"] <= 15),
    "availability_sqlite": ("p95 ≤ 15 ms", lambda r: r["p95_ms"] <= 15),
    "personal_feed": ("≤ 30 ms", lambda r: r["p95_ms"] <= 30),
}


# --- processes: CPU time and memory ---------------------------------------------------------


def _stat(pid_dir: Path) -> tuple[int, int, int] | None:
    """(process group, CPU ticks, resident pages) of one process."""
    try:
        raw = (pid_dir / "stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[1].split()
    return int(fields[2]), int(fields[11]) + int(fields[12]), int(fields[21])


def _backend_of(pid_dir: Path, database: str) -> bool:
    """Whether a process is a PostgreSQL backend serving ``database`` (its title says so)."""
    try:
        title = (pid_dir / "cmdline").read_bytes()
    except OSError:
        return False
    return title.startswith(b"postgres: ") and f" {database} ".encode() in title


def usage(group: int, database: str) -> tuple[float, float, int]:
    """CPU seconds of the process group ``group`` (the app), of the PostgreSQL backends
    serving ``database`` (the app's pooled connections; the other databases of a shared
    server are left out), and the group's resident memory in bytes."""
    ticks, page = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")
    app = postgres = rss = 0
    for pid_dir in Path("/proc").glob("[0-9]*"):
        stat = _stat(pid_dir)
        if stat is None:
            continue
        pgrp, cpu, pages = stat
        if pgrp == group:
            app += cpu
            rss += pages * page
        elif _backend_of(pid_dir, database):
            postgres += cpu
    return app / ticks, postgres / ticks, rss


class PeakMemory:
    """Samples the app's resident memory every 0.2 s while a bench runs."""

    def __init__(self, group: int, database: str) -> None:
        self.group, self.database, self.peak, self._stop = group, database, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, usage(self.group, self.database)[2])

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --- the benches ----------------------------------------------------------------------------


@dataclass
class Bench:
    name: str
    label: str
    script: str
    args: list[str]
    connections: int = 8
    server: str = "app"  # or "ceiling"


@dataclass
class Result:
    name: str
    label: str
    runs: list[dict] = field(default_factory=list)


def benches(built: data.Built, session_cookie: str, tokens: list[str]) -> list[Bench]:
    topic = f"/forum/t/{built.topic_id}"
    monday = dt.date.today() + dt.timedelta(days=(7 - dt.date.today().weekday()) % 7 or 7)
    search = "|".join(f"/api/v1/forum/search?q={query.replace(' ', '+')}" for query in data.QUERIES)
    events = "|".join(str(event_id) for event_id in built.event_ids)
    return [
        Bench("ceiling", "Ceiling: bare Starlette hello-world", "get", ["/"], server="ceiling"),
        Bench("topic_anonymous", "Topic page, 200-post question, anonymous", "get", [topic]),
        Bench("topic_no_cache", "Topic page, anonymous, page cache off", "get", [topic], server="nocache"),
        Bench("topic_signed_in", "Topic page, signed in", "get", [topic, f"Cookie: {session_cookie}"]),
        Bench("category", "Category page", "get", [f"/forum/c/{built.category_slug}"]),
        Bench("events", "Event list", "get", ["/events"]),
        Bench("room_week", "Room week view", "get", [f"/rooms/{built.room_id}?week={monday.isoformat()}"]),
        Bench("personal_feed", "Personal iCal feed", "get", [f"/calendar/{built.calendar_token}.ics"]),
        Bench("site_feed", "Whole-site events feed", "get", ["/events/feed.ics"]),
        Bench("search", f"Search, {built.counts['search_posts']:,} posts", "get", [search]),
        *booking_benches(built, tokens, "PostgreSQL", ""),
        Bench("registration", "Event registration", "registrations", ["0", events, *tokens]),
    ]


def booking_benches(
    built: data.Built, tokens: list[str], database: str, suffix: str, server: str = "app"
) -> list[Bench]:
    """Availability over a week of a room, and booking creation, at the generated volume."""
    first_day = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    rooms = built.counts["rooms"]
    today = dt.date.today()
    window = "|".join(
        f"/api/v1/rooms/{built.room_id + n % min(rooms, 10)}/availability"
        f"?from={today + dt.timedelta(days=n)}T00:00:00Z&to={today + dt.timedelta(days=n + 7)}T00:00:00Z"
        for n in range(30)
    )
    bookings = f"{built.counts['bookings']:,} bookings, {database}"
    return [
        Bench("availability" + suffix, f"Room availability, {bookings}", "get", [window], server=server),
        Bench(
            "booking_create" + suffix,
            f"Booking creation, {bookings}",
            "bookings",
            [str(built.room_id), str(rooms), first_day, "0", *tokens],
            server=server,
        ),
    ]


def run_bench(
    bench: Bench, servers: dict[str, tuple[str, int]], database: str, seconds: float, round_number: int
) -> dict:
    base_url, group = servers[bench.server]
    args = list(bench.args)
    if bench.script == "bookings":
        args[3] = str(round_number * 60)
    if bench.script == "registrations":
        args[0] = str(round_number * 7000)
    before = usage(group, database)
    with PeakMemory(group, database) as memory:
        started = time.monotonic()
        figures = wrk.run(base_url, bench.script, args, seconds=seconds, connections=bench.connections)
        elapsed = time.monotonic() - started
    after = usage(group, database)
    requests = max(figures.requests, 1)
    return {
        **asdict(figures),
        "rate": round(figures.rate, 1),
        "app_cpu_ms_per_request": round(1000 * (after[0] - before[0]) / requests, 3),
        "postgres_cpu_ms_per_request": round(1000 * (after[1] - before[1]) / requests, 3),
        "peak_rss_mb": round(memory.peak / 2**20, 1),
        "wall_seconds": round(elapsed, 1),
    }


def login_under_load(
    servers: dict[str, tuple[str, int]], database: str, solo_rate: float, emails: list[str], seconds: float
) -> dict:
    """Logins as fast as they go while the event list is driven at half its solo rate
    (8 connections, each paced with wrk's ``delay()``)."""
    base_url, group = servers["app"]
    delay_ms = max(1, int(8 * 1000 / max(solo_rate / 2, 1)))
    results: dict[str, wrk.Run] = {}

    def paced() -> None:
        results["page"] = wrk.run(base_url, "paced", ["/events", str(delay_ms)], seconds=seconds)

    before = usage(group, database)
    thread = threading.Thread(target=paced)
    thread.start()
    logins = wrk.run(base_url, "logins", [data.PASSWORD, "0", *emails], seconds=seconds, connections=4)
    thread.join()
    after = usage(group, database)
    page = results["page"]
    return {
        "logins_per_second": round(logins.rate, 1),
        "login_p95_ms": logins.p95_ms,
        "login_errors": logins.errors,
        "page_target_rate": round(solo_rate / 2, 1),
        "page_rate": round(page.rate, 1),
        "page_p95_ms": page.p95_ms,
        "page_errors": page.errors,
        "app_cpu_seconds": round(after[0] - before[0], 2),
    }


# --- set-up ---------------------------------------------------------------------------------


async def prepare(
    database_url: str, volumes: dict[str, int], secret_key: str, build: Any = data.build
) -> tuple[data.Built, list[str]]:
    """Migrate the new database and fill it with ``build``; API tokens for the registrants."""
    os.environ["TIERSLIEU_SECRET_KEY"] = secret_key
    from accounts.models import ApiToken, User
    from tierslieu import db
    from tierslieu.app import installation

    print(f"Building the data in {database_url} …", file=sys.stderr)
    await db.init(database_url, installation().with_models(), migrate=True)
    try:
        built = await build(volumes, secret_key)
        tokens = [secrets.token_urlsafe(32) for _ in built.registrant_emails]
        people = await User.filter(email__in=built.registrant_emails).order_by("id")
        await ApiToken.bulk_create(
            [
                ApiToken(user_id=person.id, name="bench", token_hash=hashlib.sha256(token.encode()).hexdigest())
                for person, token in zip(people, tokens, strict=False)
            ]
        )
        from tortoise import connections

        await connections.get("default").execute_script("ANALYZE")
    finally:
        await db.close()
    return built, tokens


async def sign_in(base_url: str, email: str) -> str:
    """A session cookie (the ``Cookie`` header's value) for ``email``."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30, follow_redirects=False) as http:
        page = await http.get("/login")
        csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        signed = await http.post("/login", data={"csrf_token": csrf, "email": email, "password": data.PASSWORD})
        if signed.status_code != 303:
            raise RuntimeError(f"signing in failed: {signed.status_code}")
        return "; ".join(f"{name}={value}" for name, value in http.cookies.items())


async def flush_redis() -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


def start_ceiling(workers: int, directory: Path) -> tuple[subprocess.Popen, str]:
    (directory / "hello.py").write_text(HELLO)
    port = free_port()
    log = (directory / "hello.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "uvicorn", "hello:app", "--host", HOST, "--port", str(port), "--workers", str(workers),
         "--no-access-log", "--log-level", "warning"],
        cwd=directory, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    return process, f"http://{HOST}:{port}"


# --- the report -----------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // 2**20
    return f"{os.cpu_count()} cores ({model}), {memory} GiB, {platform.platform()}, Python {platform.python_version()}"


def summarise(results: dict[str, Result]) -> dict[str, dict]:
    ceiling = statistics.median(run["rate"] for run in results["ceiling"].runs)
    summary = {}
    for name, result in results.items():
        runs = result.runs
        rate = statistics.median(run["rate"] for run in runs)
        row = {
            "label": result.label,
            "rate": round(rate, 1),
            "ratio": round(rate / ceiling, 4) if ceiling else 0.0,
            "p50_ms": round(statistics.median(run["p50_ms"] for run in runs), 2),
            "p95_ms": round(statistics.median(run["p95_ms"] for run in runs), 2),
            "p99_ms": round(statistics.median(run["p99_ms"] for run in runs), 2),
            "errors": sum(run["errors"] for run in runs),
            "statuses": {
                status: sum(run["statuses"].get(status, 0) for run in runs)
                for status in sorted({status for run in runs for status in run["statuses"]})
            },
            "app_cpu_ms_per_request": round(statistics.median(run["app_cpu_ms_per_request"] for run in runs), 3),
            "postgres_cpu_ms_per_request": round(
                statistics.median(run["postgres_cpu_ms_per_request"] for run in runs), 3
            ),
            "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
            "rounds": [run["rate"] for run in runs],
        }
        if name in TARGETS:
            what, met = TARGETS[name]
            row["target"], row["met"] = what, bool(met(row))
        summary[name] = row
    return summary


def _errors(row: dict) -> str:
    """The errors, with the statuses of the answers outside 2xx when there were some."""
    if not row["statuses"]:
        return str(row["errors"])
    return f"{row['errors']} ({', '.join(f'{count} × {status}' for status, count in row['statuses'].items())})"


def markdown(report: dict) -> str:
    lines = [
        f"Run of {report['started']} on {report['machine']}.",
        f"Command: `{report['command']}`. Data: {report['volumes_text']}.",
        f"wrk, 1 thread, 8 connections, {report['seconds']:g} s per run, {report['rounds']} alternating rounds;"
        " figures are medians over the rounds.",
        "",
        "| bench | req/s | × ceiling | p50 ms | p95 ms | p99 ms | app CPU ms/req | PostgreSQL CPU ms/req"
        " | app peak MB | errors | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in report["benches"].values():
        target = ""
        if "target" in row:
            target = ("met: " if row["met"] else "**missed**: ") + row["target"]
        lines.append(
            f"| {row['label']} | {row['rate']:,.1f} | {100 * row['ratio']:.2f} % | {row['p50_ms']} | {row['p95_ms']}"
            f" | {row['p99_ms']} | {row['app_cpu_ms_per_request']} | {row['postgres_cpu_ms_per_request']}"
            f" | {row['peak_rss_mb']} | {_errors(row)} | {target} |"
        )
    login = report.get("login_under_load")
    if login:
        lines += [
            "",
            f"Logins while the event list is held at half its solo rate ({login['page_target_rate']} req/s):"
            f" **{login['logins_per_second']} logins/s** (p95 {login['login_p95_ms']} ms, target ≥ 30/s);"
            f" the page kept {login['page_rate']} req/s, p95 {login['page_p95_ms']} ms.",
        ]
    for name, fan in report.get("fanout", {}).items():
        lines += [
            "",
            f"Live fan-out, {name}: {fan['subscribers']} subscribers, {fan['messages']} messages:"
            f" publish to delivery p50 {fan['p50_ms']} ms, **p99 {fan['p99_ms']} ms** (target ≤ 100 ms),"
            f" {fan['missing']} deliveries missing; the subscriber fleet (Node) used {fan['client_cpu_seconds']} s"
            " of CPU while the messages went out.",
        ]
    if report.get("fanout_skipped"):
        lines += ["", f"Live fan-out not measured: {report['fanout_skipped']}."]
    return "\n".join(lines) + "\n"


# --- main -----------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> int:
    if not wrk.available():
        print("wrk is missing: run bench/run, which installs it (apt-get install wrk).", file=sys.stderr)
        return 2
    fleet_missing = fanout.available()
    if fleet_missing:
        print(f"The live fan-out bench will be skipped: {fleet_missing}.", file=sys.stderr)
    volumes = {key: max(1, value // 10) if args.quick else value for key, value in data.VOLUMES.items()}
    volumes["topics"] = max(volumes["topics"], 2)
    started = dt.datetime.now(dt.UTC)
    name = f"tierslieu_bench_{secrets.token_hex(4)}"
    secret_key = secrets.token_urlsafe(48)
    await create_database(name)
    await flush_redis()  # rate-limit counters of an earlier run's people (same ids)
    work = Path(tempfile.mkdtemp(prefix="tierslieu-bench-"))
    ceiling_process = None
    try:
        built, tokens = await prepare(POSTGRES_URL.format(name=name), volumes, secret_key)
        env = {"TIERSLIEU_SECRET_KEY": secret_key, "TIERSLIEU_REDIS_URL": REDIS_URL}
        database_url = POSTGRES_URL.format(name=name)
        async with (
            running_server("postgres", workers=args.workers, extra_env=env, database_url=database_url) as app,
            running_server(
                "postgres",
                workers=args.workers,
                extra_env={**env, "TIERSLIEU_PAGE_CACHE": "off"},
                database_url=database_url,
            ) as nocache,
        ):
            ceiling_process, ceiling_url = start_ceiling(args.workers, work)
            await wait_healthy(ceiling_url, ceiling_process, work / "hello.log", 30)
            cookie = await sign_in(app.base_url, built.member_email)
            servers = {
                "app": (app.base_url, app.process.pid),
                "nocache": (nocache.base_url, nocache.process.pid),
                "ceiling": (ceiling_url, ceiling_process.pid),
            }
            chosen = benches(built, cookie, tokens)
            results = {bench.name: Result(bench.name, bench.label) for bench in chosen}
            for round_number in range(args.rounds):
                for bench in chosen:
                    print(f"round {round_number + 1}/{args.rounds}: {bench.label} …", file=sys.stderr)
                    results[bench.name].runs.append(run_bench(bench, servers, name, args.seconds, round_number))
            # the booking benches' targets are set on SQLite: one process on its own file
            sqlite_url = f"sqlite://{work / 'bookings.sqlite3'}"
            lite_built, lite_tokens = await prepare(sqlite_url, volumes, secret_key, data.build_bookings)
            lite_env = {"TIERSLIEU_SECRET_KEY": secret_key}
            async with running_server("sqlite", extra_env=lite_env, database_url=sqlite_url) as lite:
                servers["sqlite"] = (lite.base_url, lite.process.pid)
                for bench in booking_benches(lite_built, lite_tokens, "SQLite, one process", "_sqlite", "sqlite"):
                    results[bench.name] = Result(bench.name, bench.label)
                    for round_number in range(args.rounds):
                        print(f"round {round_number + 1}/{args.rounds}: {bench.label} …", file=sys.stderr)
                        results[bench.name].runs.append(run_bench(bench, servers, name, args.seconds, round_number))
            summary = summarise(results)
            print("logins under load …", file=sys.stderr)
            login = login_under_load(servers, name, summary["events"]["rate"], built.registrant_emails, args.seconds)
            fan = {}
            if not fleet_missing:
                print("live fan-out …", file=sys.stderr)
                fan[f"{args.workers} processes through Redis"] = fanout.measure(
                    app.base_url, tokens, built.topic_id, subscribers=args.subscribers, messages=20
                )
        report = {
            "started": started.isoformat(timespec="seconds"),
            "machine": machine(),
            "command": " ".join(["bench/run", *sys.argv[1:]]),
            "volumes": volumes,
            "volumes_text": ", ".join(f"{value:,} {key.replace('_', ' ')}" for key, value in volumes.items()),
            "seconds": args.seconds,
            "rounds": args.rounds,
            "benches": summary,
            "login_under_load": login,
            "fanout": fan,
            "fanout_skipped": fleet_missing,
            "raw": {name: result.runs for name, result in results.items()},
        }
    finally:
        if ceiling_process is not None:
            stop_server(ceiling_process)
        await drop_database(name)
    args.output.mkdir(parents=True, exist_ok=True)
    stem = args.output / started.strftime("%Y%m%dT%H%M%SZ")
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    table = markdown(report)
    stem.with_suffix(".md").write_text(table)
    print(table)
    print(f"Written: {stem}.json and {stem}.md", file=sys.stderr)
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data, 3 s runs, one round")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--workers", type=int, default=2, help="processes of the app and of the ceiling")
    parser.add_argument("--subscribers", type=int, default=1000, help="websocket subscribers of the fan-out bench")
    parser.add_argument("--output", type=Path, default=Path("bench/results"), help="where the JSON and Markdown go")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds, args.subscribers = min(args.seconds, 3.0), 1, min(args.subscribers, 200)
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
