"""PostgreSQL outages, on a private cluster (``initdb`` as the ``postgres`` user, its own
port; the shared server is never touched): while it is down or frozen, pages answer 503
with Retry-After and a friendly page, the API a JSON error, none later than the set
timeout; once it is back, the same process serves again without a restart."""

from __future__ import annotations

import asyncio
import os
import pwd
import signal
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.scale import harness
from tests.scale.services import PrivateCluster, postgres_bin, private_cluster

TIMEOUT = 3.0  # TIERSLIEU_DATABASE_TIMEOUT of the process under test
PATIENCE = TIMEOUT + 2.0  # no request may take longer (the machine is shared and busy)


def _have_cluster_tools() -> bool:
    if postgres_bin() is None:
        return False
    if os.geteuid() != 0:
        return True
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return False
    return True


@pytest.fixture(scope="module")
def outage() -> Iterator[tuple[PrivateCluster, harness.AppProcess, dict]]:
    harness.require_postgres_stage()
    harness.require(_have_cluster_tools(), "needs PostgreSQL's server programs (initdb) and a postgres user")
    with private_cluster() as cluster, harness.tempdir() as workdir:
        url = cluster.url()
        env = harness.app_env(url, "http://127.0.0.1:8999", TIERSLIEU_DATABASE_TIMEOUT=str(TIMEOUT))
        app = harness.AppProcess("app", workdir, env).start()
        try:
            app.wait_ready()
            seeded = harness.seed(url)
            yield cluster, app, seeded
        finally:
            app.stop()


def cluster_processes(cluster: PrivateCluster) -> list[int]:
    assert cluster.process is not None
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(cluster.process.pid)], capture_output=True, text=True)
    return [cluster.process.pid, *(int(pid) for pid in out.stdout.split())]


async def answers_during_outage(http: httpx.AsyncClient, token: str) -> None:
    started = time.monotonic()
    page = await http.get("/", headers={"Accept-Language": "en"})
    assert time.monotonic() - started < PATIENCE
    assert page.status_code == 503, page.text[:500]
    assert int(page.headers["retry-after"]) > 0
    assert "Back in a moment" in page.text and "try again in a few moments" in page.text
    started = time.monotonic()
    api = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert time.monotonic() - started < PATIENCE
    assert api.status_code == 503
    assert api.headers["retry-after"]
    assert api.json()["error"]["code"] == "unavailable"
    started = time.monotonic()
    signup = await http.post(
        "/api/v1/auth/signup",
        json={"email": "late@example.org", "password": "a long passphrase 123", "display_name": "Late"},
    )
    assert time.monotonic() - started < PATIENCE
    assert signup.status_code == 503


async def until_served(http: httpx.AsyncClient, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if (await http.get("/")).status_code == 200:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the process did not recover")


async def test_a_database_outage_answers_503_quickly_and_recovers_without_restart(outage) -> None:
    cluster, app, seeded = outage
    pid = app.process.pid if app.process else None
    async with httpx.AsyncClient(
        base_url=f"http://{app.address}", headers={"Host": "127.0.0.1:8999"}, timeout=30
    ) as http:
        token = await harness.api_token(http, seeded["people"][0]["email"], seeded["password"])
        assert (await http.get("/")).status_code == 200

        cluster.stop("immediate")  # down: connections cut, new ones refused
        for _ in range(3):
            await answers_during_outage(http, token)
        cluster.start()
        await until_served(http)
        me = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200

        frozen = cluster_processes(cluster)  # frozen: connections open, nothing answers
        for number in frozen:
            os.kill(number, signal.SIGSTOP)
        try:
            await answers_during_outage(http, token)
        finally:
            for number in frozen:
                os.kill(number, signal.SIGCONT)
        await until_served(http)
    assert app.process is not None and app.process.pid == pid  # the same process throughout
