"""Live fan-out: how long a new reply takes to reach every subscriber of its topic.

A fleet of websocket clients (``bench/fleet.mjs``, under Node: its CPU time is reported,
since it shares the machine) subscribes to ``topic:{id}``; then, ``messages`` times, a
reply is posted through the JSON API and every subscriber notes when its ``post.created``
arrives. With several app processes the sockets spread over them, and the replies reach
the other processes through Redis. The figures are the delays from just before each POST
to each delivery.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
from pathlib import Path

FLEET = Path(__file__).with_name("fleet.mjs")
NODE_FLAGS = ["--experimental-websocket"]  # Node 20's WebSocket client (built in from Node 22)


def _node() -> str | None:
    return shutil.which("node")


def available() -> str | None:
    """None when Node with a WebSocket client is here, else what is missing."""
    node = _node()
    if node is None:
        return "Node.js is missing (apt-get install nodejs)"
    check = subprocess.run(  # noqa: S603 - the installed node, a fixed script
        [node, *NODE_FLAGS, "-e", "process.exit(typeof WebSocket === 'function' ? 0 : 1)"],
        capture_output=True,
        check=False,
    )
    return None if check.returncode == 0 else "this Node.js has no WebSocket client (Node 20.10 or later needed)"


def measure(base_url: str, tokens: list[str], topic_id: int, *, subscribers: int, messages: int) -> dict:
    """``tokens``: the people who post the replies, in turn (one person's pace is limited)."""
    task = {
        "ws_url": base_url.replace("http://", "ws://", 1) + "/ws",
        "base_url": base_url,
        "channel": f"topic:{topic_id}",
        "topic_id": topic_id,
        "subscribers": subscribers,
        "messages": messages,
        "tokens": tokens,
    }
    run = subprocess.run(  # noqa: S603 - the installed node and our own script
        [_node() or "node", *NODE_FLAGS, str(FLEET)],
        input=json.dumps(task),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = run.stdout.strip().splitlines()
    report = json.loads(lines[-1]) if lines else {"error": run.stderr.strip()[-500:] or f"exit {run.returncode}"}
    if "error" in report:
        raise RuntimeError(f"the fan-out fleet failed: {report['error']}")
    delays = sorted(report["delays_ms"])
    return {
        "subscribers": subscribers,
        "messages": messages,
        "p50_ms": round(statistics.median(delays), 1) if delays else None,
        "p99_ms": round(delays[int(len(delays) * 0.99) - 1], 1) if delays else None,
        "max_ms": round(delays[-1], 1) if delays else None,
        "missing": report["missing"],
        "client_cpu_seconds": round(report["cpu_seconds"], 1),
    }
