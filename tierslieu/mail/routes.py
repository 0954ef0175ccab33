"""The unsubscribe pages: the signed link of an optional mail, and RFC 8058 one-click."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tierslieu import identity, parts, urls
from tierslieu.errors import NotFound
from tierslieu.guards import text_param
from tierslieu.mail import NEVER, read_unsubscribe_token, set_preference
from tierslieu.parts import MailKind
from tierslieu.templating import render


async def resolve_unsubscribe(token: str) -> tuple[Any, MailKind]:
    """The person and the optional kind named by a signed link, or 404."""
    found = read_unsubscribe_token(token)
    item = parts.installed().mail_kinds.get(found[1]) if found else None
    if found is None or item is None or not item.optional:
        raise NotFound()
    user = await identity.current().find(found[0])
    if user is None:
        raise NotFound()
    return user, item


async def unsubscribe(request: Request) -> Response:
    """GET shows a confirmation form (mail scanners follow links, so GET changes nothing);
    POST, from that form or a mail client's one-click (RFC 8058), sets the kind to never."""
    token = text_param(request, "t", max_length=500)
    user, item = await resolve_unsubscribe(token)
    done = request.method == "POST"
    if done:
        await set_preference(user, item.name, NEVER)
    action = urls.url_for("mail:unsubscribe").include_query_params(t=token)
    context = {"kind_label": item.label, "action": str(action), "done": done}
    return render(request, "mail/unsubscribe.html", context)


routes = [Route("/mail/unsubscribe", unsubscribe, methods=["GET", "POST"], name="mail:unsubscribe")]

# The one-click POST comes from a mail client, without a session or CSRF token: the
# signed token in the query string authenticates it.
CSRF_EXEMPT = frozenset({"/mail/unsubscribe"})
