"""Login throughput while ordinary pages are still served.

Passwords are argon2id (m=19 MiB, t=2, p=1), verified in the thread pool behind a
semaphore: a login is CPU-bound on purpose. This benchmark shows

(a) how many logins a second the server sustains, and
(b) that ordinary pages keep answering quickly meanwhile (the event loop is not stalled).

It starts a real ``tierslieu serve`` (fresh SQLite file, or a fresh PostgreSQL database
dropped at the end), signs up some accounts, then runs three phases:

1. ``pages_alone`` (the baseline): a few coroutines loop ``GET /`` and ``GET /healthz``;
2. ``logins_alone``: other coroutines loop ``POST /api/v1/auth/tokens`` with correct
   passwords, round-robin over the accounts;
3. ``both``: the two loops at once — the figure that matters.

Only correct passwords are used, so no rate limit is touched. Every answer outside 2xx
is counted and reported loudly (the exit code is then 1). The last line of the output
is ``RESULT {json}``.

    .venv/bin/python bench/login_throughput.py [--database sqlite|postgres]
        [--workers N] [--seconds S] [--concurrency C]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Server, machine_cpu_seconds, running_server

PASSWORD = "bench-password-0123456789"  # noqa: S105 - the benchmark accounts' password
REQUEST_TIMEOUT = 30.0
KINDS = ("login", "home", "healthz")


@dataclass
class Samples:
    """Latencies (seconds) of the 2xx answers of one kind of request, and the rest."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)  # non-2xx status codes, or error names

    def summary(self, elapsed: float) -> dict:
        ok = sorted(self.latencies)
        return {
            "ok": len(ok),
            "failed": sum(self.statuses.values()),
            "per_second": round(len(ok) / elapsed, 2) if elapsed > 0 else None,
            "p50_ms": _ms(_percentile(ok, 50)),
            "p95_ms": _ms(_percentile(ok, 95)),
            "p99_ms": _ms(_percentile(ok, 99)),
            "max_ms": _ms(ok[-1] if ok else None),
            "non_2xx": {str(key): count for key, count in sorted(self.statuses.items(), key=str)},
        }


def _percentile(values: list[float], pct: float) -> float | None:
    """Linear interpolation between closest ranks; ``values`` sorted."""
    if not values:
        return None
    rank = (len(values) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (rank - low)


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def stateless_client(base_url: str, connections: int) -> httpx.AsyncClient:
    """A client that never keeps cookies: every request is anonymous (no session, no CSRF)."""
    no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=REQUEST_TIMEOUT,
        cookies=no_cookies,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        headers={"Accept-Language": "en"},
    )


async def timed(
    samples: dict[str, Samples],
    kind: str,
    send: Callable[[], Awaitable[httpx.Response]],
    expected: int,
) -> None:
    started = time.perf_counter()
    try:
        response = await send()
    except httpx.HTTPError as exc:
        samples[kind].statuses[type(exc).__name__] += 1
        return
    elapsed = time.perf_counter() - started
    if response.status_code == expected:
        samples[kind].latencies.append(elapsed)
    else:
        samples[kind].statuses[response.status_code] += 1


async def page_loop(client: httpx.AsyncClient, samples: dict[str, Samples], deadline: float) -> None:
    while time.monotonic() < deadline:
        await timed(samples, "home", lambda: client.get("/"), 200)
        await timed(samples, "healthz", lambda: client.get("/healthz"), 200)


async def login_loop(
    client: httpx.AsyncClient,
    samples: dict[str, Samples],
    accounts: itertools.cycle,
    deadline: float,
) -> None:
    while time.monotonic() < deadline:
        email = next(accounts)
        await timed(
            samples,
            "login",
            lambda email=email: client.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD}),
            201,
        )


async def sign_up(client: httpx.AsyncClient, count: int) -> list[str]:
    """Create ``count`` accounts (4 at a time); fail loudly on any unexpected answer."""
    emails = [f"bench{index:03d}@example.org" for index in range(count)]
    semaphore = asyncio.Semaphore(4)

    async def one(email: str) -> None:
        async with semaphore:
            body = {"email": email, "password": PASSWORD, "display_name": email.split("@")[0]}
            response = await client.post("/api/v1/auth/signup", json=body)
        if response.status_code != 201:
            raise RuntimeError(f"POST /api/v1/auth/signup for {email} → {response.status_code}: {response.text[:500]}")

    await asyncio.gather(*(one(email) for email in emails))
    # One login up front: proves the tokens endpoint works before timing anything.
    response = await client.post("/api/v1/auth/tokens", json={"email": emails[0], "password": PASSWORD})
    if response.status_code != 201 or "token" not in response.json():
        raise RuntimeError(f"POST /api/v1/auth/tokens → {response.status_code}: {response.text[:500]}")
    return emails


