"""People in the forum: a person's page (where a mention leads), and the people suggested
while an @handle is typed (``static/forum.js``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum import mentions, people, permissions
from forum.models import Topic
from forum.pages import page
from tierslieu.guards import current_user, id_param, optional_user, text_param

MAX_TYPED = 80  # a handle is at most a display name long


async def person(request: Request) -> Response:
    found = await people.person_page(optional_user(request), request.path_params["user_id"])
    return await page(request, "forum/person.html", {"found": found})


async def suggestions(request: Request) -> Response:
    """``?q=sop[&topic=12]`` → ``[{"handle": "SophieLaurent", "name": "Sophie Laurent"}, …]``,
    for signed-in people only; those who wrote in the topic come first."""
    user = current_user(request)
    typed = text_param(request, "q", max_length=MAX_TYPED)
    topic_id = id_param(request, "topic")
    topic = await Topic.get_or_none(id=topic_id) if topic_id is not None else None
    if topic is not None and not permissions.can_see_topic(user, topic):
        topic = None  # answered as if no topic were given: the answer tells nothing of it
    return JSONResponse(await mentions.suggest(user, typed, topic))


routes = [
    Route("/forum/u/{user_id:int}", person, name="forum:person"),
    Route("/forum/mentions", suggestions, name="forum:mentions"),
]
