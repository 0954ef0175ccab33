"""Notification pages: the list, opening one, marking all read, the preferences."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifications import services
from tierslieu.errors import Invalid
from tierslieu.guards import current_user, page_number
from tierslieu.pages import form_page, see_other
from tierslieu.responses import read_form
from tierslieu.templating import render
from tierslieu.urls import path_for


async def page_context(request: Request) -> dict[str, Any]:
    """The header's unread badge on every page: one COUNT for a signed-in person, nothing
    asked of the database for an anonymous visitor."""
    user = request.state.user
    return {} if user is None else {"unread_notifications": await services.unread_count(user)}


async def listing(request: Request) -> Response:
    user = current_user(request)
    found = await services.list_notifications(user, page_number(request))
    return render(request, "notifications/list.html", {"listing": found})


async def open_notification(request: Request) -> Response:
    user = current_user(request)
    notification = await services.open_notification(user, request.path_params["notification_id"])
    return see_other(notification.url)


async def read_all(request: Request) -> Response:
    user = current_user(request)
    await services.mark_all_read(user)
    return see_other(path_for("notifications:list"))


async def preferences(request: Request) -> Response:
    user = current_user(request)
    template, context = "notifications/preferences.html", {"kinds": services.kinds(), "modes": services.MODE_LABELS}
    if request.method == "GET":
        return form_page(request, template, values=await services.preferences(user), saved=False, **context)
    values = {key: value for key, value in (await read_form(request)).items() if isinstance(value, str)}
    try:
        chosen = await services.set_preferences(user, values)
    except Invalid as error:
        current = await services.preferences(user)
        return form_page(request, template, error, {**current, **values}, saved=False, **context)
    return form_page(request, template, values=chosen, saved=True, **context)


routes = [
    Route("/notifications", listing, name="notifications:list"),
    Route("/notifications/read-all", read_all, methods=["POST"], name="notifications:read_all"),
    Route("/notifications/preferences", preferences, methods=["GET", "POST"], name="notifications:preferences"),
    Route("/notifications/{notification_id:int}", open_notification, name="notifications:open"),
]
