"""Small request helpers shared by every part's routes."""

from __future__ import annotations

import unicodedata
from typing import Any, TypeVar

from starlette.requests import Request

from tierslieu.errors import N_, NotFound, Unauthorized
from tierslieu.validation import MAX_ID, has_control, parse_int, query_text

T = TypeVar("T")


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


def int_param(request: Request, name: str, default: T, *, low: int, high: int) -> int | T:
    """The query parameter ``name`` as an integer from ``low`` to ``high``; ``default`` when it
    is missing or is anything else ("²", "-1", a number past the database's, "%00")."""
    value = parse_int(request.query_params.get(name), low=low, high=high)
    return default if value is None else value


def id_param(request: Request, name: str) -> int | None:
    """The query parameter ``name`` as the id of a row, or None."""
    return int_param(request, name, None, low=1, high=MAX_ID)


def text_param(request: Request, name: str, *, max_length: int) -> str:
    """The query parameter ``name`` as text for a query, "" when missing; longer than
    ``max_length`` or with a control character (NUL, which PostgreSQL refuses) it is a 422 naming
    it (see :func:`tierslieu.validation.query_text`): every text parameter goes through here."""
    return query_text(request.query_params.get(name), name, max_length=max_length)


def path_text(request: Request, name: str, *, max_length: int) -> str:
    """The path parameter ``name`` (a slug, a tag, a token): longer than ``max_length`` or with a
    control character it names nothing, so it is a 404 before any query."""
    value = request.path_params[name]
    if not isinstance(value, str) or len(value) > max_length or has_control(value):
        raise NotFound()
    return value


def page_number(request: Request) -> int:
    return int_param(request, "page", 1, low=1, high=999_999)


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
