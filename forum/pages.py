"""Rendering forum pages: the context they share."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from forum import mentions, permissions
from forum.forms import MAX_BODY, MAX_TITLE
from tierslieu.templating import render


async def page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render a forum page with what its templates share."""
    return render(
        request,
        template,
        {
            "can": permissions,
            "handle": mentions.mention_handle,
            "max_body": MAX_BODY,
            "max_title": MAX_TITLE,
            "errors": {},
            "error": None,
            "values": {},
            **context,
        },
        status_code=status_code,
    )
