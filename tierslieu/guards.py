"""Small request helpers shared by every part's routes."""

from __future__ import annotations

import unicodedata
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
    # isascii(): str.isdigit() also accepts digits such as "²" that int() refuses
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to after a form, never another site: one "/" not followed by
    another "/" (``//host`` is another host), no backslash (browsers read ``/\\host`` as
    ``//host``), and no control or whitespace character anywhere (browsers drop tabs and
    newlines, so ``/\\t/host`` is ``//host`` to them). Percent-encoded ones (``/%09/host``)
    are harmless: they stay encoded. Anything else gives ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in target):
        return default
    return target
