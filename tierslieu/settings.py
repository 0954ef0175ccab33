"""Configuration from ``TIERSLIEU_*`` environment variables.

Read once at start-up into an immutable :class:`Settings`; tests build their own.
"""

from __future__ import annotations

import ipaddress
import math
import os
import secrets
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

MIN_SECRET_KEY_LENGTH = 32


class ConfigError(Exception):
    """The configuration cannot run: the message says what to change."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    env: str = "development"
    base_url: str = "http://127.0.0.1:8000"
    redis_url: str | None = None
    smtp_url: str | None = None
    mail_from: str = "Tiers-lieu <no-reply@tierslieu.invalid>"
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    data_dir: Path = Path("var")
    max_body_bytes: int = 1024 * 1024
    session_idle_seconds: int = 14 * 24 * 3600
    session_absolute_seconds: int = 60 * 24 * 3600
    password_hash_concurrency: int = field(default_factory=lambda: max(2, os.cpu_count() or 2))
    run_background_tasks: bool = True
    page_cache: bool = True  # keep rendered pages for anonymous readers (tierslieu.pagecache)
    # seconds: to reach PostgreSQL and for one statement (past it, the request answers 503)
    database_timeout: float = 10.0
    # seconds the app server waits for a request's headers, then between pieces of its body
    header_timeout: float = 10.0
    body_timeout: float = 20.0

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _trusted_proxies(raw: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for item in raw.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ConfigError(f"TIERSLIEU_TRUSTED_PROXIES: {item!r} is not an address or network") from exc
    return tuple(networks)


MIN_SECRET_KEY_BITS = 128
"""What a production key must carry, estimated from the key itself (:func:`estimated_bits`)."""

_MAKE_A_KEY = '(for example: python -c "import secrets; print(secrets.token_urlsafe(48))")'


def estimated_bits(key: str) -> float:
    """An upper estimate of the randomness of ``key``: its length times the Shannon entropy of
    its characters' frequencies. 40 spaces carry 0 bits, "abab…" 1 bit a character, a key
    from ``secrets.token_urlsafe(48)`` about 350. A long key made of few distinct characters,
    or of one repeated pattern, stays under :data:`MIN_SECRET_KEY_BITS`."""
    if not key:
        return 0.0
    counts = Counter(key)
    total = len(key)
    per_char = -sum(n / total * math.log2(n / total) for n in counts.values())
    # a key that repeats a short block ("abcdabcd…") carries no more than that block
    for size in range(1, total // 2 + 1):
        if total % size == 0 and key == key[:size] * (total // size):
            return min(per_char * total, per_char * size)
    return per_char * total


def _secret_key(env: str, data_dir: Path) -> str:
    key = os.environ.get("TIERSLIEU_SECRET_KEY", "")
    if env == "production":
        if len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                "TIERSLIEU_SECRET_KEY must be set to at least "
                f"{MIN_SECRET_KEY_LENGTH} random characters in production {_MAKE_A_KEY}"
            )
        if estimated_bits(key) < MIN_SECRET_KEY_BITS:
            raise ConfigError(
                f"TIERSLIEU_SECRET_KEY is not random enough for production (about {estimated_bits(key):.0f} bits, "
                f"at least {MIN_SECRET_KEY_BITS} needed: spaces, one repeated character or a short pattern are "
                f"guessable); use a random value {_MAKE_A_KEY}"
            )
        return key
    if key:
        if len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(f"TIERSLIEU_SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters")
        return key
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    return key


def seconds_from_environment(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds") from None
    if not 0 < value <= 3600:
        raise ConfigError(f"{name} must be between 0 and 3600 seconds")
    return value


def load_settings(port: int = 8000) -> Settings:
    env = os.environ.get("TIERSLIEU_ENV", "development").strip() or "development"
    if env not in {"development", "production"}:
        raise ConfigError("TIERSLIEU_ENV must be 'development' or 'production'")
    data_dir = Path(os.environ.get("TIERSLIEU_DATA_DIR", "var"))
    database_url = os.environ.get("TIERSLIEU_DATABASE_URL") or f"sqlite://{data_dir / 'tierslieu.sqlite3'}"
    return Settings(
        database_url=database_url,
        secret_key=_secret_key(env, data_dir),
        env=env,
        base_url=(os.environ.get("TIERSLIEU_BASE_URL") or f"http://127.0.0.1:{port}").rstrip("/"),
        redis_url=os.environ.get("TIERSLIEU_REDIS_URL") or None,
        smtp_url=os.environ.get("TIERSLIEU_SMTP_URL") or None,
        mail_from=os.environ.get("TIERSLIEU_MAIL_FROM") or Settings.mail_from,
        trusted_proxies=_trusted_proxies(os.environ.get("TIERSLIEU_TRUSTED_PROXIES", "")),
        data_dir=data_dir,
        page_cache=_switch("TIERSLIEU_PAGE_CACHE", default=True),
        database_timeout=seconds_from_environment("TIERSLIEU_DATABASE_TIMEOUT", Settings.database_timeout),
        header_timeout=seconds_from_environment("TIERSLIEU_HEADER_TIMEOUT", Settings.header_timeout),
        body_timeout=seconds_from_environment("TIERSLIEU_BODY_TIMEOUT", Settings.body_timeout),
    )


def _switch(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"on", "1", "true", "yes"}:
        return True
    if raw in {"off", "0", "false", "no"}:
        return False
    raise ConfigError(f"{name} must be 'on' or 'off'")