async def run_phase(
    server: Server,
    seconds: float,
    page_concurrency: int,
    login_concurrency: int,
    emails: list[str],
) -> dict:
    """Run the loops until ``seconds`` have passed; summarise each kind of request, and
    the CPU used meanwhile by the server (all workers) and by this load generator."""
    samples = {kind: Samples() for kind in KINDS}
    async with (
        stateless_client(server.base_url, max(page_concurrency, 1)) as pages,
        stateless_client(server.base_url, max(login_concurrency, 1)) as logins,
    ):
        server_cpu = server.cpu_seconds()
        machine_cpu = machine_cpu_seconds()
        client_cpu = time.process_time()
        started = time.monotonic()
        deadline = started + seconds
        accounts = itertools.cycle(emails)
        await asyncio.gather(
            *(page_loop(pages, samples, deadline) for _ in range(page_concurrency)),
            *(login_loop(logins, samples, accounts, deadline) for _ in range(login_concurrency)),
        )
        elapsed = time.monotonic() - started
        client_cpu = time.process_time() - client_cpu
        server_cpu_after = server.cpu_seconds()
        machine_cpu_after = machine_cpu_seconds()
    result: dict = {
        "seconds": round(elapsed, 2),
        "page_clients": page_concurrency,
        "login_clients": login_concurrency,
        # CPU-seconds per second: 1.0 is one core fully busy.
        "server_cpu": None
        if server_cpu is None or server_cpu_after is None
        else round((server_cpu_after - server_cpu) / elapsed, 2),
        "load_generator_cpu": round(client_cpu / elapsed, 2),
        "machine_cpu": None
        if machine_cpu is None or machine_cpu_after is None
        else round((machine_cpu_after - machine_cpu) / elapsed, 2),
    }
    for kind, kind_samples in samples.items():
        if kind_samples.latencies or kind_samples.statuses:
            result[kind] = kind_samples.summary(elapsed)
    return result


def argon2_reference() -> dict | None:
    """Time one argon2 verification with the server's own parameters, in this process
    (nothing else running): the ceiling is about cores / this time."""
    try:
        from tierslieu.passwords import HASHER
    except ImportError:
        return None
    stored = HASHER.hash(PASSWORD)
    HASHER.verify(stored, PASSWORD)
    rounds = 5
    started = time.perf_counter()
    for _ in range(rounds):
        HASHER.verify(stored, PASSWORD)
    per_verify = (time.perf_counter() - started) / rounds
    return {
        "params": f"argon2id m={HASHER.memory_cost} KiB t={HASHER.time_cost} p={HASHER.parallelism}",
        "verify_ms": round(per_verify * 1000, 1),
    }


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _or_unknown(value: object) -> object:
    return "?" if value is None else value


def _others(phase: dict) -> str:
    if phase["machine_cpu"] is None or phase["server_cpu"] is None:
        return ""
    others = phase["machine_cpu"] - phase["server_cpu"] - phase["load_generator_cpu"]
    return f" (others: {max(others, 0):.2f})"


