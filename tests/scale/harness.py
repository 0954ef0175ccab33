"""The scale harness: real ``tierslieu serve`` processes on loopback ports, against a
PostgreSQL database and a private Redis, behind a real nginx that runs the documented
configuration (``docs/deploy/nginx.conf``, with its ports, paths and certificate replaced),
and a real SMTP server (aiosmtpd). Tests drive it over HTTPS and websockets.

A scenario that needs a process to answer picks it through nginx (the ``X-Upstream``
response header, added here, names the process that answered) or talks to a process
directly (:meth:`Stack.direct`), the ``Host`` of the site given as nginx would."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import email
import email.policy
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.scale.services import PrivateRedis, free_port, private_redis, wait_port

REPO = Path(__file__).resolve().parents[2]
NGINX_CONF = REPO / "docs" / "deploy" / "nginx.conf"
SECRET_KEY = "scale-harness-secret-key-0123456789-abcdefghijklmnop"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
# under CI a missing tool fails the harness instead of skipping it
REQUIRED = bool(os.environ.get("CI") or os.environ.get("TIERSLIEU_SCALE_REQUIRED"))


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def require(condition: bool, reason: str) -> None:
    """Skip with ``reason`` when a tool is missing; under CI, fail instead."""
    if condition:
        return
    if REQUIRED:
        pytest.fail(f"{reason} (the scale harness must run in CI)")
    pytest.skip(reason)


def require_postgres_stage() -> None:
    """The harness runs once, in the PostgreSQL stage of .ci/run (not a missing tool: a skip)."""
    if not TEST_DATABASE_URL.startswith(("postgres://", "postgresql://")):
        pytest.skip("the scale harness runs in the PostgreSQL stage: set TEST_DATABASE_URL")


def require_stack() -> None:
    require_postgres_stage()
    require(nginx_binary() is not None, "nginx is not installed (apt-get install nginx-light)")
    require(shutil.which("redis-server") is not None, "redis-server is not installed")


def in_thread(work: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run a coroutine to its end on a loop of its own (from sync fixtures)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work()).result()


# --- PostgreSQL databases on the shared server --------------------------------------------


def new_database_url(prefix: str = "scale") -> str:
    base = TEST_DATABASE_URL.rsplit("/", 1)[0]
    return f"{base}/test_tierslieu_{prefix}_{uuid.uuid4().hex[:8]}"


def _admin(url: str, sql: str) -> None:
    import asyncpg

    base, _, name = url.rpartition("/")

    async def run() -> None:
        connection = await asyncpg.connect(f"{base.replace('postgres://', 'postgresql://', 1)}/postgres")
        try:
            await connection.execute(sql.format(name=name))
        finally:
            await connection.close()

    in_thread(run)


def create_database(url: str) -> None:
    _admin(url, 'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    _admin(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(url: str, sql: str, *args: Any) -> list[dict[str, Any]]:
    import asyncpg

    async def run() -> list[dict[str, Any]]:
        connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            return [dict(row) for row in await connection.fetch(sql, *args)]
        finally:
            await connection.close()

    return in_thread(run)


def seed(database_url: str, mode: str = "") -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "tests.scale.seed", database_url, *([mode] if mode else [])],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- mail ---------------------------------------------------------------------------------


@dataclass
class Inbox:
    """What the SMTP server received (aiosmtpd's DATA hook)."""

    port: int = field(default_factory=free_port)
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]


@contextlib.contextmanager
def smtp_server() -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


# --- app processes ------------------------------------------------------------------------


class AppProcess:
    """One ``tierslieu serve`` process on its own port."""

    def __init__(self, name: str, workdir: Path, env: dict[str, str], port: int | None = None) -> None:
        self.name = name
        self.port = port or free_port()
        self.workdir = workdir / name
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.workdir / "serve.log"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> AppProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tierslieu", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=self.workdir,
            env={**os.environ, **self.env, "PYTHONPATH": str(REPO)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        return self

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        host = self.env["TIERSLIEU_BASE_URL"].split("://", 1)[1]
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{self.log()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                response = httpx.get(f"http://{self.address}/healthz", headers={"Host": host}, timeout=2)
                if response.status_code == 200:
                    return
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} not ready:\n{self.log()[-3000:]}")

    def signal(self, number: int) -> None:
        assert self.process is not None
        self.process.send_signal(number)

    def kill(self) -> None:
        """``kill -9``: no chance to finish anything."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        self.wait()

    def wait(self, timeout: float = 30.0) -> int | None:
        if self.process is None:
            return None
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.process = None
        return code

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
        self.wait()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


def app_env(database_url: str, base_url: str, **extra: str) -> dict[str, str]:
    return {
        "TIERSLIEU_ENV": "production",
        "TIERSLIEU_SECRET_KEY": SECRET_KEY,
        "TIERSLIEU_DATABASE_URL": database_url,
        "TIERSLIEU_BASE_URL": base_url,
        "TIERSLIEU_TRUSTED_PROXIES": "127.0.0.1",
        **extra,
    }


# --- nginx --------------------------------------------------------------------------------


def self_signed(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def site_config(upstreams: list[str], http_port: int, https_port: int, cert: Path, key: Path) -> str:
    """docs/deploy/nginx.conf with the harness's ports, paths and certificate."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    servers = "".join(f"    server {address} max_fails=1 fail_timeout=5s;\n" for address in upstreams)
    text, count = re.subn(r"(?m)^    server 127\.0\.0\.1:\d+ [^\n]*\n", "", text)
    assert count >= 1, "the documented upstream block has changed: update tests/scale/harness.py"
    text = text.replace("upstream tierslieu {\n", "upstream tierslieu {\n" + servers, 1)
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "/etc/letsencrypt/live/tierslieu.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/tierslieu.example.org/privkey.pem": str(key),
        "/srv/tierslieu/static/": f"{REPO / 'static'}/",
        # which process answered, for the tests
        "    location /static/ {": "    add_header X-Upstream $upstream_addr always;\n\n    location /static/ {",
    }
    for old, new in replacements.items():
        assert old in text, f"{old!r} is no longer in docs/deploy/nginx.conf: update tests/scale/harness.py"
        text = text.replace(old, new)
    return re.sub(r"(?m)^\s*listen \[::\]:\d+[^\n]*\n", "", text)


