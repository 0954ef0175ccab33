"""Two-step sign-in pages: the code asked after the password, and the settings page
(enrol, recovery codes, turn off). The rules live in ``accounts.two_factor``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from accounts import permissions, services, two_factor
from accounts.forms import SecondStep, TwoFactorChange
from accounts.pages import sign_in
from tierslieu.errors import DomainError, Unauthorized
from tierslieu.guards import client_address, current_user, safe_next
from tierslieu.middleware import cookie_header
from tierslieu.pages import form_page, see_other
from tierslieu.responses import parse, read_form
from tierslieu.templating import render
from tierslieu.urls import path_for

PENDING_COOKIE = "tl_2fa"
SECRETS = ("password", "code")


def _pending_cookie(request: Request, value: str, max_age: int) -> str:
    return cookie_header(PENDING_COOKIE, value, max_age=max_age, secure=request.app.state.settings.production)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


async def ask_for_code(request: Request, user, target: str) -> Response:
    """After a right password for an account with a second factor: no session yet, only
    a short-lived pending sign-in (cookie ``tl_2fa``) that leads to the code form."""
    token = await two_factor.begin_pending_login(user, target)
    response = see_other(path_for("accounts:login_code"))
    response.headers.append("Set-Cookie", _pending_cookie(request, token, int(two_factor.PENDING_TTL.total_seconds())))
    return response


async def login_code(request: Request) -> Response:
    token = request.cookies.get(PENDING_COOKIE)
    if request.method == "GET":
        if await two_factor.pending_login(token) is None:
            return see_other(path_for("accounts:login"))
        return _no_store(form_page(request, "accounts/login_code.html"))
    values = await read_form(request)
    try:
        data = parse(SecondStep, values)
        pending = await two_factor.complete_pending_login(
            token,
            data.code,
            secret_key=request.app.state.settings.secret_key,
            client_address=client_address(request),
            limiter=request.app.state.limiter,
        )
    except Unauthorized as error:
        if error.code != "login_expired":
            return form_page(request, "accounts/login_code.html", error)
        response = form_page(request, "accounts/login.html", error, next="/")
        response.headers.append("Set-Cookie", _pending_cookie(request, "", 0))
        return response
    except DomainError as error:
        return form_page(request, "accounts/login_code.html", error)
    user = await services.load_roles(pending.user)
    response = await sign_in(request, user, safe_next(pending.next_url))
    response.headers.append("Set-Cookie", _pending_cookie(request, "", 0))
    return response


# --- my second factor ----------------------------------------------------------------------


async def _settings_page(
    request: Request, user, error: DomainError | None = None, next_url: str | None = None
) -> Response:
    factor = await two_factor.confirmed_factor(user)
    context = {
        "factor": factor,
        "is_staff": permissions.is_staff(user),
        "can_disable": permissions.can_disable_two_factor(user),
        "next": safe_next(next_url if next_url is not None else request.query_params.get("next"), ""),
    }
    if factor is None:
        secret = await two_factor.start_enrolment(user, request.app.state.settings.secret_key)
        uri = two_factor.provisioning_uri(secret, user.email)
        context.update(secret=two_factor.grouped(secret), otpauth_uri=uri, qr_code=two_factor.qr_code_data_uri(uri))
    else:
        context["codes_left"] = await two_factor.recovery_codes_left(user)
    return _no_store(form_page(request, "accounts/two_factor.html", error, **context))


def _codes_page(request: Request, codes: list[str], target: str) -> Response:
    return _no_store(render(request, "accounts/recovery_codes.html", {"codes": codes, "next": target}))


async def settings_page(request: Request) -> Response:
    return await _settings_page(request, current_user(request))


async def confirm(request: Request) -> Response:
    user = current_user(request)
    values = await read_form(request)
    next_value = values.get("next")
    target = safe_next(next_value if isinstance(next_value, str) else None, "")
    try:
        data = parse(SecondStep, values)
        codes = await two_factor.confirm_enrolment(user, data.code, secret_key=request.app.state.settings.secret_key)
    except DomainError as error:
        return await _settings_page(request, user, error, target)
    return _codes_page(request, codes, target)


async def _change(request: Request, action) -> tuple[object | None, Response | None]:
    """Read the password and a code, then run ``action``; its result, or the page shown
    again with the error."""
    user = current_user(request)
    values = await read_form(request)
    try:
        data = parse(TwoFactorChange, values)
        done = await action(
            user,
            data.password,
            data.code,
            secret_key=request.app.state.settings.secret_key,
            client_address=client_address(request),
            limiter=request.app.state.limiter,
        )
    except DomainError as error:
        return None, await _settings_page(request, user, error)
    return done, None


async def regenerate(request: Request) -> Response:
    codes, failed = await _change(request, two_factor.regenerate_recovery_codes)
    if failed is not None:
        return failed
    return _codes_page(request, codes, "")  # type: ignore[arg-type]


async def disable(request: Request) -> Response:
    _, failed = await _change(request, two_factor.disable)
    if failed is not None:
        return failed
    return see_other(path_for("accounts:me") + "?done=two_factor_off")


routes = [
    Route("/login/code", login_code, methods=["GET", "POST"], name="accounts:login_code"),
    Route(two_factor.ENROL_PATH, settings_page, name="accounts:two_factor"),
    Route(two_factor.ENROL_PATH + "/confirm", confirm, methods=["POST"], name="accounts:two_factor_confirm"),
    Route(
        two_factor.ENROL_PATH + "/recovery-codes",
        regenerate,
        methods=["POST"],
        name="accounts:two_factor_recovery_codes",
    ),
    Route(two_factor.ENROL_PATH + "/disable", disable, methods=["POST"], name="accounts:two_factor_disable"),
]
