"""Tortoise's SQLite client, with the statements run on the event loop's own thread.

Tortoise talks to SQLite through aiosqlite, which sends every statement to a worker
thread and back. In SQLite mode the application is one process holding one connection,
and a statement on an indexed table takes tens of microseconds, far less than the two
thread hand-offs (and the wait for the GIL while the loop is busy) around it: under load
those hand-offs, not SQLite, set the latency, and a transaction holding Tortoise's
connection lock across them makes every other request queue behind it.

Here the same client runs each statement inline. A transaction then never gives the
loop away between its statements (unless the code inside awaits something else), so
transactions are short and never interleave. SQLite still waits up to its
``busy_timeout`` for a lock held by another process (``tierslieu demo`` against a
running server): with one server process that wait is the only time the loop stops.

Columns declared ``TIMESTAMP`` or ``DATE`` (Tortoise's datetime and date fields) come
back as ``datetime`` and ``date`` objects, parsed by ``fromisoformat`` in C as the
driver reads them (sqlite3's declared-type converters): Tortoise would otherwise parse
each value with a pure-Python ISO 8601 parser, about 20 µs a value, which dominated the
reading of any row with a few date-times.

Aware date-times go to SQLite in UTC, as Tortoise writes them, whatever their zone: SQLite
compares them as text, so a bound given in Paris time ("2026-12-08 00:00:00+01:00")
would sort after the stored "2026-12-07 23:30:00+00:00" it follows.

A file database in WAL mode gets its checkpoints (copying the log back into the database
file, with an fsync) from a thread of its own with its own connection, half a second
after commits, instead of from the committing statement every 1,000 pages: inline, that
work stopped the event loop for several milliseconds every hundred or so bookings.

Used through ``db.tortoise_config`` for every ``sqlite://`` URL.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

from tortoise.backends.sqlite.client import SqliteClient

log = logging.getLogger("tierslieu.db")


def _timestamp(value: bytes) -> datetime:
    return datetime.fromisoformat(value.decode())


def _date(value: bytes) -> date:
    return date.fromisoformat(value.decode())


def _utc_text(value: datetime) -> str:
    return (value.astimezone(UTC) if value.tzinfo is not None else value).isoformat(" ")


# Process-wide registrations (sqlite3 keeps one table); they also replace sqlite3's own
# "timestamp" and "date" converters, which read no offsets and are deprecated, and the
# adapter Tortoise registers, which writes an aware value in its own zone.
sqlite3.register_converter("TIMESTAMP", _timestamp)
sqlite3.register_converter("DATE", _date)
sqlite3.register_adapter(datetime, _utc_text)


class _Cursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def close(self) -> None:
        self._cursor.close()


class Checkpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` on its own connection and thread, ``delay``
    seconds after it is told of a commit (commits in between share the checkpoint). A
    passive checkpoint waits for no reader or writer; SQLite releases the GIL meanwhile."""

    def __init__(self, filename: str, delay: float = 0.5) -> None:
        self._filename = filename
        self._delay = delay
        self._committed = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)
        self._thread.start()

    def notify(self) -> None:
        self._committed.set()

    def stop(self) -> None:
        self._stopping.set()
        self._committed.set()
        self._thread.join()

    def _run(self) -> None:
        connection = sqlite3.connect(self._filename, isolation_level=None)
        try:
            while True:
                self._committed.wait()
                if self._stopping.wait(self._delay):
                    return  # closing the last connection checkpoints what is left
                self._committed.clear()
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    log.exception("WAL checkpoint failed; the next commit retries it")
        finally:
            connection.close()


class InlineConnection:
    """The part of ``aiosqlite.Connection`` that Tortoise's SQLite client uses."""

    def __init__(self, connection: sqlite3.Connection, on_commit: Callable[[], None] | None = None) -> None:
        self._conn = connection
        self._on_commit = on_commit

    @property
    def total_changes(self) -> int:
        return self._conn.total_changes

    def _committed_alone(self, changes_before: int) -> None:
        """Tell of a write outside ``BEGIN … COMMIT``, which SQLite committed by itself
        (``isolation_level=None``): ``commit()`` never sees it."""
        if self._on_commit is not None and not self._conn.in_transaction and self._conn.total_changes != changes_before:
            self._on_commit()

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> _Cursor:
        before = self._conn.total_changes
        cursor = _Cursor(self._conn.execute(sql, parameters or ()))
        self._committed_alone(before)
        return cursor

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any] | None = None) -> list[Any]:
        before = self._conn.total_changes
        cursor = self._conn.execute(sql, parameters or ())
        try:
            return cursor.fetchall()
        finally:
            cursor.close()
            self._committed_alone(before)

    async def execute_insert(self, sql: str, parameters: Iterable[Any] | None = None) -> Any:
        before = self._conn.total_changes
        cursor = self._conn.execute(sql, parameters or ())
        try:
            return cursor.execute("SELECT last_insert_rowid()").fetchone()
        finally:
            cursor.close()
            self._committed_alone(before)

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> _Cursor:
        before = self._conn.total_changes
        cursor = _Cursor(self._conn.executemany(sql, parameters))
        self._committed_alone(before)
        return cursor

    async def executescript(self, script: str) -> _Cursor:
        before = self._conn.total_changes
        cursor = _Cursor(self._conn.executescript(script))
        self._committed_alone(before)
        return cursor

    async def create_function(self, name: str, num_params: int, func: Any, deterministic: bool = False) -> None:
        self._conn.create_function(name, num_params, func, deterministic=deterministic)

    async def commit(self) -> None:
        self._conn.commit()
        if self._on_commit is not None:
            self._on_commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()


class InlineSqliteClient(SqliteClient):
    _checkpointer: Checkpointer | None = None

    async def create_connection(self, with_db: bool) -> None:
        if not self._connection:
            # isolation_level=None: Tortoise issues BEGIN and COMMIT itself, as with aiosqlite
            connection = sqlite3.connect(
                self.filename, isolation_level=None, check_same_thread=False, detect_types=sqlite3.PARSE_DECLTYPES
            )
            connection.row_factory = sqlite3.Row
            for pragma, value in self.pragmas.items():
                connection.execute(f"PRAGMA {pragma}={value}").close()
            if connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                connection.execute("PRAGMA wal_autocheckpoint=0").close()
                self._checkpointer = Checkpointer(self.filename)
            notify = self._checkpointer.notify if self._checkpointer else None
            self._connection = InlineConnection(connection, on_commit=notify)  # type: ignore[assignment]
            await self._post_connect()

    async def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        await super().close()


client_class = InlineSqliteClient
