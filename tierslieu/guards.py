"""Small request helpers shared by every part's routes."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from tierslieu.errors import N_, Unauthorized


def current_user(request: Request) -> Any:
    """The signed-in person, or 401 (which sends a browser to the login page)."""
    user = request.state.user
    if user is None:
        raise Unauthorized("unauthorized", N_("You need to sign in."))
    return user


def optional_user(request: Request) -> Any:
    return request.state.user


def client_address(request: Request) -> str:
    return request.state.client_address


def page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to after a form, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
