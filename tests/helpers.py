"""Factories and browser-like helpers for tests."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser

import httpx

from accounts import services
from accounts.models import Role, User

PASSWORD = "correct horse battery"
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
) -> User:
    number = next(_numbers)
    return await services.create_user(
        email or f"person{number}@example.org",
        password,
        display_name or f"Person {number}",
        locale=locale,
        timezone=timezone,
        roles=roles,
        verified=verified,
    )


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
    response = await post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 303, response.text[:500]
    return response


async def api_token(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = await client.post("/api/v1/auth/tokens", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
