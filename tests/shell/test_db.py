"""Database set-up: which client each URL gets, and what a pooled PostgreSQL connection
keeps when it goes back to the pool."""

from __future__ import annotations

import pytest
from tortoise import connections

from tierslieu import db


def test_each_url_gets_its_client():
    sqlite = db.connection_config("sqlite:///tmp/x/db.sqlite3")
    assert sqlite["engine"] == "tierslieu.sqlite_engine"
    assert sqlite["credentials"]["journal_mode"] == "WAL"
    postgres = db.connection_config("postgresql://app:secret@db.example:5432/tierslieu")
    assert postgres["engine"] == "tortoise.backends.asyncpg"
    assert postgres["credentials"]["reset"] is db._keep_session


@pytest.mark.postgres
async def test_a_connection_given_back_mid_transaction_is_rolled_back():
    pool = connections.get("default")._pool
    async with pool.acquire() as connection:
        await connection.execute("CREATE TABLE IF NOT EXISTS shell_probe (n int)")
    async with pool.acquire() as connection:
        transaction = connection.transaction()
        await transaction.start()
        await connection.execute("INSERT INTO shell_probe VALUES (1)")
        # released without commit: the pool ends the transaction even without its reset query
    try:
        for _ in range(pool.get_size()):
            async with pool.acquire() as connection:
                assert not connection.is_in_transaction()
                assert await connection.fetchval("SELECT count(*) FROM shell_probe") == 0
    finally:
        async with pool.acquire() as connection:
            await connection.execute("DROP TABLE shell_probe")
