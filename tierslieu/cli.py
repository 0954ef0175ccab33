"""The ``tierslieu`` command: serve, migrate, demo, and the commands of the installed parts
(``createadmin`` comes from accounts)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from tierslieu import db, logs, parts
from tierslieu.app import install
from tierslieu.settings import ConfigError, Settings, load_settings


def _print(line: str) -> None:
    print(line, flush=True)


async def _migrate(settings: Settings) -> None:
    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            _print(f"  applied {app_label}.{name}")

    await db.init(settings.database_url, parts.installed().with_models(), progress=progress)


async def _run_with_database(settings: Settings, work) -> object:
    await _migrate(settings)
    try:
        return await work()
    finally:
        await db.close()


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = load_settings()
    _print(f"Migrating {db.describe(settings.database_url)}")

    async def nothing() -> None:
        return None

    asyncio.run(_run_with_database(settings, nothing))
    _print("Database is up to date.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the SQLite database while the app keeps running (SQLite's online
    backup: readers and writers go on; a write during the copy makes it start over)."""
    import sqlite3
    from pathlib import Path

    settings = load_settings()
    if not settings.is_sqlite:
        _print("tierslieu backup copies a SQLite database; for PostgreSQL use pg_dump (docs/deploy.md).")
        return 2
    source_path = settings.database_url.removeprefix("sqlite://").split("?", 1)[0]
    if source_path == ":memory:" or not Path(source_path).exists():
        _print(f"No SQLite database at {source_path}")
        return 2
    target = Path(args.target)
    if target.exists():
        _print(f"{target} exists already; give a new file name")
        return 2
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy, pages=1024)
        ok = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
        source.close()
    if ok != "ok":
        _print(f"The copy failed its integrity check: {ok}")
        return 1
    _print(f"Copied {source_path} to {target}")
    return 0


async def fill_demo(report) -> list[str]:
    """Run the demo content of every installed part that has some (``Part.demo``: idempotent,
    returns lines to print, such as logins)."""
    fills = [(part.name, part.demo) for part in parts.installed().parts if part.demo is not None]
    lines: list[str] = []
    for index, (name, fill) in enumerate(fills, start=1):
        report(f"[{index}/{len(fills)}] {name}")
        lines += await fill(report)
    report("Demo content ready.")
    return lines


def _demo(settings: Settings) -> list[str]:
    async def work() -> list[str]:
        return await fill_demo(_print)

    return asyncio.run(_run_with_database(settings, work))  # type: ignore[return-value]


def cmd_demo(args: argparse.Namespace) -> int:
    settings = load_settings()
    _print(f"Filling {db.describe(settings.database_url)} with demo content")
    for line in _demo(settings):
        _print(line)
    return 0


def part_command(command: parts.Command):
    def run(args: argparse.Namespace) -> int:
        settings = load_settings()

        async def work() -> str:
            return await command.run(args, settings)

        _print(asyncio.run(_run_with_database(settings, work)))  # type: ignore[arg-type]
        return 0

    return run


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from tierslieu.server import TimedHttpToolsProtocol

    os.environ.setdefault("TIERSLIEU_BASE_URL", f"http://{args.host}:{args.port}")
    settings = load_settings(port=args.port)
    if settings.is_sqlite and args.workers > 1:
        _print(
            "SQLite serves one process only: several workers would fail with 'database is locked'.\n"
            "Use PostgreSQL for several workers: TIERSLIEU_DATABASE_URL=postgres://user@host/db"
        )
        return 2
    if args.demo:
        _print(f"Filling {db.describe(settings.database_url)} with demo content")
        lines = _demo(settings)
    else:
        _print(f"Migrating {db.describe(settings.database_url)}")
        asyncio.run(_run_with_database(settings, _noop))
        lines = []
    for line in lines:
        _print(line)
    _print(f"Serving on {settings.base_url} ({args.workers} worker{'s' if args.workers > 1 else ''})")
    logs.configure()
    uvicorn.run(
        "tierslieu.asgi:create",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        # httptools, with header and body read timeouts (tierslieu/server.py)
        http=TimedHttpToolsProtocol,
        # The standard loop, not uvloop: it serves ready connections in the order they became
        # ready. Under saturation uvloop leaves one connection out of a round now and then,
        # which doubled the 95th-percentile latency at 8 busy clients (measured on booking creation).
        loop="asyncio",
        ws="websockets-sansio",
        # Live messages are a few hundred bytes of JSON: compressing each one for each socket
        # saved a few dozen bytes at the price of CPU per delivery and a compressor's memory
        # per connection (measured on the fan-out bench)
        ws_per_message_deflate=False,
        proxy_headers=False,  # X-Forwarded-For is read by the app, from trusted proxies only
        server_header=False,
        log_config=None,
        timeout_graceful_shutdown=10,
    )
    return 0


async def _noop() -> None:
    return None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tierslieu", description="The tiers-lieu platform.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="migrate the database and serve the application")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="fill the database with demo content first")
    serve.set_defaults(handler=cmd_serve)
    commands.add_parser("migrate", help="apply pending migrations").set_defaults(handler=cmd_migrate)
    backup = commands.add_parser("backup", help="copy the SQLite database while it is in use")
    backup.add_argument("target", help="the file to write (must not exist)")
    backup.set_defaults(handler=cmd_backup)
    commands.add_parser("demo", help="fill the database with demo content (migrates first)").set_defaults(
        handler=cmd_demo
    )
    for part in parts.installed().parts:
        for command in part.commands:
            sub = commands.add_parser(command.name, help=command.help)
            command.arguments(sub)
            sub.set_defaults(handler=part_command(command))
    return parser


def main(argv: list[str] | None = None) -> None:
    install()
    args = build_parser().parse_args(argv)
    try:
        code = args.handler(args)
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        code = 2
    raise SystemExit(code)
