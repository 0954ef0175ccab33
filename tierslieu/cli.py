"""The ``tierslieu`` command: serve, migrate, createadmin, demo."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import importlib
import importlib.util
import os
import sys

from tierslieu import db, logs
from tierslieu.settings import ConfigError, Settings, load_settings


def _print(line: str) -> None:
    print(line, flush=True)


async def _migrate(settings: Settings) -> None:
    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            _print(f"  applied {app_label}.{name}")

    await db.init(settings.database_url, progress=progress)


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


async def fill_demo(report) -> list[str]:
    """Run every part's demo content. A part with some has a ``<part>.demo`` module whose
    ``async run(report)`` is idempotent and returns lines to print (such as logins)."""
    parts = [part for part in db.PARTS if part != "tierslieu" and importlib.util.find_spec(f"{part}.demo")]
    lines: list[str] = []
    for index, part in enumerate(parts, start=1):
        report(f"[{index}/{len(parts)}] {part}")
        lines += await importlib.import_module(f"{part}.demo").run(report)
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


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Password (again): ")
    if first != second:
        raise SystemExit("The two passwords differ.")
    return first


def cmd_createadmin(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from accounts import services, two_factor
    from accounts.forms import SignUp
    from accounts.models import Role, User, UserRole

    settings = load_settings()
    secret = None
    if args.totp_secret is not None:
        try:
            secret = two_factor.normalise_secret(args.totp_secret)
        except ValueError as exc:
            raise SystemExit(f"--totp-secret: {exc}") from None
    enrolled = " Two-step sign-in enrolled with the given secret." if secret else ""

    async def work() -> str:
        user = await User.get_or_none(email=args.email.strip().lower())
        if user is not None:
            await UserRole.get_or_create(user=user, role=Role.ADMIN)
            if secret:
                await two_factor.enrol(user, secret, settings.secret_key)
            return f"{user.email} is now an admin (password unchanged).{enrolled}"
        password = _read_password()
        try:
            data = SignUp(email=args.email, password=password, display_name=args.name)
        except ValidationError as exc:
            raise SystemExit("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None
        user = await services.create_user(
            data.email, data.password, data.display_name, roles=(Role.ADMIN,), verified=True
        )
        if secret:
            await two_factor.enrol(user, secret, settings.secret_key)
        return f"Created admin {user.email}.{enrolled}"

    _print(asyncio.run(_run_with_database(settings, work)))  # type: ignore[arg-type]
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

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
        http="httptools",
        # The standard loop, not uvloop: it serves ready connections in the order they became
        # ready. Under saturation uvloop leaves one connection out of a round now and then,
        # which doubled the 95th-percentile latency at 8 busy clients (bench/bookings_bench.py).
        loop="asyncio",
        ws="websockets-sansio",
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
    commands.add_parser("demo", help="fill the database with demo content (migrates first)").set_defaults(
        handler=cmd_demo
    )
    admin = commands.add_parser("createadmin", help="create an admin, or promote an existing account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", required=True)
    admin.add_argument(
        "--totp-secret",
        metavar="BASE32",
        help="enrol this authenticator secret (RFC 6238, at least 128 bits) as the admin's second factor",
    )
    admin.set_defaults(handler=cmd_createadmin)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        code = args.handler(args)
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        code = 2
    raise SystemExit(code)
