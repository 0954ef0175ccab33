"""The SQLite client of tierslieu/sqlite_engine.py, on a real file: date-times read by the
driver, and checkpoints taken by their own thread instead of by the committing statement."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, date, datetime

import pytest

from tierslieu.sqlite_engine import InlineSqliteClient


def _client(path) -> InlineSqliteClient:
    return InlineSqliteClient(str(path), connection_name="engine_test", journal_mode="WAL", synchronous="NORMAL")


def _checkpoint_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "sqlite-checkpoints"]


async def test_timestamps_and_dates_come_back_as_objects(tmp_path):
    client = _client(tmp_path / "db.sqlite3")
    await client.create_connection(with_db=True)
    try:
        await client.execute_script('CREATE TABLE "t" ("at" TIMESTAMP, "day" DATE, "note" TEXT)')
        moment = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
        await client.execute_insert("INSERT INTO t VALUES (?, ?, ?)", [moment, date(2026, 3, 29), "x"])
        await client.execute_insert("INSERT INTO t VALUES (?, ?, ?)", ["2026-03-29 01:30:00", None, "naive"])
        rows = await client.execute_query_dict("SELECT at, day, note, at || '' AS text FROM t ORDER BY note")
    finally:
        await client.close()
    naive, aware = rows
    assert aware["at"] == moment and aware["at"].utcoffset() is not None
    assert aware["day"] == date(2026, 3, 29)
    assert aware["text"] == "2026-03-29 00:30:00+00:00"  # an expression keeps the stored text
    assert naive["at"] == datetime(2026, 3, 29, 1, 30) and naive["day"] is None


@pytest.mark.parametrize("committed", ["in_transactions", "alone"])
async def test_the_write_ahead_log_is_copied_back_by_the_checkpoint_thread(tmp_path, committed):
    path = tmp_path / "db.sqlite3"
    client = _client(path)
    await client.create_connection(with_db=True)
    try:
        assert len(_checkpoint_threads()) == 1
        await client.execute_script('CREATE TABLE "t" ("body" TEXT)')
        size_before = path.stat().st_size
        for _ in range(40):
            if committed == "alone":  # no BEGIN: SQLite commits each statement by itself
                await client.execute_insert("INSERT INTO t VALUES (?)", ["x" * 50_000])
                continue
            async with client._in_transaction() as connection:
                await connection.execute_insert("INSERT INTO t VALUES (?)", ["x" * 50_000])
        # the statements themselves never checkpoint (wal_autocheckpoint=0): the rows are in
        # the log, and the thread copies them into the database file half a second later
        assert (await client.execute_query_dict("PRAGMA wal_autocheckpoint"))[0]["wal_autocheckpoint"] == 0
        for _ in range(50):
            if path.stat().st_size > size_before + 1_500_000:
                break
            await asyncio.sleep(0.1)
        assert path.stat().st_size > size_before + 1_500_000
    finally:
        await client.close()
    assert _checkpoint_threads() == []
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT count(*) FROM t").fetchone()[0] == 40


async def test_an_in_memory_database_has_no_checkpoint_thread():
    client = InlineSqliteClient(":memory:", connection_name="engine_test", journal_mode="WAL")
    await client.create_connection(with_db=True)
    try:
        assert _checkpoint_threads() == []
    finally:
        await client.close()
