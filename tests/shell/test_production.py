"""Issue 17, finding 11: what production trusts (the base URL, not the Host header; a random
secret key), what it lets caches keep (nothing personal), and who may follow which live channel
(a socket without Origin is anonymous; a draft event's channel is its team's)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys

import httpx
import pytest
from websockets.asyncio.client import connect

from accounts import services as accounts
from tests.conftest import make_settings
from tests.events.helpers import make_event, make_facilitator
from tests.helpers import PASSWORD, login, make_user
from tierslieu.app import create_app
from tierslieu.middleware import SESSION_COOKIE
from tierslieu.settings import ConfigError, load_settings

BASE = "https://tiers.example.org"


@pytest.fixture
async def production() -> httpx.AsyncClient:
    """The app as production runs it behind a TLS proxy: plain HTTP inside, the public
    address in ``TIERSLIEU_BASE_URL``."""
    app = create_app(make_settings(env="production", base_url=BASE), init_database=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://tiers.example.org") as http:
        yield http


def signup(number: int) -> dict:
    return {"email": f"p{number}@example.org", "password": PASSWORD, "display_name": "P"}


async def test_production_refuses_unknown_hosts(production: httpx.AsyncClient) -> None:
    assert (await production.get("/")).status_code == 200
    assert (await production.get("/", headers={"Host": "TIERS.example.org:80"})).status_code == 200
    for host in ("evil.example", "tiers.example.org.evil.example", "tiers.example.org:8443", "", "[::1", "a b"):
        response = await production.get("/events", headers={"Host": host})
        assert response.status_code == 400, host
        assert response.json()["error"]["code"] == "bad_host"
    # the unsafe request of a forged page, sent with its own Host and Origin
    forged = await production.post(
        "/api/v1/auth/signup", json=signup(1), headers={"Host": "evil.example", "Origin": "http://evil.example"}
    )
    assert forged.status_code == 400


async def test_production_compares_origins_with_the_base_url_only(production: httpx.AsyncClient) -> None:
    # the proxy speaks plain HTTP to the app: the browser's Origin is the public https one
    accepted = await production.post("/api/v1/auth/signup", json=signup(2), headers={"Origin": BASE})
    assert accepted.status_code == 201, accepted.text
    # an origin that only the Host header vouches for is not ours
    refused = await production.post(
        "/api/v1/auth/signup", json=signup(3), headers={"Origin": "http://tiers.example.org"}
    )
    assert refused.status_code == 403
    # links and redirects are built from the base URL: the request is seen under it
    page = await production.get("/me")
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")


def test_production_checks_the_secret_keys_randomness(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("TIERSLIEU_ENV", "production")
    monkeypatch.setenv("TIERSLIEU_DATA_DIR", str(tmp_path))
    for weak in (" " * 40, "k" * 40, "ab" * 32, "0123" * 16, "password" * 5):
        monkeypatch.setenv("TIERSLIEU_SECRET_KEY", weak)
        with pytest.raises(ConfigError, match="not random enough"):
            load_settings()
    for strong in (secrets.token_urlsafe(48), secrets.token_urlsafe(32), secrets.token_hex(32)):
        monkeypatch.setenv("TIERSLIEU_SECRET_KEY", strong)
        assert load_settings().secret_key == strong


def test_serve_stops_with_a_clear_error_on_a_weak_key(tmp_path) -> None:
    env = {**os.environ, "TIERSLIEU_ENV": "production", "TIERSLIEU_SECRET_KEY": " " * 40}
    env["TIERSLIEU_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "tierslieu", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "Configuration error" in result.stderr and "not random enough" in result.stderr


async def test_personal_pages_are_never_kept_by_caches(client, other_client) -> None:
    member = await make_user()
    public = await client.get("/events")
    assert "no-store" not in public.headers.get("cache-control", "")
    await login(client, member.email)
    for path in ("/me", "/bookings", "/notifications", "/", "/events", "/forum", "/me/delete"):
        response = await client.get(path)
        assert response.status_code < 400, path
        assert response.headers["cache-control"] == "private, no-store", path
    token = (await other_client.post("/api/v1/auth/tokens", json={"email": member.email, "password": PASSWORD})).json()
    me = await other_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token['token']}"})
    assert me.status_code == 200 and me.headers["cache-control"] == "private, no-store"
    # what is the same for everyone keeps its own header
    feed = await client.get("/events/feed.ics")
    assert feed.headers["cache-control"].startswith("public")


def ws_url(live_server: str) -> str:
    return live_server.replace("http://", "ws://", 1) + "/ws"


async def ask(socket, message: dict) -> dict:
    await socket.send(json.dumps(message))
    return json.loads(await asyncio.wait_for(socket.recv(), 3))


def refused(channel: str) -> dict:
    return {"error": {"code": "forbidden", "channel": channel}}


async def test_a_socket_without_origin_is_anonymous(live_server: str, settings) -> None:
    member = await make_user()
    cookie = await accounts.start_session(member, "127.0.0.1", "pytest", settings)
    headers = {"Cookie": f"{SESSION_COOKIE}={cookie}"}
    channel = f"user:{member.id}"
    async with connect(ws_url(live_server), additional_headers=headers) as socket:
        assert await ask(socket, {"subscribe": channel}) == refused(channel)
    async with connect(ws_url(live_server), origin=live_server, additional_headers=headers) as socket:
        assert await ask(socket, {"subscribe": channel}) == {"subscribed": channel}


async def test_a_draft_events_channel_is_for_those_who_see_the_draft(live_server: str, settings) -> None:
    facilitator = await make_facilitator()
    draft = await make_event(facilitator, status="draft")
    published = await make_event(facilitator)
    member = await make_user()
    draft_channel = f"event:{draft.id}"
    async with connect(ws_url(live_server)) as socket:
        assert await ask(socket, {"subscribe": draft_channel}) == refused(draft_channel)
        assert await ask(socket, {"subscribe": "event:999999"}) == refused("event:999999")
        channel = f"event:{published.id}"
        assert await ask(socket, {"subscribe": channel}) == {"subscribed": channel}
    for person, allowed in ((member, False), (facilitator, True)):
        cookie = await accounts.start_session(person, "127.0.0.1", "pytest", settings)
        headers = {"Cookie": f"{SESSION_COOKIE}={cookie}"}
        async with connect(ws_url(live_server), origin=live_server, additional_headers=headers) as socket:
            answer = await ask(socket, {"subscribe": draft_channel})
            assert answer == ({"subscribed": draft_channel} if allowed else refused(draft_channel))
