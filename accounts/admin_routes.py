"""Admin pages for people: search, roles, suspension, second-factor reset, audit log."""

from __future__ import annotations

from babel.numbers import format_decimal
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from accounts import permissions, staff, two_factor
from accounts.forms import RolesUpdate, Suspension, TwoFactorReset
from accounts.models import Role
from tierslieu import parts
from tierslieu.errors import N_, DomainError, Forbidden
from tierslieu.guards import current_user, page_number, text_param
from tierslieu.pages import form_error, see_other
from tierslieu.responses import parse, read_form
from tierslieu.templating import render
from tierslieu.urls import path_for


def _staff(request: Request):
    user = current_user(request)
    if not permissions.can_access_admin(user):
        raise Forbidden("forbidden", N_("This page is for admins and coordinators."))
    return user


async def index(request: Request) -> Response:
    _staff(request)
    query = text_param(request, "q", max_length=100)
    people, pages = await staff.search_people(query, page_number(request))
    return render(
        request,
        "admin/index.html",
        {
            "people": people,
            "query": query,
            "page": page_number(request),
            "pages": pages,
            "figures": await installed_figures(request.state.locale),
        },
    )


async def installed_figures(locale: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each installed part's evaluation figures (label, value written the way ``locale``
    writes numbers) under the part's name, in the parts' order; a part with none is left out."""
    shown = []
    for part in parts.installed().parts:
        figures = await part.figures() if part.figures is not None else []
        if figures:
            shown.append(
                (part.name, [(figure.label, format_decimal(figure.value, locale=locale)) for figure in figures])
            )
    return shown


async def _person_page(request: Request, person, error: DomainError | None = None) -> Response:
    user = request.state.user
    entries, _ = await staff.audit_log(1, target=person)
    return render(
        request,
        "admin/person.html",
        {
            "person": person,
            "all_roles": [role for role in Role if role != Role.MEMBER],
            "grantable": permissions.grantable_roles(user),
            "can_suspend": permissions.can_suspend_user(user, person),
            "can_reset_two_factor": permissions.can_reset_two_factor(user, person),
            "has_two_factor": await two_factor.has_two_factor(person.id),
            "entries": entries,
            **(form_error(request, error) if error else {"errors": {}, "error": None}),
        },
        status_code=error.status if error else 200,
    )


async def person(request: Request) -> Response:
    _staff(request)
    return await _person_page(request, await staff.get_person(request.path_params["user_id"]))


async def _act(request: Request, action) -> Response:
    user = _staff(request)
    target = await staff.get_person(request.path_params["user_id"])
    values = await read_form(request)
    try:
        await action(user, target, values)
    except DomainError as error:
        return await _person_page(request, target, error)
    return see_other(path_for("admin:person", user_id=target.id) + "?done=1")


async def set_roles(request: Request) -> Response:
    async def action(user, target, values):
        roles = values.get("roles", [])
        data = parse(
            RolesUpdate, {"roles": roles if isinstance(roles, list) else [roles], "reason": values.get("reason", "")}
        )
        await staff.set_roles(user, target, set(data.roles), data.reason)

    return await _act(request, action)


async def suspend(request: Request) -> Response:
    async def action(user, target, values):
        await staff.suspend(user, target, parse(Suspension, values).reason)

    return await _act(request, action)


async def restore(request: Request) -> Response:
    async def action(user, target, values):
        await staff.restore(user, target, parse(Suspension, values).reason)

    return await _act(request, action)


async def reset_two_factor(request: Request) -> Response:
    async def action(user, target, values):
        await staff.reset_two_factor(user, target, parse(TwoFactorReset, values).reason)

    return await _act(request, action)


async def audit(request: Request) -> Response:
    user = _staff(request)
    if not permissions.can_view_audit_log(user):
        raise Forbidden("forbidden", N_("You may not do this."))
    entries, pages = await staff.audit_log(page_number(request))
    return render(request, "admin/audit.html", {"entries": entries, "page": page_number(request), "pages": pages})


routes = [
    Route("/admin", index, name="admin:index"),
    Route("/admin/users/{user_id:int}", person, name="admin:person"),
    Route("/admin/users/{user_id:int}/roles", set_roles, methods=["POST"], name="admin:roles"),
    Route("/admin/users/{user_id:int}/suspend", suspend, methods=["POST"], name="admin:suspend"),
    Route("/admin/users/{user_id:int}/restore", restore, methods=["POST"], name="admin:restore"),
    Route(
        "/admin/users/{user_id:int}/two-factor/reset", reset_two_factor, methods=["POST"], name="admin:two_factor_reset"
    ),
    Route("/admin/audit", audit, name="admin:audit"),
]
