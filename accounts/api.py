"""The accounts part of the JSON API (/api/v1/auth, /me, /admin)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from accounts import permissions, services, staff
from accounts.forms import RolesUpdate, SignUp, Suspension, TokenCreate, TwoFactorReset
from accounts.models import User
from tierslieu.errors import N_, Forbidden, NotFound
from tierslieu.guards import client_address, current_user, page_number
from tierslieu.openapi import api
from tierslieu.responses import JSONResponse, parse, read_json, rfc3339


class UserOut(BaseModel):
    id: int
    email: str
    display_name: str


class TokenOut(BaseModel):
    token: str


class MeOut(BaseModel):
    id: int
    email: str
    display_name: str
    roles: list[str]
    locale: str
    timezone: str
    calendar_url: str
    email_verified: bool


class RolesOut(BaseModel):
    id: int
    roles: list[str]


class PersonOut(BaseModel):
    id: int
    email: str
    display_name: str
    roles: list[str]
    suspended_at: datetime | None
    created_at: datetime


class TwoFactorOut(BaseModel):
    id: int
    two_factor_enabled: bool


class PeopleQuery(BaseModel):
    q: str = ""


class PeopleOut(BaseModel):
    items: list[PersonOut]
    page: int
    pages: int


def _person(user: User) -> dict:
    return PersonOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        roles=sorted(user.role_names),  # type: ignore[attr-defined]
        suspended_at=user.suspended_at,
        created_at=user.created_at,
    ).model_dump(mode="json")


@api("/auth/signup", "POST", summary="Create an account", body=SignUp, responses={201: UserOut}, errors=(409, 429))
async def signup(request: Request) -> Response:
    data = await read_json(request, SignUp)
    user = await services.sign_up(
        data, locale=request.state.locale, client_address=client_address(request), limiter=request.app.state.limiter
    )
    return JSONResponse(
        UserOut(id=user.id, email=user.email, display_name=user.display_name).model_dump(), status_code=201
    )


@api(
    "/auth/tokens",
    "POST",
    summary="Get a personal API token (counts as a login)",
    body=TokenCreate,
    responses={201: TokenOut},
    errors=(401, 403, 429),
)
async def create_token(request: Request) -> Response:
    """With two-step sign-in on, ``otp`` carries a code of the authenticator (or a recovery
    code): without it 401 ``otp_required``, wrong 401 ``bad_credentials``. Staff without a
    second factor get 403 ``two_factor_required``."""
    data = await read_json(request, TokenCreate)
    token = await services.issue_api_token(
        data.email,
        data.password,
        data.name,
        otp=data.otp,
        secret_key=request.app.state.settings.secret_key,
        client_address=client_address(request),
        limiter=request.app.state.limiter,
    )
    return JSONResponse({"token": token}, status_code=201)


@api(
    "/auth/tokens/current",
    "DELETE",
    summary="Revoke the token used for this request",
    access="signed in",
    responses={204: None},
)
async def revoke_current_token(request: Request) -> Response:
    user = current_user(request)
    token = request.state.api_token
    if token is None:
        raise NotFound("not_found", N_("This request was not made with an API token."))
    await services.revoke_api_token(user, token.id)
    return Response(status_code=204)


@api("/me", "GET", summary="The signed-in person", access="signed in", responses={200: MeOut})
async def me(request: Request) -> Response:
    user = current_user(request)
    settings = request.app.state.settings
    return JSONResponse(
        MeOut(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            roles=sorted(user.role_names),
            locale=user.locale,
            timezone=user.timezone,
            calendar_url=services.calendar_url(user, settings),
            email_verified=user.email_verified_at is not None,
        ).model_dump()
    )


@api("/me/export", "GET", summary="Everything the platform holds about me", access="signed in")
async def export(request: Request) -> Response:
    user = current_user(request)
    data = await services.export_personal_data(user)
    return JSONResponse(
        _json_ready(data),
        headers={"Content-Disposition": 'attachment; filename="tierslieu-my-data.json"', "Cache-Control": "no-store"},
    )


def _json_ready(value):
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(item) for item in value]
    if isinstance(value, datetime):
        return rfc3339(value)
    return value


@api(
    "/admin/users",
    "GET",
    summary="Search people",
    access="admin or coordinator",
    responses={200: PeopleOut},
    query={"q": "part of a name or address", "page": "page number"},
)
async def search_users(request: Request) -> Response:
    user = current_user(request)
    if not permissions.can_search_users(user):
        raise Forbidden("forbidden", N_("You may not do this."))
    query = parse(PeopleQuery, {"q": request.query_params.get("q", "")})
    page = page_number(request)
    people, pages = await staff.search_people(query.q[:100], page)
    return JSONResponse({"items": [_person(p) for p in people], "page": page, "pages": pages})


async def _target(request: Request) -> User:
    user = current_user(request)
    if not permissions.can_access_admin(user):
        raise Forbidden("forbidden", N_("You may not do this."))
    return await staff.get_person(request.path_params["user_id"])


@api(
    "/admin/users/{user_id:int}/roles",
    "POST",
    summary="Set a person's roles (the full set)",
    access="admin (coordinators: mentor, helper)",
    body=RolesUpdate,
    responses={200: RolesOut},
    errors=(404, 409),
)
async def set_roles(request: Request) -> Response:
    target = await _target(request)
    data = await read_json(request, RolesUpdate)
    roles = await staff.set_roles(request.state.user, target, set(data.roles), data.reason)
    return JSONResponse({"id": target.id, "roles": sorted(roles)})


@api(
    "/admin/users/{user_id:int}/suspend",
    "POST",
    summary="Suspend an account",
    access="admin",
    body=Suspension,
    responses={200: PersonOut},
    errors=(404,),
)
async def suspend(request: Request) -> Response:
    target = await _target(request)
    data = await read_json(request, Suspension)
    await staff.suspend(request.state.user, target, data.reason)
    return JSONResponse(_person(target))


@api(
    "/admin/users/{user_id:int}/restore",
    "POST",
    summary="Restore a suspended account",
    access="admin",
    body=Suspension,
    responses={200: PersonOut},
    errors=(404,),
)
async def restore(request: Request) -> Response:
    target = await _target(request)
    data = await read_json(request, Suspension)
    await staff.restore(request.state.user, target, data.reason)
    return JSONResponse(_person(target))


@api(
    "/admin/users/{user_id:int}/two-factor/reset",
    "POST",
    summary="Reset a person's second factor (lost device); logged and mailed to them",
    access="admin",
    body=TwoFactorReset,
    responses={200: TwoFactorOut},
    errors=(404,),
)
async def reset_two_factor(request: Request) -> Response:
    target = await _target(request)
    data = await read_json(request, TwoFactorReset)
    await staff.reset_two_factor(request.state.user, target, data.reason)
    return JSONResponse(TwoFactorOut(id=target.id, two_factor_enabled=False).model_dump())


routes = [
    signup,
    create_token,
    revoke_current_token,
    me,
    export,
    search_users,
    set_roles,
    suspend,
    restore,
    reset_two_factor,
]
