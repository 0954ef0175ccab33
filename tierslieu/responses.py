"""Turning domain errors into responses, and reading JSON bodies and forms."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, urlsplit

import orjson
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.responses import JSONResponse as StarletteJSONResponse

from tierslieu import i18n
from tierslieu.errors import N_, DomainError, Invalid, ServiceUnavailable, TooManyRequests
from tierslieu.i18n import Message, localise
from tierslieu.templating import page_context
from tierslieu.validation import cleaned

log = logging.getLogger("tierslieu.errors")

Model = TypeVar("Model", bound=BaseModel)


# How the API writes JSON: UTF-8, and instants in UTC as RFC 3339 with "Z"
# (``2026-12-03T08:00:00Z``, fractions of a second only when there are some).
JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


class JSONResponse(StarletteJSONResponse):
    """Starlette's JSONResponse written by orjson, several times faster than the standard
    library (a week of a busy room's availability is a few hundred objects). Aware
    datetimes may be given as they are; pass them in UTC (see ``JSON_OPTIONS``)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=JSON_OPTIONS)


def rfc3339(value: datetime) -> str:
    """An instant as the API writes it (see ``JSON_OPTIONS``), for texts built by hand."""
    return orjson.dumps(i18n.in_zone(value, UTC), option=JSON_OPTIONS)[1:-1].decode()


# Messages for pydantic's error types; custom validators raise PydanticCustomError
# whose message template is itself a message id.
VALIDATION_MESSAGES = {
    "missing": N_("This field is required."),
    "string_too_short": N_("Too short: at least %(min_length)s characters."),
    "string_too_long": N_("Too long: at most %(max_length)s characters."),
    "string_type": N_("Text is expected here."),
    "int_parsing": N_("A whole number is expected here."),
    "int_type": N_("A whole number is expected here."),
    "bool_parsing": N_("Yes or no is expected here."),
    "bool_type": N_("Yes or no is expected here."),
    "greater_than_equal": N_("Must be at least %(ge)s."),
    "less_than_equal": N_("Must be at most %(le)s."),
    "enum": N_("Choose one of the proposed values."),
    "literal_error": N_("Choose one of the proposed values."),
    "value_error": N_("This value is not valid."),
    "list_type": N_("A list is expected here."),
    "too_long": N_("Too many items: at most %(max_length)s."),
    "datetime_parsing": N_("A date and time with an offset is expected, like 2026-12-03T09:00:00+01:00."),
    "datetime_type": N_("A date and time with an offset is expected, like 2026-12-03T09:00:00+01:00."),
    "timezone_aware": N_("A date and time with an offset is expected, like 2026-12-03T09:00:00+01:00."),
    "model_type": N_("A JSON object is expected."),
    "dict_type": N_("A JSON object is expected."),
    "extra_forbidden": N_("This field is not accepted."),
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or (
        "application/json" in request.headers.get("accept", "") and "text/html" not in request.headers.get("accept", "")
    )


def error_response(request: Request, error: DomainError) -> Response:
    locale = getattr(request.state, "locale", i18n.DEFAULT_LOCALE)
    message = i18n.gettext(locale, error.message, **error.params)
    fields = {name: localise(locale, text) for name, text in error.fields.items()}
    headers = {}
    if isinstance(error, TooManyRequests | ServiceUnavailable):
        headers["Retry-After"] = str(error.retry_after)
    if error.status == 401 and wants_json(request):
        headers["WWW-Authenticate"] = "Bearer"
    if wants_json(request):
        body: dict[str, Any] = {"code": error.code, "message": message}
        if fields:
            body["fields"] = fields
        return JSONResponse({"error": body}, status_code=error.status, headers=headers)
    if error.status == 401 and request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    templates = request.app.state.templates
    extra: dict[str, Any] = {}
    if error.code == "csrf_failed" and request.method == "POST":
        extra = {"kept": kept_texts(request), "back": back_path(request)}
    with i18n.use_locale(locale):
        html = templates.get_template("error.html").render(
            {**page_context(request), "status": error.status, "message": message, "fields": fields, **extra}
        )
    return HTMLResponse(html, status_code=error.status, headers=headers)


KEPT_MIN_LENGTH = 3  # shorter values (a choice, a number) are not what people fear losing


def kept_texts(request: Request) -> list[tuple[str, str]]:
    """The texts of a form refused because it expired (session ended, token stale): shown
    back to the person, and kept as a draft by the page's script, so nothing they wrote is
    lost on the way through sign-in."""
    body = request.scope.get("state", {}).get("body", b"")
    if not body or not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return []
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=False)
    except (UnicodeDecodeError, ValueError):
        return []
    return [
        (name, value)
        for name, value in pairs
        if name not in ("csrf_token", "password", "step", "action") and len(value.strip()) >= KEPT_MIN_LENGTH
    ][:5]


