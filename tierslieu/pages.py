"""What every part's HTML pages share: redirect after a successful POST, and a form shown
again with the messages of the domain error that refused it."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tierslieu import i18n
from tierslieu.errors import DomainError, TooManyRequests
from tierslieu.responses import field_messages
from tierslieu.templating import render


def see_other(url: str) -> RedirectResponse:
    """Redirect after a successful POST (303: the browser then GETs ``url``)."""
    return RedirectResponse(url, status_code=303)


def form_error(request: Request, error: DomainError) -> dict[str, Any]:
    """The context a form template shows an error with: ``errors`` by field and the
    ``error`` message, both in the viewer's language."""
    return {
        "errors": field_messages(request, error),
        "error": i18n.gettext(request.state.locale, error.message, **error.params),
    }


def form_page(
    request: Request,
    template: str,
    error: DomainError | None = None,
    values: dict[str, Any] | None = None,
    **context: Any,
) -> Response:
    """A form page, shown again with the messages of ``error`` (and its status) when there is one."""
    shown = form_error(request, error) if error is not None else {"errors": {}, "error": None}
    response = render(
        request,
        template,
        {**shown, "values": values or {}, **context},
        status_code=200 if error is None else error.status,
    )
    if isinstance(error, TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after)
    return response
