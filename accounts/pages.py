"""Helpers shared by the account pages: form pages, redirects, starting a session."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from accounts import services
from tierslieu import i18n
from tierslieu.errors import DomainError
from tierslieu.guards import client_address
from tierslieu.middleware import SESSION_COOKIE, cookie_header
from tierslieu.responses import field_messages
from tierslieu.templating import render


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def form_page(
    request: Request,
    template: str,
    error: DomainError | None = None,
    values: dict[str, Any] | None = None,
    **context: Any,
) -> Response:
    """A form page, shown again with the messages of ``error`` when there is one."""
    status = 200 if error is None else error.status
    message = i18n.gettext(request.state.locale, error.message, **error.params) if error is not None else None
    return render(
        request,
        template,
        {
            "errors": field_messages(request, error) if error else {},
            "error": message,
            "values": values or {},
            **context,
        },
        status_code=status,
    )


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    settings = request.app.state.settings
    response.headers.append(
        "Set-Cookie",
        cookie_header(SESSION_COOKIE, token, max_age=settings.session_absolute_seconds, secure=settings.production),
    )


async def sign_in(request: Request, user, target: str) -> Response:
    """Start a new session (ending the one this browser had) and go to ``target``."""
    settings = request.app.state.settings
    token = await services.start_session(user, client_address(request), request.headers.get("user-agent", ""), settings)
    if request.state.session is not None:
        await services.end_session(request.state.session.id)
    response = redirect(target)
    set_session_cookie(response, request, token)
    return response