def back_path(request: Request) -> str:
    """The page the refused form was on (its Referer on this site), to come back to."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.headers.get("host"):
        return "/"
    path = referer.path + (f"?{referer.query}" if referer.query else "")
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else "/"


def validation_error(exc: ValidationError) -> Invalid:
    fields: dict[str, str | Message] = {}
    for item in exc.errors(include_url=False):
        given = item.get("ctx") or {}
        where = [str(part) for part in item["loc"]]
        if isinstance(given.get("field"), str):  # a rule across fields names the one it is about
            where.append(given["field"])
        name = ".".join(where) or "body"
        if name in fields:
            continue
        template = VALIDATION_MESSAGES.get(item["type"])
        if template is None:
            template = given.get("message_id") or VALIDATION_MESSAGES["value_error"]
        ctx = {key: value for key, value in given.items() if isinstance(value, (str, int, float)) and key != "field"}
        fields[name] = Message(template, ctx) if ctx else template
    return Invalid("invalid", N_("Some fields are missing or invalid."), fields=fields)


def parse(model: type[Model], data: Any) -> Model:
    refused = _nul_fields(data)
    if refused:
        raise Invalid("invalid", N_("Some fields are missing or invalid."), fields=dict.fromkeys(refused, _NOT_VALID))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc) from None


_NOT_VALID = VALIDATION_MESSAGES["value_error"]


def _nul_fields(data: Any, name: str = "") -> list[str]:
    """The fields whose text holds a NUL character. No text column stores one (PostgreSQL
    refuses it outright), and no person types one: it is an invalid field, for every form
    and JSON body at once."""
    if isinstance(data, str):
        return [name or "body"] if "\x00" in data else []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    found: list[str] = []
    for key, value in items:
        inner = f"{name}.{key}" if name else str(key)
        found += [inner] if isinstance(key, str) and "\x00" in key else _nul_fields(value, inner)
    return found


MAX_JSON_DEPTH = 32
"""Arrays and objects nest at most this deep in a JSON body: no form of ours goes past 4, and
50,000 nested ``[`` would exhaust the parser's recursion (a 500 that closed the connection)."""

MAX_NUMBER_LENGTH = 40
"""Digits in one JSON number: past it, no field of ours can use it, and Python's int() refuses
more than 4,300 digits with a ValueError of its own."""

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(rb"[\[\]{}]")


def nests_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects nest deeper than ``limit`` in ``body``: one linear scan,
    strings left out, without parsing (so a hostile body costs no recursion)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for match in _BRACKETS.finditer(_STRINGS.sub(b'""', body)):
        depth += 1 if match.group() in b"[{" else -1
        if depth > limit:
            return True
    return False


def _number(text: str) -> int | float:
    if len(text) > MAX_NUMBER_LENGTH:
        raise ValueError(text[:20])
    return float(text) if any(char in text for char in ".eE") else int(text)


def _constant(name: str) -> None:
    raise ValueError(name)  # NaN, Infinity and -Infinity are not JSON


def bad_json() -> DomainError:
    return DomainError("bad_request", N_("The body is not valid JSON."), status=400)


def load_json(body: bytes) -> Any:
    """The one reader of JSON bodies: bounded depth (:data:`MAX_JSON_DEPTH`) and number length
    (:data:`MAX_NUMBER_LENGTH`); the size is bounded before, by ``BodyLimitMiddleware``. Anything
    else is a 400 in the JSON error format, never a 500."""
    if nests_too_deep(body):
        raise DomainError("too_deep", N_("The body nests too deep."), status=400)
    try:
        data = json.loads(body or b"null", parse_int=_number, parse_float=_number, parse_constant=_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):  # JSONDecodeError is a ValueError
        raise bad_json() from None
    return cleaned(data)  # control characters out of every text (tierslieu.validation.clean_text)


async def read_json(request: Request, model: type[Model]) -> Model:
    return parse(model, load_json(await request.body()))


async def read_form(request: Request) -> dict[str, Any]:
    """The submitted form as a dict; repeated fields become lists."""
    try:
        form = await request.form()
    except (HTTPException, MultiPartException):
        raise DomainError("bad_request", N_("The form could not be read."), status=400) from None
    data: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        values = form.getlist(key)
        data[key] = values if len(values) > 1 else values[0]
    return cleaned(data)  # control characters out of every text (tierslieu.validation.clean_text)


def field_messages(request: Request, error: DomainError) -> dict[str, str]:
    """Field messages of an error in the viewer's language, for re-rendering a form."""
    return {name: localise(request.state.locale, text) for name, text in error.fields.items()}
