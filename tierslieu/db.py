"""Database set-up: Tortoise configuration, start-up, migrations.

Each part is one Tortoise app whose label is its package name, with its models in
``<part>.models`` and its migrations in ``<part>.migrations``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.executor import MigrationExecutor

# Parts with models, in dependency order. A part is added here when it gains models.
PARTS: tuple[str, ...] = ("accounts", "tierslieu", "bookings", "events", "forum")

SQLITE_PRAGMAS = "journal_mode=WAL&busy_timeout=5000&synchronous=NORMAL&foreign_keys=ON"


def normalise_url(url: str) -> str:
    """Give SQLite its pragmas and PostgreSQL the asyncpg driver."""
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://").split("?", 1)[0]
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return url if "?" in url else f"{url}?{SQLITE_PRAGMAS}"
    if url.startswith("postgresql://"):
        return "postgres://" + url.removeprefix("postgresql://")
    return url


def connection_config(database_url: str) -> dict[str, Any]:
    """Tortoise's settings for the URL; SQLite goes through :mod:`tierslieu.sqlite_engine`."""
    config = expand_db_url(normalise_url(database_url))
    if config["engine"] == "tortoise.backends.sqlite":
        config["engine"] = "tierslieu.sqlite_engine"
    return config


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(database_url)},
        "apps": {
            part: {
                "models": [f"{part}.models"],
                "migrations": f"{part}.migrations",
                "default_connection": "default",
            }
            for part in PARTS
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def dialect() -> str:
    """'sqlite' or 'postgres' for the default connection."""
    return connections.get("default").capabilities.dialect


def describe(database_url: str) -> str:
    """The URL without its password, for logs and messages."""
    parts = urlsplit(database_url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return database_url


async def init(database_url: str, *, migrate: bool = True, progress=None) -> None:
    """Connect, then apply every part's pending migrations (on the same connection,
    so that an in-memory SQLite database is migrated where it is used)."""
    config = tortoise_config(database_url)
    # global fallback: the lifespan task opens the connections, request tasks use them
    await Tortoise.init(config=config, _enable_global_fallback=True)
    if migrate:
        executor = MigrationExecutor(connections.get("default"), config["apps"])
        await executor.migrate(None, progress=progress)


async def close() -> None:
    await Tortoise.close_connections()
