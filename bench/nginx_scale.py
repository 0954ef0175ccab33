"""Topic page throughput through nginx on PostgreSQL, with one and with two app processes
(issue 19; a report, not a target). Uses the scale harness (tests/scale/harness.py): two
``tierslieu serve`` processes, Redis, and two nginx instances running
docs/deploy/nginx.conf, one with the first process only, one with both; ``wrk`` (1 thread,
8 connections, 10-second runs, alternating rounds, as bench/README.md) reads the first 20
posts of a 200-post question over HTTPS through each.

    TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test_{} \\
        .venv/bin/python -m bench.nginx_scale [--seconds 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess

from tests.scale import harness


def wrk(url: str, seconds: int, host: str) -> dict[str, float]:
    command = ["wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", "-H", f"Host: {host}", url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603 - our own command
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))

    def percentile(name: str) -> float:
        value, unit = re.search(rf"\s{name}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {"rate": rate, "p50": percentile("50"), "p99": percentile("99"), "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with harness.stack(processes=2) as up:
        topic = up.seeded["topic"]
        harness.seed(up.database_url, f"replies:{topic}")
        single = harness.Nginx(up.workdir / "single", [up.apps[0].address]).start()
        try:
            targets = {"1 process": single.base_url, "2 processes": up.base_url}
            results: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
            for base in targets.values():  # warm-up
                wrk(f"{base}/forum/t/{topic}", 2, up.host)
            for _ in range(args.rounds):
                for name, base in targets.items():
                    results[name].append(wrk(f"{base}/forum/t/{topic}", args.seconds, up.host))
        finally:
            single.stop()
    load = os.getloadavg()
    print(f"wrk -t1 -c8 -d{args.seconds}s, {args.rounds} alternating rounds, medians; load average {load[0]:.1f}")
    print("| processes | req/s | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|")
    for name, runs in results.items():
        med = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        print(f"| {name} | {med['rate']:.1f} | {med['p50']:.1f} | {med['p99']:.1f} | {int(med['errors'])} |")


if __name__ == "__main__":
    main()
