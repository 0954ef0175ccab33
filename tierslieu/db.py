"""Database set-up: Tortoise configuration, start-up, migrations.

Each installed part with models (``Part.models``) is one Tortoise app whose label is its
package name, with its models in ``<part>.models`` and its migrations in
``<part>.migrations``; the composition root passes their names, in the installed order.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.fields import DatetimeField, JSONField
from tortoise.fields.data import CharEnumFieldInstance, IntEnumFieldInstance
from tortoise.migrations.executor import MigrationExecutor
from tortoise.models import Model

from tierslieu import clock

M = TypeVar("M", bound=Model)

SQLITE_PRAGMAS = "journal_mode=WAL&busy_timeout=5000&synchronous=NORMAL&foreign_keys=ON"
DEFAULT_TIMEOUT = 10.0  # seconds to connect to PostgreSQL, and for one statement
MIGRATION_LOCK = 7_316_253_041  # the advisory lock key held while migrations run


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


async def _keep_session(connection: Any) -> None:
    """What asyncpg's pool runs when a connection comes back, besides ending any open
    transaction (which it always does): nothing. Its default resets the session with a
    query of four statements, a round trip for every release (three in a booking): the
    app changes no session setting, takes no advisory lock and listens to nothing."""


def connection_config(database_url: str, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """Tortoise's settings for the URL; SQLite goes through :mod:`tierslieu.sqlite_engine`.
    No request waits longer than about ``timeout`` seconds for PostgreSQL: a connection
    attempt (a server down or frozen) and a statement each give up after half of it, since
    a statement that times out is then cancelled over a new connection, which may wait as
    long again."""
    config = expand_db_url(normalise_url(database_url))
    if config["engine"] == "tortoise.backends.sqlite":
        config["engine"] = "tierslieu.sqlite_engine"
    elif config["engine"] == "tortoise.backends.asyncpg":
        credentials = config["credentials"]
        credentials.setdefault("reset", _keep_session)
        credentials.setdefault("timeout", timeout / 2)
        credentials.setdefault("command_timeout", timeout / 2)
    return config


def unavailable(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says the database cannot be reached for now:
    refused or lost connections, timeouts, a server shutting down or starting, no free
    connection slot. The app answers 503 then, not 500."""
    import asyncpg.exceptions as pg
    from tortoise.exceptions import DBConnectionError

    kinds = (
        ConnectionError,  # refused, reset, broken pipe
        TimeoutError,
        DBConnectionError,
        pg.PostgresConnectionError,
        pg.InterfaceError,  # "connection is closed", "pool is closing"
        pg.CannotConnectNowError,
        pg.AdminShutdownError,
        pg.CrashShutdownError,
        pg.TooManyConnectionsError,
        pg.QueryCanceledError,  # the statement timeout
    )
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, kinds):
            return True
        if isinstance(current, OSError) and current.errno is not None:
            return True  # the network: no route, host down
        current = current.__cause__ or current.__context__
    return False


def tortoise_config(database_url: str, apps: Sequence[str], timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(database_url, timeout)},
        "apps": {
            part: {
                "models": [f"{part}.models"],
                "migrations": f"{part}.migrations",
                "default_connection": "default",
            }
            for part in apps
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


async def init(
    database_url: str,
    apps: Sequence[str],
    *,
    migrate: bool = True,
    progress=None,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - the connections' own, not this call's
) -> None:
    """Connect, then apply the pending migrations of ``apps`` (on the same connection, so
    that an in-memory SQLite database is migrated where it is used). On PostgreSQL, several
    processes starting at once migrate one after the other under an advisory lock: the
    first applies what is pending, the others then find nothing to do."""
    config = tortoise_config(database_url, apps, timeout)
    # global fallback: the lifespan task opens the connections, request tasks use them
    await Tortoise.init(config=config, _enable_global_fallback=True)
    if migrate:
        connection = connections.get("default")
        if connection.capabilities.dialect != "postgres":
            await MigrationExecutor(connection, config["apps"]).migrate(None, progress=progress)
            return
        async with connection.acquire_connection() as locked:
            # a lock of this session; the migrations run on other connections of the pool.
            # Tried again and again rather than waited for: a statement has a timeout.
            while not await locked.fetchval("SELECT pg_try_advisory_lock($1)", MIGRATION_LOCK):  # noqa: ASYNC110
                await asyncio.sleep(0.2)
            try:
                await MigrationExecutor(connection, config["apps"]).migrate(None, progress=progress)
            finally:
                await locked.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)


