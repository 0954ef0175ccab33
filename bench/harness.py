"""Start a real ``tierslieu serve`` for a benchmark, and always clean up after it.

Shared by the scripts in ``bench/``::

    async with running_server(database="postgres", workers=2) as server:
        ...  # talk to server.base_url (always on 127.0.0.1)

The server runs in a fresh temporary directory (``TIERSLIEU_DATA_DIR`` points there,
so the SQLite file and the generated secret key live there too); for PostgreSQL a
fresh database is created on 127.0.0.1:5432 (user ``postgres``) and dropped at the
end. The server's output goes to a log file whose tail is printed if it fails to
start. On exit, normal or not (error, Ctrl-C), the server gets SIGINT (a graceful
shutdown), then SIGTERM and SIGKILL to its process group if it lingers.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

HOST = "127.0.0.1"
POSTGRES_ADMIN_DSN = "postgres://postgres@127.0.0.1:5432/postgres"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/{name}"


@dataclass(frozen=True)
class Server:
    base_url: str
    database: str  # "sqlite" or "postgres"
    database_url: str
    workers: int
    data_dir: Path
    log_path: Path
    process: subprocess.Popen

    def cpu_seconds(self) -> float | None:
        return cpu_seconds(self.process)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def tierslieu_command() -> list[str]:
    """The ``tierslieu`` console script next to this interpreter, else ``python -m``."""
    script = Path(sys.executable).with_name("tierslieu")
    if script.exists():
        return [str(script)]
    found = shutil.which("tierslieu")
    return [found] if found else [sys.executable, "-m", "tierslieu"]


async def create_database(name: str) -> None:
    conn = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=10)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_database(name: str) -> None:
    conn = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=10)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def cpu_seconds(process: subprocess.Popen) -> float | None:
    """CPU time (user + system) used so far by the server and its workers: every live
    process of its process group. Linux only (reads /proc); None elsewhere."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    found = False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="utf-8", errors="replace").rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # After "pid (comm)": state ppid pgrp … utime is field 14, stime 15 (1-based).
        if int(fields[2]) == process.pid:
            total += int(fields[11]) + int(fields[12])
            found = True
    return total / ticks if found else None


def machine_cpu_seconds() -> float | None:
    """CPU time spent busy so far by the whole machine, all processes and cores (from
    /proc/stat: everything but idle and iowait). Linux only; None elsewhere."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    # The server was started in its own session: its process group id is its pid, and
    # the group holds exactly the server and its uvicorn workers.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def stop_server(process: subprocess.Popen, grace: float = 20.0) -> int | None:
    """SIGINT (uvicorn shuts down gracefully), then SIGTERM, then SIGKILL."""
    for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        if process.poll() is not None:
            break
        if sig == signal.SIGINT:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(sig)
        else:
            _signal_group(process, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait)
    # Workers left behind by a supervisor that died first.
    _signal_group(process, signal.SIGKILL)
    return process.poll()


async def wait_healthy(base_url: str, process: subprocess.Popen, log_path: Path, within: float) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(base_url=base_url, timeout=2.0) as client:
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with code {process.returncode} while starting; "
                    f"end of its log:\n{_tail(log_path)}"
                )
            with contextlib.suppress(httpx.TransportError):
                if (await client.get("/healthz")).status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"/healthz did not answer 200 within {within:.0f} s; end of the server log:\n{_tail(log_path)}"
                )
            await asyncio.sleep(0.2)


@contextlib.asynccontextmanager
async def running_server(
    database: str = "sqlite",
    workers: int = 1,
    extra_env: dict[str, str] | None = None,
    startup_timeout: float = 90.0,
    keep_log: bool = False,
    database_url: str | None = None,
) -> AsyncIterator[Server]:
    """Serve a fresh, empty instance (or the PostgreSQL database ``database_url``, left in
    place afterwards); yield its :class:`Server` once ``/healthz`` is 200."""
    if database not in {"sqlite", "postgres"}:
        raise ValueError(f"unknown database {database!r}")
    if database == "sqlite" and workers != 1:
        raise ValueError("SQLite serves one worker only (tierslieu serve refuses more)")
    data_dir = Path(tempfile.mkdtemp(prefix="tierslieu-bench-"))
    log_path = data_dir / "server.log"
    db_name = f"tierslieu_bench_{secrets.token_hex(4)}"
    db_created = False
    process: subprocess.Popen | None = None
    log_file = None
    try:
        env = {key: value for key, value in os.environ.items() if not key.startswith("TIERSLIEU_")}
        env["TIERSLIEU_DATA_DIR"] = str(data_dir)
        env["TIERSLIEU_ENV"] = "development"
        if database_url is not None:
            env["TIERSLIEU_DATABASE_URL"] = database_url
        elif database == "postgres":
            await create_database(db_name)
            db_created = True
            database_url = POSTGRES_URL.format(name=db_name)
            env["TIERSLIEU_DATABASE_URL"] = database_url
        else:
            database_url = f"sqlite://{data_dir / 'tierslieu.sqlite3'}"
        env.update(extra_env or {})
        port = free_port()
        base_url = f"http://{HOST}:{port}"
        command = [*tierslieu_command(), "serve", "--host", HOST, "--port", str(port)]
        if workers != 1:
            command += ["--workers", str(workers)]
        log_file = log_path.open("wb")
        process = subprocess.Popen(  # noqa: S603, ASYNC220 - our console script; blocking is fine here
            command,
            cwd=data_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us only; we stop the server ourselves
        )
        await wait_healthy(base_url, process, log_path, startup_timeout)
        yield Server(base_url, database, database_url, workers, data_dir, log_path, process)
    finally:
        if process is not None:
            stop_server(process)
        if log_file is not None:
            log_file.close()
        if db_created:
            try:
                await drop_database(db_name)
            except (OSError, asyncpg.PostgresError) as exc:
                print(f"warning: could not drop database {db_name}: {exc}", file=sys.stderr)
        if keep_log:
            print(f"server log kept in {log_path}", file=sys.stderr)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
