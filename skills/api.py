"""The skills part's JSON API: the vocabulary, and keeping it."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from skills import services
from skills.forms import SkillCreate, SkillLabels
from skills.models import Skill
from tierslieu.guards import current_user, path_text
from tierslieu.openapi import api
from tierslieu.responses import JSONResponse, read_json


class SkillOut(BaseModel):
    slug: str
    label: str
    label_fr: str
    label_en: str
    retired: bool


class SkillsOut(BaseModel):
    items: list[SkillOut]


def skill_out(request: Request, skill: Skill) -> dict:
    label = skill.label_en if request.state.locale == "en" else skill.label_fr
    return SkillOut(
        slug=skill.slug, label=label, label_fr=skill.label_fr, label_en=skill.label_en, retired=skill.retired
    ).model_dump()


@api("/skills", "GET", summary="The skill vocabulary (retired skills last)", responses={200: SkillsOut})
async def list_skills(request: Request) -> Response:
    return JSONResponse({"items": [skill_out(request, skill) for skill in await services.every_skill()]})


@api(
    "/skills",
    "POST",
    summary="Add a skill to the vocabulary",
    access="coordinator",
    body=SkillCreate,
    responses={201: SkillOut},
    errors=(409,),
)
async def add_skill(request: Request) -> Response:
    user = current_user(request)
    skill = await services.add_skill(user, await read_json(request, SkillCreate))
    return JSONResponse(skill_out(request, skill), status_code=201)


@api(
    "/skills/{slug}",
    "PUT",
    summary="Rename a skill, or retire it (it is offered no more; what was stored with it keeps reading)",
    access="coordinator",
    body=SkillLabels,
    responses={200: SkillOut},
    errors=(404,),
)
async def change_skill(request: Request) -> Response:
    user = current_user(request)
    slug = path_text(request, "slug", max_length=40)
    skill = await services.change_skill(user, slug, await read_json(request, SkillLabels))
    return JSONResponse(skill_out(request, skill))


routes = [list_skills, add_skill, change_skill]
