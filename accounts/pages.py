"""Starting a session from an account page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from accounts import services
from tierslieu.guards import client_address
from tierslieu.middleware import SESSION_COOKIE, cookie_header
from tierslieu.pages import see_other


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
    response = see_other(target)
    set_session_cookie(response, request, token)
    return response