async def close() -> None:
    await Tortoise.close_connections()


# --- reading on hot paths ----------------------------------------------------------------------


@cache
def _in_dialect(sql: str, dialect: str) -> str:
    # SQLite reads numbered placeholders as ?1, ?2 …
    return sql if dialect == "postgres" else re.sub(r"\$(\d+)", r"?\1", sql)


async def rows(sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]:
    """The rows of one read query written in SQL both dialects speak, with PostgreSQL's
    numbered placeholders ($1, $2 …), as the driver gives them (read by position). For hot
    paths whose query the ORM would build anew on each request (a third of a millisecond and
    more); never with text from outside in ``sql``: values go in ``params``."""
    connection = connections.get("default")
    _, found = await connection.execute_query(_in_dialect(sql, connection.capabilities.dialect), list(params))
    return list(found)


# --- inserting on hot paths ---------------------------------------------------------------------

_REQUIRED = object()


@dataclass(frozen=True)
class _Column:
    name: str
    default: Any  # a value, a callable making one, or _REQUIRED
    now: bool  # auto_now / auto_now_add: the time of the insert
    to_db: Callable[[Any, Any], Any] | None  # JSON and enum fields: Tortoise's own conversion


@cache
def _insert_plan(model: type[Model]) -> tuple[tuple[_Column, ...], frozenset[str], str]:
    meta = model._meta
    columns = []
    for name in meta.fields_db_projection:
        field = meta.fields_map[name]
        if name == meta.pk_attr and field.generated:
            continue
        if field.source_field not in (None, name):
            raise TypeError(f"{model.__name__}.{name}: insert() supports no source_field")
        converts = isinstance(field, JSONField | CharEnumFieldInstance | IntEnumFieldInstance)
        columns.append(
            _Column(
                name=name,
                default=_REQUIRED if field.default is None and not field.null else field.default,
                now=isinstance(field, DatetimeField) and (field.auto_now or field.auto_now_add),
                to_db=field.to_db_value if converts else None,
            )
        )
    names = ", ".join(f'"{column.name}"' for column in columns)
    sql = f'INSERT INTO "{meta.db_table}" ({names}) VALUES ({{}}) RETURNING "{meta.pk_attr}"'  # noqa: S608 - names from the model
    return tuple(columns), frozenset(column.name for column in columns), sql


@cache
def _insert_sql(model: type[Model], dialect: str) -> str:
    columns, _, sql = _insert_plan(model)
    marks = [f"${n}" if dialect == "postgres" else "?" for n in range(1, len(columns) + 1)]
    return sql.format(", ".join(marks))


async def insert(model: type[M], **values: Any) -> M:
    """``model.create(**values)`` for hot paths, on the current connection (the transaction's
    inside ``in_transaction()``): the same defaults, ``auto_now`` times and JSON and enum
    conversions, one prepared statement, and none of Tortoise's per-field Python (about
    0.1 ms a row). Only for models without signals or custom ``source_field``s; the database
    still checks every constraint. ``tests/shell/test_db_insert.py`` compares its rows with
    ``create``'s for the models it serves."""
    columns, names, _ = _insert_plan(model)
    unknown = values.keys() - names
    if unknown:
        raise TypeError(f"{model.__name__} has no column {sorted(unknown)}")
    now = clock.now()
    row: dict[str, Any] = {}
    params: list[Any] = []
    for column in columns:
        value = values.get(column.name, _REQUIRED)
        if value is _REQUIRED:
            if column.now:
                value = now
            elif column.default is _REQUIRED:
                raise TypeError(f"{model.__name__}.{column.name} is required")
            else:
                value = column.default() if callable(column.default) else column.default
        row[column.name] = value
        params.append(value if column.to_db is None or value is None else column.to_db(value, model))
    connection = model._meta.db
    inserted = await connection.execute_query_dict(_insert_sql(model, connection.capabilities.dialect), params)
    return model._init_from_db(**inserted[0], **row)
