"""Rendering forum pages: the shared context, form errors."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from forum import permissions
from forum.forms import MAX_BODY, MAX_TITLE
from tierslieu import i18n
from tierslieu.errors import DomainError
from tierslieu.responses import field_messages
from tierslieu.templating import render


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render a forum page with what its templates share."""
    return render(
        request,
        template,
        {
            "can": permissions,
            "max_body": MAX_BODY,
            "max_title": MAX_TITLE,
            "errors": {},
            "error": None,
            "values": {},
            **context,
        },
        status_code=status_code,
    )


def form_error(request: Request, error: DomainError) -> dict[str, Any]:
    return {
        "errors": field_messages(request, error),
        "error": i18n.gettext(request.state.locale, error.message, **error.params),
    }
