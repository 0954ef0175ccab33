"""The badges part of the JSON API (/api/v1/badges): creating classes, awarding, and the Open
Badges 2.0 documents of hosted verification (public, ``application/ld+json``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from badges import services
from badges.forms import AwardCreate, ClassCreate, ClassCreateJSON
from tierslieu.guards import current_user
from tierslieu.openapi import api
from tierslieu.responses import JSONResponse, read_json
from tierslieu.urls import path_for

LD_JSON = "application/ld+json"


class ClassCreated(BaseModel):
    id: int
    url: str


class AwardCreated(BaseModel):
    id: int
    assertion_url: str


def _ld(document: dict[str, Any], status_code: int = 200) -> Response:
    response = JSONResponse(document, status_code=status_code, media_type=LD_JSON)
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers read it from other sites
    response.headers["Cache-Control"] = "no-cache"
    return response


@api(
    "/badges/classes",
    "POST",
    summary="Create a badge class (an image is drawn from the name when none is given)",
    access="facilitator or coordinator",
    body=ClassCreateJSON,
    responses={201: ClassCreated},
    errors=(401, 403, 422),
)
async def create_class(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, ClassCreateJSON)
    badge_class = await services.create_class(
        user,
        ClassCreate(
            name=data.name, description=data.description, criteria=data.criteria, skills=data.skills, image=data.image
        ),
    )
    url = request.app.state.settings.base_url + path_for("badges:class", badge_class_id=badge_class.id)
    return JSONResponse({"id": badge_class.id, "url": url}, status_code=201)


@api(
    "/badges/classes/{badge_class_id:int}/awards",
    "POST",
    summary="Award a badge to a person, with evidence",
    access="the class's creator, a facilitator of a linked event, a coordinator, a mentor of the mentee",
    body=AwardCreate,
    responses={201: AwardCreated},
    errors=(401, 403, 404, 409, 422),
)
async def award(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, AwardCreate)
    created = await services.award_badge(user, request.path_params["badge_class_id"], data)
    return JSONResponse({"id": created.id, "assertion_url": services.assertion_url(created.id)}, status_code=201)


@api(
    "/badges/assertions/{award_id:int}",
    "GET",
    summary="An Open Badges 2.0 assertion (JSON-LD); a revoked one answers 410 with the reason",
    errors=(404, 410),
    name="badges:api:assertion",
)
async def assertion(request: Request) -> Response:
    award, _ = await services.get_award(request.path_params["award_id"])
    if award.revoked_at is not None:
        return _ld(services.revoked_document(award), status_code=410)
    return _ld(await services.assertion_document(award))


@api(
    "/badges/classes/{badge_class_id:int}",
    "GET",
    summary="An Open Badges 2.0 BadgeClass (JSON-LD)",
    errors=(404,),
    name="badges:api:class_document",
)
async def class_document(request: Request) -> Response:
    badge_class = await services.get_class(request.path_params["badge_class_id"])
    return _ld(await services.class_document(badge_class))


@api(
    "/badges/issuer",
    "GET",
    summary="The space's Open Badges 2.0 issuer profile (JSON-LD)",
    name="badges:api:issuer_document",
)
async def issuer_document(request: Request) -> Response:
    return _ld(await services.issuer_document())


routes = [create_class, award, assertion, class_document, issuer_document]
