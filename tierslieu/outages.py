"""When the database cannot be reached: 503 with ``Retry-After`` and a friendly page (a
JSON error for the API), and the connection kept, instead of a 500.

:class:`UnavailableMiddleware` wraps the middleware that resolves the session, so it also
catches what fails there; the page still gets the security headers and compression. A response already
under way cannot be replaced: such an error goes on to the 500 handler."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tierslieu import db, i18n
from tierslieu.errors import ServiceUnavailable
from tierslieu.middleware import LOCALE_COOKIE
from tierslieu.responses import error_response

log = logging.getLogger("tierslieu")

RETRY_AFTER = 10  # seconds, in the Retry-After of a 503


class UnavailableMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started or not db.unavailable(exc):
                raise
            log.warning("database unavailable: %s: %s", type(exc).__name__, exc)
            request = Request(scope)
            state = scope.setdefault("state", {})
            if state.get("locale") not in i18n.LOCALES:
                chosen = request.cookies.get(LOCALE_COOKIE)
                state["locale"] = (
                    chosen if chosen in i18n.LOCALES else i18n.negotiate(request.headers.get("accept-language"))
                ) or i18n.DEFAULT_LOCALE
            response = error_response(request, ServiceUnavailable(retry_after=RETRY_AFTER))
            response.headers["Cache-Control"] = "no-store"
            await response(scope, receive, send)