class Nginx:
    def __init__(self, workdir: Path, upstreams: list[str]) -> None:
        self.root = workdir / "nginx"
        self.root.mkdir(parents=True, exist_ok=True)
        self.http_port, self.port = free_port(), free_port()
        self.upstreams = upstreams
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def write_config(self) -> Path:
        cert, key = self_signed(self.root)
        (self.root / "site.conf").write_text(
            site_config(self.upstreams, self.http_port, self.port, cert, key), encoding="utf-8"
        )
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.root / name).mkdir(exist_ok=True)
        user = "user root;\n" if os.geteuid() == 0 else ""
        main = f"""{user}worker_processes 1;
pid {self.root}/nginx.pid;
error_log {self.root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {self.root}/access.log;
    client_body_temp_path {self.root}/client_body;
    proxy_temp_path {self.root}/proxy;
    fastcgi_temp_path {self.root}/fastcgi;
    uwsgi_temp_path {self.root}/uwsgi;
    scgi_temp_path {self.root}/scgi;
    include {self.root}/site.conf;
}}
"""
        path = self.root / "nginx.conf"
        path.write_text(main, encoding="utf-8")
        return path

    def start(self) -> Nginx:
        config = self.write_config()
        binary = nginx_binary()
        assert binary is not None
        check = subprocess.run([binary, "-t", "-c", str(config), "-p", str(self.root)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.process = subprocess.Popen(
            [binary, "-c", str(config), "-p", str(self.root), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


@contextlib.contextmanager
def tempdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="tierslieu-scale-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True) if not os.environ.get("KEEP") else None


# --- the whole set-up ---------------------------------------------------------------------


def client_tls() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@dataclass
class Stack:
    workdir: Path
    database_url: str
    redis: PrivateRedis
    inbox: Inbox
    nginx: Nginx
    apps: list[AppProcess]
    seeded: dict[str, Any]
    # people's API tokens, made once for the whole run: every sign-in counts toward the rate
    # limits the processes share, and the scenarios run in any order
    tokens: dict[int, str] = field(default_factory=dict)

    async def token(self, http: httpx.AsyncClient, n: int) -> str:
        """Person ``n``'s API token, signed in for once."""
        if n not in self.tokens:
            self.tokens[n] = await api_token(http, self.person(n)["email"], self.password)
        return self.tokens[n]

    @property
    def base_url(self) -> str:
        return self.nginx.base_url

    @property
    def host(self) -> str:
        return self.base_url.split("://", 1)[1]

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        """A browser or program talking to the site through nginx."""
        return httpx.AsyncClient(base_url=self.base_url, verify=client_tls(), timeout=30, **kwargs)

    def direct(self, app: AppProcess, **kwargs: Any) -> httpx.AsyncClient:
        """A client talking to one process, as nginx would (the site's Host)."""
        headers = {"Host": self.host, **kwargs.pop("headers", {})}
        return httpx.AsyncClient(base_url=f"http://{app.address}", headers=headers, timeout=30, **kwargs)

    def app_at(self, upstream: str) -> AppProcess:
        return next(app for app in self.apps if app.address == upstream)

    def other(self, app: AppProcess) -> AppProcess:
        return next(other for other in self.apps if other is not app)

    def person(self, n: int) -> dict[str, Any]:
        return self.seeded["people"][n]

    @property
    def password(self) -> str:
        return self.seeded["password"]

    def restart(self, app: AppProcess) -> None:
        app.start().wait_ready()

    def ensure_running(self) -> None:
        for app in self.apps:
            if not app.running:
                self.restart(app)


@contextlib.contextmanager
def stack(processes: int = 2, **env: str) -> Iterator[Stack]:
    """Redis, a fresh database, SMTP, ``processes`` app processes started at once (they
    migrate under one advisory lock), and nginx in front."""
    workdir = Path(tempfile.mkdtemp(prefix="tierslieu-scale-"))
    database_url = new_database_url()
    create_database(database_url)
    apps: list[AppProcess] = []
    try:
        with private_redis() as redis, smtp_server() as inbox:
            ports = [free_port() for _ in range(processes)]
            nginx = Nginx(workdir, [f"127.0.0.1:{port}" for port in ports])
            base_env = app_env(
                database_url,
                nginx.base_url,
                TIERSLIEU_REDIS_URL=redis.url,
                TIERSLIEU_SMTP_URL=f"smtp://127.0.0.1:{inbox.port}",
                **env,
            )
            apps = [AppProcess(f"app{n}", workdir, base_env, port) for n, port in enumerate(ports)]
            for app in apps:
                app.start()
            for app in apps:
                app.wait_ready()
            nginx.start()
            try:
                yield Stack(workdir, database_url, redis, inbox, nginx, apps, seed(database_url))
            finally:
                nginx.stop()
                for app in apps:
                    app.stop()
    finally:
        for app in apps:
            app.stop()
        drop_database(database_url)
        shutil.rmtree(workdir, ignore_errors=True)


def token_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def api_token(http: httpx.AsyncClient, email: str, password: str) -> str:
    response = await http.post("/api/v1/auth/tokens", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    return response.json()["token"]


def unique_secret() -> str:
    return secrets.token_hex(4)
