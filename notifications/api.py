"""The notifications part's JSON API."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from notifications import services
from tierslieu.guards import current_user
from tierslieu.openapi import api
from tierslieu.responses import JSONResponse


class UnreadOut(BaseModel):
    unread: int


@api(
    "/notifications/unread",
    "GET",
    summary="How many notifications I have not read, of every part",
    access="signed in",
    responses={200: UnreadOut},
)
async def unread(request: Request) -> Response:
    user = current_user(request)
    return JSONResponse(UnreadOut(unread=await services.unread_count(user)).model_dump())


routes = [unread]
