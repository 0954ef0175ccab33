"""People in the forum: a person's page (where a mention leads)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum import people
from forum.pages import page
from tierslieu.guards import optional_user


async def person(request: Request) -> Response:
    found = await people.person_page(optional_user(request), request.path_params["user_id"])
    return await page(request, "forum/person.html", {"found": found})


routes = [
    Route("/forum/u/{user_id:int}", person, name="forum:person"),
]