def print_report(result: dict) -> None:
    env = result["environment"]
    phases = result["phases"]
    print()
    print("=" * 80)
    print("Login throughput with pages served concurrently")
    print("=" * 80)
    print(
        f"database {result['database']}, {result['workers']} worker(s), "
        f"{env['cpus']} usable CPU(s) (os.cpu_count {env['cpu_count']}), Python {env['python']}"
    )
    print(
        f"{result['accounts']} accounts; {result['login_concurrency']} login clients "
        f"(POST /api/v1/auth/tokens); {result['page_concurrency']} page clients "
        "(each: GET / then GET /healthz)"
    )
    reference = env.get("argon2")
    if reference:
        ceiling = env["cpus"] / (reference["verify_ms"] / 1000)
        print(
            f"{reference['params']}: one verification takes {reference['verify_ms']} ms here "
            f"(one thread, idle machine): ceiling ~{ceiling:.0f} logins/s on {env['cpus']} CPU(s)"
        )
    print(
        "the load generator runs on the same machine and shares its CPUs; 'server' CPU counts "
        "the tierslieu processes only (not PostgreSQL), 'whole machine' counts everything"
    )
    print()
    header = f"{'phase':<14}{'request':<9}{'ok':>7}{'req/s':>9}"
    header += "".join(f"{name:>9}" for name in ("p50 ms", "p95 ms", "p99 ms", "max ms"))
    header += f"{'fail':>6}"
    print(header)
    print("-" * len(header))
    for name, phase in phases.items():
        for kind in KINDS:
            row = phase.get(kind)
            if row is None:
                continue
            cells = [row[key] for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms")]
            print(
                f"{name:<14}{kind:<9}{row['ok']:>7}{row['per_second']:>9}"
                + "".join(f"{'-' if cell is None else cell:>9}" for cell in cells)
                + f"{row['failed']:>6}"
            )
        print(
            f"{'':<14}{phase['seconds']} s; CPU (cores busy): server {_or_unknown(phase['server_cpu'])}, "
            f"load generator {phase['load_generator_cpu']}, "
            f"whole machine {_or_unknown(phase['machine_cpu'])} of {env['cpus']}{_others(phase)}"
        )
    print()
    both = phases["both"]
    for kind in ("home", "healthz"):
        alone = phases["pages_alone"].get(kind, {})
        loaded = both.get(kind, {})
        for stat in ("p50_ms", "p95_ms", "p99_ms"):
            if alone.get(stat) and loaded.get(stat):
                print(
                    f"{kind:<8}{stat[:3]} under login load: {loaded[stat]:>7} ms vs "
                    f"{alone[stat]:>7} ms alone ({loaded[stat] / alone[stat]:.1f}x)"
                )
    logins_alone = phases["logins_alone"].get("login", {}).get("per_second")
    logins_both = both.get("login", {}).get("per_second")
    print(f"logins/s sustained: {logins_both} with pages, {logins_alone} alone")
    failures = result["non_2xx"]
    if failures:
        print()
        print("!" * 80)
        print("!!! UNEXPECTED ANSWERS (every request should have succeeded):")
        for phase_kind, counts in failures.items():
            print(f"!!!   {phase_kind}: {counts}")
        print("!" * 80)
    else:
        print("non-2xx answers: 0")
    print("=" * 80)


async def bench(args: argparse.Namespace) -> dict:
    environment = {
        "cpus": usable_cpus(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "argon2": argon2_reference(),
    }
    plan = {
        # name: (seconds, page clients, login clients)
        "pages_alone": (args.baseline_seconds, args.page_concurrency, 0),
        "logins_alone": (args.baseline_seconds, 0, args.concurrency),
        "both": (args.seconds, args.page_concurrency, args.concurrency),
    }
    phases: dict[str, dict] = {}
    print(f"starting tierslieu serve ({args.database}, {args.workers} worker(s))…", flush=True)
    async with running_server(database=args.database, workers=args.workers, keep_log=args.keep_log) as server:
        print(f"server up at {server.base_url}; signing up {args.accounts} accounts…", flush=True)
        async with stateless_client(server.base_url, 8) as client:
            emails = await sign_up(client, args.accounts)
            # Warm-up: templates, connection pools (of every worker), first queries.
            for _ in range(10 * args.workers):
                await client.get("/")
                await client.get("/healthz")
        for name, (seconds, page_clients, login_clients) in plan.items():
            print(f"{name}: {page_clients} page clients, {login_clients} login clients, {seconds} s…", flush=True)
            phases[name] = await run_phase(server, seconds, page_clients, login_clients, emails)
    non_2xx = {
        f"{name}/{kind}": phase[kind]["non_2xx"]
        for name, phase in phases.items()
        for kind in KINDS
        if kind in phase and phase[kind]["non_2xx"]
    }
    return {
        "benchmark": "login_throughput",
        "database": args.database,
        "workers": args.workers,
        "accounts": args.accounts,
        "login_concurrency": args.concurrency,
        "page_concurrency": args.page_concurrency,
        "environment": environment,
        "phases": phases,
        "non_2xx": non_2xx,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers (SQLite: 1 only)")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the login phase")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent login clients")
    parser.add_argument("--page-concurrency", type=int, default=4, help="concurrent page clients")
    parser.add_argument(
        "--baseline-seconds", type=float, default=5.0, help="length of each phase alone (pages, then logins)"
    )
    parser.add_argument("--accounts", type=int, default=20, help="accounts to sign up and log in")
    parser.add_argument("--keep-log", action="store_true", help="keep the server log afterwards")
    args = parser.parse_args(argv)
    if args.database == "sqlite" and args.workers != 1:
        parser.error("SQLite serves one worker only: use --database postgres for --workers > 1")
    if not (0 < args.seconds <= 600 and 0 < args.baseline_seconds <= 600):
        parser.error("--seconds and --baseline-seconds must be in (0, 600]")
    if args.workers < 1 or args.concurrency < 1 or args.page_concurrency < 1 or args.accounts < 1:
        parser.error("--workers, --concurrency, --page-concurrency and --accounts must be ≥ 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = asyncio.run(bench(args))
    except KeyboardInterrupt:
        print("interrupted; server stopped and cleaned up", file=sys.stderr)
        return 130
    except RuntimeError as exc:  # the server did not start, or sign-up / login misbehaved
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 2
    print_report(result)
    print("RESULT " + json.dumps(result, sort_keys=True), flush=True)
    return 1 if result["non_2xx"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
