"""Admin pages for people: search, roles, suspension, second-factor reset, audit log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from accounts import dashboard as dashboard_figures
from accounts import permissions, staff, two_factor
from accounts.forms import RolesUpdate, Suspension, TwoFactorReset
from accounts.models import Role
from tierslieu.errors import N_, DomainError, Forbidden
from tierslieu.guards import current_user, page_number, text_param
from tierslieu.pages import form_error, form_page, see_other
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
        },
    )


async def dashboard(request: Request) -> Response:
    """The evaluation dashboard over the period asked for in the query string (the last 90
    days by default); a bad period shows the form again with its message (422)."""
    user = _staff(request)
    locale = request.state.locale
    values = {name: text_param(request, name, max_length=20) for name in ("from", "to")}
    try:
        choice = dashboard_figures.choose_period(values, user.timezone)
    except DomainError as error:
        return form_page(request, "admin/dashboard.html", error, values, parts=[])
    shown = [
        (
            name,
            [(figure.label, dashboard_figures.number(figure.value, locale)) for figure in figures.figures],
            [
                (
                    chart,
                    dashboard_figures.draw(chart, locale),
                    [(label, [dashboard_figures.number(value, locale) for value in row]) for label, row in chart.rows],
                )
                for chart in figures.charts
            ],
        )
        for name, figures in await dashboard_figures.gather(choice.period, locale)
    ]
    return form_page(
        request,
        "admin/dashboard.html",
        values={"from": choice.first.isoformat(), "to": choice.last.isoformat()},
        parts=shown,
    )


async def research_export(request: Request) -> Response:
    """The pseudonymised CSV file of the period in the form, keyed per export unless the
    stable key is asked for."""
    user = _staff(request)
    values = await read_form(request)
    period_values = {name: str(values.get(name) or "")[:20] for name in ("from", "to")}
    try:
        choice = dashboard_figures.choose_period(period_values, user.timezone)
    except DomainError as error:
        return form_page(request, "admin/dashboard.html", error, period_values, parts=[])
    key = dashboard_figures.export_key(request.app.state.settings.secret_key, stable=values.get("stable") == "1")
    text = dashboard_figures.research_csv(await dashboard_figures.research_records(choice.period), key)
    name = f"tierslieu-{choice.first.isoformat()}-{choice.last.isoformat()}.csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


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
    Route("/admin/dashboard", dashboard, name="admin:dashboard"),
    Route("/admin/dashboard/research.csv", research_export, methods=["POST"], name="admin:research_export"),
]
