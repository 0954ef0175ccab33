"""Factories and browser-like helpers for tests."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pyotp
import pytest
from starlette.routing import Mount, Route
from tortoise import connections

from accounts import permissions, services, two_factor
from accounts.models import Role, TwoFactor, User
from tests.conftest import SECRET_KEY
from tierslieu import parts

PASSWORD = "correct horse battery"


def app_routes(routes: list, prefix: str = "") -> Iterator[Route]:
    """Every route of ``app.routes``, Mounts walked, each rebuilt with its full path."""
    for route in routes:
        if isinstance(route, Mount):
            yield from app_routes(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            rebuilt = Route(prefix + route.path, route.endpoint, methods=route.methods, name=route.name)
            if hasattr(route, "operation"):
                rebuilt.operation = route.operation  # type: ignore[attr-defined]
            yield rebuilt


def personal_data(section: str) -> parts.PersonalData:
    """What the installed part with this section of "download my data" contributes."""
    return next(item for item in parts.installed().personal_data() if item.section == section)


_numbers = itertools.count(1)


async def make_user(
    *,
    email: str | None = None,
    password: str = PASSWORD,
    display_name: str | None = None,
    roles: tuple[Role, ...] = (),
    locale: str = "fr",
    timezone: str = "Europe/Paris",
    verified: bool = True,
    two_factor: bool | None = None,
) -> User:
    """A person. Staff get a second factor unless ``two_factor=False`` (their roles require
    one); its secret is ``user.totp_secret``, and login() and api_token() below answer the
    second step with it."""
    number = next(_numbers)
    user = await services.create_user(
        email or f"person{number}@example.org",
        password,
        display_name or f"Person {number}",
        locale=locale,
        timezone=timezone,
        roles=roles,
        verified=verified,
    )
    if two_factor if two_factor is not None else permissions.is_staff(user):
        secret = pyotp.random_base32()
        await enrol(user, secret)
        user.totp_secret = secret  # type: ignore[attr-defined]
    return user


async def enrol(user: User, secret: str) -> None:
    await two_factor.enrol(user, secret, SECRET_KEY)


async def fresh_code(email: str) -> str | None:
    """A valid authenticator code for this person's second factor, or None without one.
    Tests sign in several times a minute, so the replay guard is rewound first (replays
    are tested on their own in tests/accounts/test_two_factor.py)."""
    factor = await TwoFactor.get_or_none(user__email=email.lower(), confirmed_at__isnull=False)
    if factor is None:
        return None
    await TwoFactor.filter(id=factor.id).update(last_used_step=0)
    return pyotp.TOTP(two_factor.decrypt_secret(SECRET_KEY, factor.secret)).now()


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            named = dict(attrs)
            if named.get("name"):
                self.values.setdefault(named["name"] or "", named.get("value") or "")


def inputs(html: str) -> dict[str, str]:
    """The first value of every named <input> of a page."""
    parser = _Inputs()
    parser.feed(html)
    return parser.values


async def csrf_token(client: httpx.AsyncClient, path: str = "/password/forgot") -> str:
    response = await client.get(path)
    token = inputs(response.text).get("csrf_token")
    assert token, f"no CSRF token on {path}"
    return token


async def post_form(
    client: httpx.AsyncClient, path: str, data: dict | None = None, *, from_page: str = "/password/forgot"
) -> httpx.Response:
    """Submit a form like a browser: fetch a page for its CSRF token, then POST."""
    token = await csrf_token(client, from_page)
    return await client.post(path, data={"csrf_token": token, **(data or {})})


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    """Sign in through the pages, second step included when the person has one."""
    response = await post_form(client, "/login", {"email": email, "password": password})
    if response.status_code == 303 and response.headers["location"] == "/login/code":
        code = await fresh_code(email)
        response = await post_form(client, "/login/code", {"code": code}, from_page="/login/code")
    assert response.status_code == 303, response.text[:500]
    return response


async def api_token(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    body = {"email": email, "password": password}
    code = await fresh_code(email)
    if code is not None:
        body["otp"] = code
    response = await client.post("/api/v1/auth/tokens", json=body)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def record_queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement sent to the database from now on (to the end of the test), in order."""
    connection = connections.get("default")
    queries: list[str] = []
    for name in ("execute_insert", "execute_query", "execute_query_dict", "execute_many", "execute_script"):
        original = getattr(type(connection), name)

        def spy(self, query, *args, _original=original, **kwargs):
            queries.append(" ".join(str(query).split()))
            return _original(self, query, *args, **kwargs)

        monkeypatch.setattr(type(connection), name, spy)
    return queries
