"""The test rig: one real database per pytest process, migrated once, emptied after
each test.

- SQLite (default): an in-memory database.
- PostgreSQL: ``TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test_{}``; ``{}``
  becomes a name unique to this run, and the database is created and dropped here.
- Redis: ``TEST_REDIS_URL=redis://127.0.0.1:6379/15`` for the tests marked ``redis``.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from tortoise import Tortoise, connections

from tierslieu import db
from tierslieu.app import create_app, install
from tierslieu.settings import Settings

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://:memory:")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"


def _database_url() -> str:
    if "{}" in TEST_DATABASE_URL:
        return TEST_DATABASE_URL.replace("{}", f"tierslieu_{uuid.uuid4().hex[:8]}")
    return TEST_DATABASE_URL


DATABASE_URL = _database_url()
IS_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL")
    skip_redis = pytest.mark.skip(reason="needs Redis: set TEST_REDIS_URL")
    for item in items:
        if "postgres" in item.keywords and not IS_POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not TEST_REDIS_URL:
            item.add_marker(skip_redis)


async def _postgres_admin(url: str, sql: str) -> None:
    import asyncpg

    base, _, name = url.rpartition("/")
    connection = await asyncpg.connect(f"{base.replace('postgres://', 'postgresql://', 1)}/postgres")
    try:
        await connection.execute(sql.format(name=name))
    finally:
        await connection.close()


def make_settings(**overrides) -> Settings:
    values = {
        "database_url": DATABASE_URL,
        "secret_key": SECRET_KEY,
        "base_url": "http://testserver",
        "run_background_tasks": False,
        "data_dir": Path("/tmp/tierslieu-tests"),  # noqa: S108 - tests only
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[str]:
    if IS_POSTGRES:
        name = DATABASE_URL.rsplit("/", 1)[1]
        await _postgres_admin(DATABASE_URL, f'DROP DATABASE IF EXISTS "{name}"')
        await _postgres_admin(DATABASE_URL, f'CREATE DATABASE "{name}"')
    # services are used outside any app in many tests: install the parts once for the run
    # (each create_app installs them again, the same way)
    await db.init(DATABASE_URL, install().with_models())
    yield DATABASE_URL
    await db.close()
    if IS_POSTGRES:
        await _postgres_admin(DATABASE_URL, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables() -> list[str]:
    return [model._meta.db_table for app in Tortoise.apps.values() for model in app.values()]


async def empty_database() -> None:
    connection = connections.get("default")
    tables = _tables()
    if IS_POSTGRES:
        await connection.execute_script("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
    else:
        script = "PRAGMA foreign_keys=OFF;" + "".join(f'DELETE FROM "{t}";' for t in tables)
        script += "DELETE FROM sqlite_sequence; PRAGMA foreign_keys=ON;"
        await connection.execute_script(script)
    await _reseed()


# Reference rows that migrations seed and that every test may rely on, put back after each
# test has emptied the tables: (model, the migration module that seeds it).
SEEDED = (("skills.Skill", "skills.migrations.0001_initial"),)


async def _reseed() -> None:
    for label, module in SEEDED:
        app, name = label.split(".")
        if app in Tortoise.apps:
            model = Tortoise.apps[app][name]
            rows = importlib.import_module(module).SEED
            await model.bulk_create([model(slug=slug, label_fr=fr, label_en=en) for slug, fr, en in rows])


@pytest.fixture(autouse=True)
async def clean_database(database: str) -> AsyncIterator[None]:
    yield
    await empty_database()


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
def app(settings: Settings):
    return create_app(settings, init_database=False)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def other_client(app) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser, with its own cookies."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def live_server(app) -> AsyncIterator[str]:
    """The app served by a real uvicorn on a free loopback port, in this event loop
    (so it shares the test database). Yields the base URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task
