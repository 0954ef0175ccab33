"""The shell's ASGI middleware, outermost first:

- ``RequestLogMiddleware``: a request id for every request, one JSON log line each;
- ``CompressionMiddleware``: gzip for text responses (HTML, CSS, JS, JSON, iCal);
- ``SecurityHeadersMiddleware``: CSP and friends on every response;
- ``BodyLimitMiddleware``: 413 past the configured size, with or without Content-Length;
- ``AuthMiddleware``: who is asking (session cookie or bearer token), in which
  language and zone, and the CSRF and Origin checks for unsafe requests.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import re
import secrets
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import unquote, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request, cookie_parser
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tierslieu import background, i18n, identity
from tierslieu.errors import N_, DomainError, Forbidden
from tierslieu.logs import request_id_var
from tierslieu.openapi import API_PREFIX
from tierslieu.responses import error_response
from tierslieu.settings import Settings
from tierslieu.validation import parse_int

log = logging.getLogger("tierslieu.access")

SESSION_COOKIE = "tl_session"
CSRF_COOKIE = "tl_csrf"
LOCALE_COOKIE = "tl_lang"
TIMEZONE_COOKIE = "tl_tz"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = os.urandom(8).hex()  # 16 hex digits, like before, without building a UUID
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            elif kind == "websocket.http.response.start":  # a handshake answered with a page
                status = message["status"]
            elif kind == "websocket.accept":
                status = 101  # switching protocols: what the handshake answered
            elif kind == "websocket.close" and status == 500:
                status = 403  # closed before the handshake completed: the socket was refused
            await send(message)

        try:
            if scope["type"] == "http":
                with background.serving():
                    await self.app(scope, receive, send_with_id)
            else:
                await self.app(scope, receive, send_with_id)
        finally:
            state = scope.get("state", {})
            user = state.get("user")
            log.info(
                "request",
                extra={
                    "method": scope.get("method", "WS"),
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "user_id": user.id if user is not None else None,
                },
            )
            request_id_var.reset(token)


class CompressionMiddleware:
    """Starlette's ``GZipMiddleware`` (bodies from ``minimum_size`` bytes; streams are
    compressed chunk by chunk, ``text/event-stream``, images and archives are left alone,
    websockets pass through), plus one rule for conditional requests: a compressed body
    is another representation, so a strong ``ETag`` becomes weak (``W/"…"``), as RFC 9110
    asks. ``If-None-Match`` compares weakly, so 304s keep working for both encodings.

    Pages, styles and feeds, read by people on slow and costly connections, get zlib's
    default level 6 (Starlette's 9 cost a fifth more CPU for 1 % fewer bytes). The JSON API,
    read by programs and repetitive, gets level 3, zlib's fastest strategy: on a week of a
    room's availability (8 KB) it takes 45 % of level 6's time for 100 more bytes."""

    def __init__(self, app: ASGIApp, minimum_size: int = 500) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size, compresslevel=6)
        self.api_gzip = GZipMiddleware(app, minimum_size=minimum_size, compresslevel=3)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_weak_etag(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                etag = headers.get("etag")
                if etag and etag.startswith('"') and headers.get("content-encoding") == "gzip":
                    headers["ETag"] = "W/" + etag
            await send(message)

        gzip = self.api_gzip if scope["path"].startswith(API_PREFIX + "/") else self.gzip
        await gzip(scope, receive, send_with_weak_etag)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.hsts = settings.production and settings.base_url.startswith("https://")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(DomainError):
    status = 413


def too_large() -> BodyTooLarge:
    return BodyTooLarge("too_large", N_("The request is too large."))


class BodyLimitMiddleware:
    """Reads the body of unsafe requests up to the limit, then replays it downstream."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limit = settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        # "\xb2" (latin-1 "²") passes str.isdigit() and not int(): parse_int takes ASCII digits only
        if length is not None and parse_int(length, low=0, high=self.limit) is None:
            await error_response(Request(scope), too_large())(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await error_response(Request(scope), too_large())(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        scope.setdefault("state", {})["body"] = b"".join(chunks)
        await self.app(scope, replay_body(scope, receive), send)


def replay_body(scope: Scope, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": scope["state"]["body"], "more_body": False}
        return await receive()

    return replay


def client_address(scope: Scope, settings: Settings) -> str:
    """The peer, or the first untrusted hop of X-Forwarded-For behind trusted proxies."""
    peer = (scope.get("client") or ("", 0))[0]

    def trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in settings.trusted_proxies)

    if not settings.trusted_proxies or not trusted(peer):
        return peer
    forwarded = Headers(scope=scope).get("x-forwarded-for", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not trusted(hop):
            return hop
    return peer


def base_origin(settings: Settings) -> str:
    """``scheme://host[:port]`` of ``TIERSLIEU_BASE_URL``, lower-case."""
    base = urlsplit(settings.base_url)
    return f"{base.scheme}://{base.netloc}".lower()


_DEFAULT_PORTS = {"http": 80, "https": 443}


def own_host(host: str, settings: Settings) -> bool:
    """Whether a ``Host`` header names the site of ``TIERSLIEU_BASE_URL``."""
    base = urlsplit(settings.base_url)
    try:
        sent = urlsplit(f"//{host.strip()}")
        port = sent.port
    except ValueError:
        return False
    if (sent.hostname or "") != (base.hostname or "").lower():
        return False
    # without a port in the base URL, the site is on a default one: the TLS proxy in front may
    # pass the Host header on with the plain HTTP port
    return port == base.port if base.port else port in (None, *_DEFAULT_PORTS.values())


def own_origins(scope: Scope, settings: Settings) -> set[str]:
    """The origins a request may come from: the base URL's; outside production also the one
    the ``Host`` header names (development servers are reached under several names). In
    production the ``Host`` header is never trusted (see ``AuthMiddleware``)."""
    origins = {base_origin(settings)}
    host = Headers(scope=scope).get("host")
    if host and not settings.production:
        scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
        origins.add(f"{scheme}://{host}".lower())
    return origins


def foreign_origin(scope: Scope, settings: Settings) -> bool:
    """A present Origin that is not ours (a missing Origin is not an error)."""
    origin = Headers(scope=scope).get("origin")
    if origin is None:
        return False
    return origin.rstrip("/").lower() not in own_origins(scope, settings)


PRIVATE = "private, no-store"


def keep_private(headers: MutableHeaders) -> None:
    """``Cache-Control: private, no-store`` on an answer to a request with credentials (a
    session cookie, a bearer token) or that sets a cookie: no shared cache nor the browser's
    history keeps a person's pages (profile, bookings, notifications, anything a signed-in
    page shows). An answer that says itself it is the same for everyone (``public``: the
    static files, the public feeds), or that already forbids storing it, keeps its own header."""
    own = headers.get("cache-control", "").lower()
    if "public" not in own and "no-store" not in own:
        headers["Cache-Control"] = PRIVATE


def csrf_token_for(secret_key: str, seed: str) -> str:
    """The secret CSRF token of a session (or anonymous cookie): 64 hex digits. It never
    leaves the server as such; pages get ``mask_csrf_token(token)``."""
    return hmac.new(secret_key.encode(), f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


_CSRF_TOKEN_BYTES = 32  # a SHA-256 digest
_MASKED_CSRF_TOKEN = re.compile(f"[0-9a-f]{{{4 * _CSRF_TOKEN_BYTES}}}")


def mask_csrf_token(token: str) -> str:
    """A fresh spelling of the token for one use, against BREACH (gzip pages that show the
    token next to reflected text): a random mask, then the token XOR that mask, in hex."""
    secret = bytes.fromhex(token)
    mask = secrets.token_bytes(len(secret))
    hidden = int.from_bytes(mask) ^ int.from_bytes(secret)  # (a page masks it for each of its forms)
    return (mask + hidden.to_bytes(len(secret))).hex()


def unmask_csrf_token(masked: str) -> str | None:
    """The token behind a value made by ``mask_csrf_token``, or None when the value is not
    exactly 128 lowercase hex digits (an unmasked token, a truncated or non-ASCII one)."""
    if _MASKED_CSRF_TOKEN.fullmatch(masked) is None:
        return None
    raw = bytes.fromhex(masked)
    mask, hidden = raw[:_CSRF_TOKEN_BYTES], raw[_CSRF_TOKEN_BYTES:]
    return bytes(m ^ h for m, h in zip(mask, hidden, strict=True)).hex()


def csrf_token_matches(sent: str, expected: str) -> bool:
    unmasked = unmask_csrf_token(sent)
    return unmasked is not None and hmac.compare_digest(unmasked, expected)


def cookie_header(name: str, value: str, *, max_age: int | None, secure: bool, http_only: bool = True) -> str:
    cookie: SimpleCookie = SimpleCookie()
    cookie[name] = value
    morsel = cookie[name]
    morsel["path"] = "/"
    morsel["samesite"] = "Lax"
    if max_age is not None:
        morsel["max-age"] = max_age
    if http_only:
        morsel["httponly"] = True
    if secure:
        morsel["secure"] = True
    return morsel.OutputString()


class AuthMiddleware:
    """Resolves the person, the locale and the zone, and guards unsafe requests.

    Unsafe requests are refused with 403 when their Origin is present and foreign.
    Browser pages (outside /api/) always need the CSRF token, in the form field or
    the X-CSRF-Token header. API requests need it only when they ride on a session
    cookie: bearer-token and anonymous API calls carry no ambient credentials.
    The token is only ever sent out masked (``csrf_token()`` masks it afresh at each call)
    and only masked values are accepted back.
    """

    def __init__(self, app: ASGIApp, settings: Settings, csrf_exempt: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.settings = settings
        self.csrf_exempt = csrf_exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        settings = self.settings
        if settings.production and not await self._own_host(scope, receive, send):
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        headers = Headers(scope=scope)
        cookies = _cookies(headers)
        # credentials ride on this request: what it answers is for this person only
        credentials = bool(cookies.get(SESSION_COOKIE) or headers.get("authorization"))
        state["client_address"] = client_address(scope, settings)
        state.update(user=None, roles=frozenset(), session=None, auth=None, api_token=None)

        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("bearer ") and scope["path"].startswith("/api/"):
            found = await identity.current().resolve_api_token(authorization[7:].strip())
            if found is not None:
                state["user"], state["roles"], state["api_token"] = found
                state["auth"] = "bearer"
        elif cookies.get(SESSION_COOKIE) and not (scope["type"] == "websocket" and "origin" not in headers):
            # a socket without Origin is anonymous (API.md): a browser always sends one, so a
            # socket without it is a script replaying a cookie, never the person's own page
            found = await identity.current().resolve_session(cookies[SESSION_COOKIE], settings)
            if found is not None:
                state["session"], state["user"], state["roles"] = found
                state["auth"] = "session"
        user = state["user"]

        is_api = scope["path"].startswith("/api/")
        locale = None
        if not is_api:
            locale = cookies.get(LOCALE_COOKIE) if cookies.get(LOCALE_COOKIE) in i18n.LOCALES else None
        if locale is None and not is_api and user is not None:
            locale = user.locale
        locale = locale or i18n.negotiate(headers.get("accept-language"))
        if locale is None and user is not None:
            locale = user.locale
        state["locale"] = locale if locale in i18n.LOCALES else i18n.DEFAULT_LOCALE
        zone_cookie = unquote(cookies.get(TIMEZONE_COOKIE, ""))
        state["timezone"] = (
            user.timezone
            if user is not None
            else (zone_cookie if i18n.is_timezone(zone_cookie) else i18n.DEFAULT_TIMEZONE)
        )

        session = state["session"]
        csrf_seed = session.id if session is not None else cookies.get(CSRF_COOKIE, "")
        unseeded = not csrf_seed or len(csrf_seed) < 32  # no form of this browser can be valid yet
        new_csrf_seed = expected = ""
        csrf_used = False

        def expected_token() -> str:
            # made when first needed: most API calls and many pages never need it
            nonlocal new_csrf_seed, expected
            if not expected:
                if unseeded:
                    new_csrf_seed = secrets.token_urlsafe(32)
                expected = csrf_token_for(settings.secret_key, new_csrf_seed or csrf_seed)
            return expected

        def csrf_token() -> str:
            nonlocal csrf_used
            csrf_used = True
            return mask_csrf_token(expected_token())  # a new mask at every call: see mask_csrf_token

        state["csrf_token"] = csrf_token
        locale_token = i18n.current_locale.set(state["locale"])
        try:
            if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
                refusal = await self._refusal(scope, state, expected_token, is_api, unseeded)
                if refusal is not None:
                    await error_response(Request(scope), refusal)(scope, receive, send)
                    return
            if state["auth"] == "session" and getattr(user, "needs_two_factor", False):
                # Staff without a second factor (the accounts part decides who, and which
                # paths stay open): their session reaches nothing else until they enrol.
                # Pages redirect to enrolment, other requests get 403, sockets are
                # anonymous. Bearer tokens are not concerned: those held already keep working.
                if scope["type"] == "websocket":
                    state.update(user=None, roles=frozenset(), session=None, auth=None)
                elif not (two_step := identity.current().two_step).is_open(scope["path"]):
                    if scope["method"] in ("GET", "HEAD") and not is_api:
                        query = scope.get("query_string", b"").decode("latin-1")
                        gate = RedirectResponse(two_step.enrolment_url(scope["path"], query), status_code=303)
                    else:
                        gate = error_response(Request(scope), two_step.required_error())
                    await gate(scope, receive, send)
                    return

            async def send_with_cookies(message: Message) -> None:
                if message["type"] == "http.response.start":
                    response_headers = MutableHeaders(scope=message)
                    if new_csrf_seed and csrf_used:
                        response_headers.append(
                            "Set-Cookie",
                            cookie_header(CSRF_COOKIE, new_csrf_seed, max_age=None, secure=settings.production),
                        )
                    if credentials or "set-cookie" in response_headers:
                        keep_private(response_headers)
                await send(message)

            await self.app(scope, receive, send_with_cookies)
        finally:
            i18n.current_locale.reset(locale_token)

    async def _own_host(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Production: a request must name the site of ``TIERSLIEU_BASE_URL`` in its ``Host``
        header (else 400, or a refused socket), and it is then seen with the base URL's scheme
        and host, so that nothing built from the request (a link, an Origin to compare) can
        come from a forged header or from the plain HTTP behind a TLS proxy."""
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if not own_host(host, self.settings):
            log.warning("request refused: unknown host %r", host[:200])
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                body = b'{"error": {"code": "bad_host", "message": "Unknown host."}}'
                await send(
                    {
                        "type": "http.response.start",
                        "status": 400,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))],
                    }
                )
                await send({"type": "http.response.body", "body": body})
            return False
        base = urlsplit(self.settings.base_url)
        secure = base.scheme == "https"
        scope["scheme"] = ("wss" if secure else "ws") if scope["type"] == "websocket" else base.scheme
        scope["server"] = (base.hostname or "", base.port or _DEFAULT_PORTS.get(base.scheme, 80))
        scope["headers"] = [
            (name, base.netloc.encode("latin-1") if name == b"host" else value)
            for name, value in scope.get("headers", [])
        ]
        return True

    async def _refusal(
        self, scope: Scope, state: dict[str, Any], expected: Callable[[], str], is_api: bool, unseeded: bool
    ) -> DomainError | None:
        if foreign_origin(scope, self.settings):
            return Forbidden("csrf_failed", N_("This request came from another site and was refused."))
        if state["auth"] == "bearer" or scope["path"] in self.csrf_exempt:
            return None
        if is_api and state["auth"] != "session":
            return None
        sent = Headers(scope=scope).get(CSRF_HEADER)
        if sent is None and not unseeded:
            sent = await _form_field(scope, CSRF_FIELD)
        if unseeded or not sent or not csrf_token_matches(sent, expected()):
            return Forbidden(
                "csrf_failed",
                N_("The form has expired or did not come from this site. Please reload the page and try again."),
            )
        return None


async def _form_field(scope: Scope, name: str) -> str | None:
    content_type = Headers(scope=scope).get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None
    body = scope.get("state", {}).get("body", b"")

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    request = Request(scope, receive)
    try:
        form = await request.form()
    except (HTTPException, MultiPartException, ValueError):
        return None  # a malformed form simply carries no token
    value = form.get(name)
    await form.close()
    return value if isinstance(value, str) else None


def _cookies(headers: Headers) -> dict[str, str]:
    return cookie_parser(headers.get("cookie", ""))
