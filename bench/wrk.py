"""Run Debian's ``wrk`` (a compiled load generator) and read its figures.

Every run loads ``lua/report.lua`` (which prints the figures as one JSON line) with the
bench's own script, one thread, ``connections`` connections, for ``seconds``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"


@dataclass(frozen=True)
class Run:
    requests: int
    seconds: float
    errors: int
    non_2xx: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int]  # answers outside 2xx, by status

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def available() -> bool:
    return shutil.which("wrk") is not None


def run(base_url: str, script: str, args: list[str], *, seconds: float, connections: int = 8) -> Run:
    """``wrk`` against ``base_url`` with ``lua/<script>.lua`` given ``args``."""
    source = (LUA / "report.lua").read_text() + "\n" + (LUA / f"{script}.lua").read_text()
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as combined:
        combined.write(source)
        combined.flush()
        command = [
            "wrk",
            "--threads", "1",
            "--connections", str(connections),
            "--duration", f"{seconds:g}s",
            "--timeout", "10s",
            "--script", combined.name,
            base_url,
            "--",
            *args,
        ]  # fmt: skip
        finished = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds + 60)  # noqa: S603
    for line in finished.stdout.splitlines():
        if line.startswith("WRK "):
            return Run(**json.loads(line[4:]))
    raise RuntimeError(f"wrk gave no figures: {finished.stdout[-500:]} {finished.stderr[-500:]}")
