"""The coordinators' page of the skill vocabulary: the list, adding a skill, changing one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from skills import permissions, services
from skills.forms import SkillCreate, SkillLabels
from tierslieu.errors import N_, DomainError, Forbidden
from tierslieu.guards import current_user, path_text
from tierslieu.pages import form_page, see_other
from tierslieu.responses import parse, read_form
from tierslieu.urls import path_for


def _manager(request: Request) -> object:
    user = current_user(request)
    if not permissions.can_manage_skills(user):
        raise Forbidden("forbidden", N_("Only coordinators keep the skill vocabulary."))
    return user


def _values(form: dict) -> dict:
    """The submitted fields as text (a field sent twice keeps its first value); the
    checkbox ``retired`` as a boolean."""
    values = {key: value[0] if isinstance(value, list) else value for key, value in form.items()}
    values = {key: value for key, value in values.items() if isinstance(value, str)}
    values["retired"] = "retired" in values
    return values


async def listing(request: Request) -> Response:
    user = _manager(request)
    template = "skills/list.html"
    context = {"skills": await services.every_skill()}
    if request.method == "GET":
        return form_page(request, template, **context)
    values = _values(await read_form(request))
    try:
        await services.add_skill(user, parse(SkillCreate, values))
    except DomainError as error:
        return form_page(request, template, error, values, **context)
    return see_other(path_for("skills:list") + "#skills")


async def edit(request: Request) -> Response:
    user = _manager(request)
    slug = path_text(request, "slug", max_length=40)
    skill = await services.get_skill(slug)
    template = "skills/edit.html"
    if request.method == "GET":
        values = {"label_fr": skill.label_fr, "label_en": skill.label_en, "retired": skill.retired}
        return form_page(request, template, values=values, skill=skill)
    values = _values(await read_form(request))
    try:
        await services.change_skill(user, slug, parse(SkillLabels, values))
    except DomainError as error:
        return form_page(request, template, error, values, skill=skill)
    return see_other(path_for("skills:list") + "#skills")


routes = [
    Route("/skills", listing, methods=["GET", "POST"], name="skills:list"),
    Route("/skills/{slug}", edit, methods=["GET", "POST"], name="skills:edit"),
]
