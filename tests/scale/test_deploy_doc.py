"""docs/deploy.md says what is run: its nginx configuration is the harness's file, and each
command block marked ``# tested: NAME`` runs here, with real PostgreSQL and SQLite."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

from tests.scale import harness

DEPLOY = harness.REPO / "docs" / "deploy.md"
BIN = Path(sys.executable).parent


def blocks(language: str) -> list[str]:
    return re.findall(rf"(?ms)^```{language}\n(.*?)^```", DEPLOY.read_text(encoding="utf-8"))


def documented(name: str) -> str:
    found = [block for block in blocks("sh") if block.startswith(f"# tested: {name}\n")]
    assert len(found) == 1, f"docs/deploy.md has no single block '# tested: {name}'"
    return found[0]


def run(block: str, **env: str) -> str:
    path = f"{BIN}:{os.environ.get('PATH', '')}"
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        env={**os.environ, "PATH": path, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{block}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    return result.stdout


def test_the_nginx_configuration_shown_is_the_one_the_harness_runs() -> None:
    shown = blocks("nginx")
    assert shown == [harness.NGINX_CONF.read_text(encoding="utf-8")]


def test_every_tested_block_has_a_test() -> None:
    names = {block.split("\n", 1)[0].removeprefix("# tested: ") for block in blocks("sh") if block.startswith("#")}
    assert names == {"pg-backup", "pg-restore", "sqlite-backup"}


def _migrate(env: dict[str, str], workdir: Path) -> None:
    subprocess.run(
        [BIN / "tierslieu", "migrate"], cwd=workdir, env={**os.environ, **env}, check=True, capture_output=True
    )


def test_a_postgresql_dump_restores_into_a_new_database() -> None:
    harness.require_postgres_stage()
    source = harness.new_database_url("backup")
    restore_db = f"test_tierslieu_restore_{uuid.uuid4().hex[:8]}"
    admin = source.rsplit("/", 1)[0] + "/postgres"
    harness.create_database(source)
    try:
        with harness.tempdir() as workdir:
            _migrate({"TIERSLIEU_DATABASE_URL": source, "TIERSLIEU_SECRET_KEY": harness.SECRET_KEY}, workdir)
            harness.seed(source)
            run(documented("pg-backup"), DATABASE_URL=source, BACKUP_DIR=str(workdir))
            assert (workdir / "tierslieu.dump").stat().st_size > 0
            out = run(documented("pg-restore"), ADMIN_URL=admin, RESTORE_DB=restore_db, BACKUP_DIR=str(workdir))
            restored = f"{source.rsplit('/', 1)[0]}/{restore_db}"
            counts = "SELECT (SELECT count(*) FROM accounts_user) AS people, (SELECT count(*) FROM forum_post) AS posts"
            assert harness.query(restored, counts) == harness.query(source, counts)
            assert int(out.split()[-1]) == harness.query(source, counts)[0]["people"] > 0
    finally:
        harness.drop_database(source)
        harness.drop_database(f"{source.rsplit('/', 1)[0]}/{restore_db}")


def test_a_sqlite_online_backup_is_a_sound_copy() -> None:
    import sqlite3

    harness.require_postgres_stage()  # with the harness: once per CI run
    with harness.tempdir() as workdir:
        data = workdir / "var"
        url = f"sqlite://{data / 'tierslieu.sqlite3'}"
        env = {"TIERSLIEU_DATABASE_URL": url, "TIERSLIEU_DATA_DIR": str(data)}
        _migrate(env, workdir)
        harness.seed(url)
        # a reader holds the database open meanwhile, as a running app does
        holder = sqlite3.connect(data / "tierslieu.sqlite3")
        try:
            holder.execute("BEGIN")
            holder.execute("SELECT count(*) FROM forum_post").fetchone()
            run(documented("sqlite-backup"), BACKUP_DIR=str(workdir / "backups"), **env)
        finally:
            holder.close()
        (copy,) = (workdir / "backups").glob("tierslieu-*.sqlite3")
        original = sqlite3.connect(data / "tierslieu.sqlite3")
        backup = sqlite3.connect(copy)
        try:
            for table in ("accounts_user", "forum_post", "bookings_room", "events_event"):
                query = f"SELECT count(*) FROM {table}"
                assert backup.execute(query).fetchone() == original.execute(query).fetchone()
            assert backup.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            original.close()
            backup.close()
