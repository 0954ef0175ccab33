"""Settings, command line, health check, OpenAPI document, logs."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from tierslieu import logs
from tierslieu.settings import ConfigError, load_settings


def test_production_refuses_a_missing_or_short_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("TIERSLIEU_ENV", "production")
    monkeypatch.setenv("TIERSLIEU_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TIERSLIEU_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings()
    monkeypatch.setenv("TIERSLIEU_SECRET_KEY", "short")
    with pytest.raises(ConfigError):
        load_settings()
    monkeypatch.setenv("TIERSLIEU_SECRET_KEY", "k" * 40)  # long enough, not random (tests/shell/test_production.py)
    with pytest.raises(ConfigError, match="not random enough"):
        load_settings()
    monkeypatch.setenv("TIERSLIEU_SECRET_KEY", "pQ3vX9-tL2mA7_zR8wK1yB5nC4dE6fG0hJ")
    assert load_settings().production


def test_development_creates_and_keeps_a_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("TIERSLIEU_ENV", raising=False)
    monkeypatch.delenv("TIERSLIEU_SECRET_KEY", raising=False)
    monkeypatch.delenv("TIERSLIEU_DATABASE_URL", raising=False)
    monkeypatch.setenv("TIERSLIEU_DATA_DIR", str(tmp_path))
    first = load_settings()
    assert len(first.secret_key) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert load_settings().secret_key == first.secret_key
    assert first.database_url == f"sqlite://{tmp_path}/tierslieu.sqlite3"
    assert first.base_url == "http://127.0.0.1:8000"


def test_bad_trusted_proxies_are_a_config_error(monkeypatch, tmp_path):
    monkeypatch.setenv("TIERSLIEU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TIERSLIEU_TRUSTED_PROXIES", "10.0.0.0/8, nonsense")
    with pytest.raises(ConfigError, match="nonsense"):
        load_settings()


def test_serve_refuses_several_workers_on_sqlite(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "tierslieu", "serve", "--workers", "2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "TIERSLIEU_DATA_DIR": str(tmp_path)},
        check=False,
    )
    assert result.returncode == 2
    assert "SQLite" in result.stdout and "PostgreSQL" in result.stdout


def test_createadmin_creates_then_promotes(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "TIERSLIEU_DATA_DIR": str(tmp_path),
        "TIERSLIEU_DATABASE_URL": f"sqlite://{tmp_path}/db.sqlite3",
    }
    run = lambda *args, stdin="": subprocess.run(
        [sys.executable, "-m", "tierslieu", *args],
        cwd=tmp_path,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    created = run("createadmin", "--email", "Root@Example.org", "--name", "Root", stdin="a long admin password\n")
    assert created.returncode == 0, created.stderr
    assert "Created admin root@example.org" in created.stdout
    short = run("createadmin", "--email", "x@example.org", "--name", "X", stdin="short\n")
    assert short.returncode != 0 and "password" in short.stderr
    promoted = run("createadmin", "--email", "root@example.org", "--name", "Root")
    assert promoted.returncode == 0 and "password unchanged" in promoted.stdout
    demo = run("demo")
    assert demo.returncode == 0 and "admin@demo.tierslieu.fr" in demo.stdout
    again = run("demo")
    assert again.returncode == 0, again.stderr  # idempotent


async def test_healthz_checks_the_database(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_openapi_describes_the_api(client):
    document = (await client.get("/api/v1/openapi.json")).json()
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    for path, method in [
        ("/auth/signup", "post"),
        ("/auth/tokens", "post"),
        ("/me", "get"),
        ("/admin/users/{user_id}/roles", "post"),
    ]:
        assert method in paths[path], path
    signup = paths["/auth/signup"]["post"]
    schema_name = signup["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(document["components"]["schemas"][schema_name]["required"]) == {"email", "password", "display_name"}
    assert {"201", "409", "422"} <= set(signup["responses"])
    assert "email_taken" in document["info"]["description"]


def test_logs_are_json_lines_with_the_request_id(capsys):
    record = logging.LogRecord("tierslieu.test", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    record.path = "/x"
    token = logs.request_id_var.set("abc123")
    try:
        line = logs.JsonFormatter().format(record)
    finally:
        logs.request_id_var.reset(token)
    entry = json.loads(line)
    assert entry["message"] == "hello world" and entry["request_id"] == "abc123" and entry["path"] == "/x"


async def test_every_request_logs_one_line(client, caplog):
    caplog.set_level(logging.INFO, logger="tierslieu.access")
    response = await client.get("/")
    lines = [r for r in caplog.records if r.name == "tierslieu.access"]
    assert len(lines) == 1
    assert lines[0].path == "/" and lines[0].status == 200
    assert response.headers["x-request-id"]
