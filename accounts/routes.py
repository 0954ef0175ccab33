"""Account pages: sign-up, sign-in, links from mails, profile and personal data."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from accounts import admin_routes, api, services, two_factor, two_factor_routes
from accounts.forms import (
    AccountDeletion,
    ApiTokenName,
    Credentials,
    EmailChange,
    PasswordChange,
    PasswordReset,
    Profile,
    ResetRequest,
    SignUp,
)
from accounts.models import Motivation
from accounts.pages import set_session_cookie, sign_in
from tierslieu import i18n, mail, parts
from tierslieu.errors import N_, DomainError, Invalid, TooManyRequests
from tierslieu.guards import client_address, current_user, safe_next
from tierslieu.middleware import LOCALE_COOKIE, SESSION_COOKIE, cookie_header
from tierslieu.pages import form_page, see_other
from tierslieu.responses import parse, read_form
from tierslieu.templating import render
from tierslieu.urls import path_for

# --- sign-up, sign-in, sign-out ------------------------------------------------------------


async def signup(request: Request) -> Response:
    if request.method == "GET":
        return form_page(request, "accounts/signup.html")
    values = await read_form(request)
    try:
        data = parse(SignUp, values)
        user = await services.sign_up(
            data, locale=request.state.locale, client_address=client_address(request), limiter=request.app.state.limiter
        )
    except DomainError as error:
        values.pop("password", None)
        return form_page(request, "accounts/signup.html", error, values)
    return await sign_in(request, user, path_for("accounts:me") + "?welcome=1")


async def login(request: Request) -> Response:
    target = safe_next(request.query_params.get("next"), "/")
    if request.method == "GET":
        if request.state.user is not None:
            return see_other(target)
        return form_page(request, "accounts/login.html", next=target)
    values = await read_form(request)
    target = safe_next(values.get("next") if isinstance(values.get("next"), str) else None, "/")
    try:
        data = parse(Credentials, values)
        user = await services.authenticate(
            data.email, data.password, client_address=client_address(request), limiter=request.app.state.limiter
        )
    except DomainError as error:
        return form_page(request, "accounts/login.html", error, {"email": values.get("email", "")}, next=target)
    if await two_factor.has_two_factor(user.id):
        return await two_factor_routes.ask_for_code(request, user, target)
    return await sign_in(request, user, target)


async def logout(request: Request) -> Response:
    if request.state.session is not None:
        await services.end_session(request.state.session.id, request.state.session.user_id)
    response = see_other("/")
    response.headers.append(
        "Set-Cookie", cookie_header(SESSION_COOKIE, "", max_age=0, secure=request.app.state.settings.production)
    )
    return response


async def set_language(request: Request) -> Response:
    """The language switch: a link per language, remembered in a cookie."""
    locale = request.path_params["locale"]
    response = see_other(safe_next(request.query_params.get("next")))
    if locale in i18n.LOCALES:
        response.headers.append(
            "Set-Cookie",
            cookie_header(LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, secure=request.app.state.settings.production),
        )
    return response


# --- links from mails: address verification, password reset, new address ------------------


async def _confirm_link(request: Request, route: str, purpose: str, use, done: str) -> Response:
    """A link from a mail: GET shows the button that confirms, POST ``use``s the token once
    and says ``done`` (or shows the form again with the error)."""
    if request.method == "GET":
        token = request.query_params.get("token", "")
        return form_page(request, "accounts/confirm_link.html", token=token, action=path_for(route), purpose=purpose)
    values = await read_form(request)
    try:
        await use(str(values.get("token", "")))
    except DomainError as error:
        return form_page(request, "accounts/confirm_link.html", error, token="", action="", purpose=purpose)
    return render(request, "accounts/done.html", {"purpose": done})


async def verify_email(request: Request) -> Response:
    return await _confirm_link(request, "accounts:verify_email", "verify", services.verify_email, "verified")


async def resend_verification(request: Request) -> Response:
    user = current_user(request)
    if user.email_verified_at is None:
        await services.send_verification(user)
    return see_other(path_for("accounts:me") + "?sent=verification")


async def confirm_email_change(request: Request) -> Response:
    return await _confirm_link(
        request, "accounts:confirm_email", "email", services.confirm_email_change, "email_changed"
    )


async def forgot_password(request: Request) -> Response:
    if request.method == "GET":
        return form_page(request, "accounts/forgot.html")
    values = await read_form(request)
    try:
        data = parse(ResetRequest, values)
        await services.request_password_reset(
            data.email, client_address=client_address(request), limiter=request.app.state.limiter
        )
    except (Invalid, TooManyRequests) as error:
        return form_page(request, "accounts/forgot.html", error, {"email": values.get("email", "")})
    return render(request, "accounts/done.html", {"purpose": "reset_sent"})


async def reset_password(request: Request) -> Response:
    token = request.query_params.get("token", "")
    if request.method == "GET":
        return form_page(request, "accounts/reset.html", values={"token": token})
    values = await read_form(request)
    try:
        data = parse(PasswordReset, values)
        await services.reset_password(data.token, data.new_password)
    except Invalid as error:
        return form_page(request, "accounts/reset.html", error, {"token": values.get("token", "")})
    return render(request, "accounts/done.html", {"purpose": "password_reset"})


# --- my profile ---------------------------------------------------------------------------


async def _me_context(request: Request, user) -> dict[str, Any]:
    settings = request.app.state.settings
    return {
        "profile": user,
        "motivations": list(Motivation),
        "timezones": sorted(i18n.timezone_names()),
        "sessions": await services.list_sessions(user),
        "current_session_id": request.state.session.id if request.state.session else None,
        "api_tokens": await services.list_api_tokens(user),
        "two_factor": await two_factor.confirmed_factor(user),
        "calendar_url": services.calendar_url(user, settings),
        "mail_kinds": mail.kinds(),
        "mail_preference": lambda kind: mail.preference(user, kind),
        "notice": request.query_params.get("sent")
        or request.query_params.get("done")
        or ("welcome" if "welcome" in request.query_params else None),
    }


async def me(request: Request) -> Response:
    user = current_user(request)
    return form_page(request, "accounts/me.html", values={}, **await _me_context(request, user))


async def _me_form(request: Request, handle) -> Response:
    user = current_user(request)
    values = await read_form(request)
    try:
        done = await handle(user, values)
    except DomainError as error:
        for secret in ("password", "current_password", "new_password"):
            values.pop(secret, None)
        return form_page(request, "accounts/me.html", error, values, **await _me_context(request, user))
    if isinstance(done, Response):
        return done
    return see_other(path_for("accounts:me") + f"?done={done}")


async def update_profile(request: Request) -> Response:
    async def handle(user, values):
        data = parse(Profile, {**values, "motivation": values.get("motivation") or None})
        await services.update_profile(user, data)
        return "profile"

    response = await _me_form(request, handle)
    if response.status_code == 303 and request.state.user is not None:
        # the profile's language wins over an earlier choice in the switch
        response.headers.append(
            "Set-Cookie",
            cookie_header(
                LOCALE_COOKIE,
                request.state.user.locale,
                max_age=365 * 24 * 3600,
                secure=request.app.state.settings.production,
            ),
        )
    return response


async def change_password(request: Request) -> Response:
    async def handle(user, values):
        data = parse(PasswordChange, values)
        token = await services.change_password(
            user,
            data.current_password,
            data.new_password,
            session=request.state.session,
            settings=request.app.state.settings,
            limiter=request.app.state.limiter,
        )
        response = see_other(path_for("accounts:me") + "?done=password")
        if token is not None:
            set_session_cookie(response, request, token)  # the same session, under a new id
        return response

    return await _me_form(request, handle)


async def change_email(request: Request) -> Response:
    async def handle(user, values):
        data = parse(EmailChange, values)
        await services.request_email_change(user, data.password, data.new_email, limiter=request.app.state.limiter)
        return "email"

    return await _me_form(request, handle)


async def mail_preferences(request: Request) -> Response:
    async def handle(user, values):
        for kind in mail.kinds():
            if kind.name in values:
                await services.set_mail_preference(user, kind.name, str(values[kind.name]))
        return "mail"

    return await _me_form(request, handle)


async def logout_everywhere(request: Request) -> Response:
    user = current_user(request)
    await services.revoke_access(user, rotate_calendar=True)
    response = see_other("/login")
    response.headers.append(
        "Set-Cookie", cookie_header(SESSION_COOKIE, "", max_age=0, secure=request.app.state.settings.production)
    )
    return response


async def create_api_token(request: Request) -> Response:
    async def handle(user, values):
        data = parse(ApiTokenName, values)
        token, plain = await services.create_api_token(user, data.name)
        response = render(request, "accounts/token_created.html", {"token": token, "plain": plain})
        response.headers["Cache-Control"] = "no-store"
        return response

    return await _me_form(request, handle)


async def revoke_api_token(request: Request) -> Response:
    async def handle(user, values):
        await services.revoke_api_token(user, request.path_params["token_id"])
        return "token_revoked"

    return await _me_form(request, handle)


async def revoke_calendar(request: Request) -> Response:
    async def handle(user, values):
        await services.revoke_calendar_token(user)
        return "calendar"

    return await _me_form(request, handle)


async def delete_account(request: Request) -> Response:
    user = current_user(request)
    choices = [contributor.choice for contributor in parts.installed().personal_data() if contributor.choice]
    if request.method == "GET":
        return form_page(request, "accounts/delete.html", choices=choices)
    values = await read_form(request)
    try:
        data = parse(AccountDeletion, {**values, "confirm": values.get("confirm") == "yes"})
        answers = services.deletion_answers(values)
        if not data.confirm:
            raise Invalid(
                "invalid", N_("Some fields are missing or invalid."), fields={"confirm": N_("Tick the box to confirm.")}
            )
        await services.delete_account(user, data.password, limiter=request.app.state.limiter, answers=answers)
    except DomainError as error:
        return form_page(request, "accounts/delete.html", error, values, choices=choices)
    response = render(request, "accounts/done.html", {"purpose": "deleted"})
    response.headers.append(
        "Set-Cookie", cookie_header(SESSION_COOKIE, "", max_age=0, secure=request.app.state.settings.production)
    )
    return response


routes = [
    Route("/signup", signup, methods=["GET", "POST"], name="accounts:signup"),
    Route("/login", login, methods=["GET", "POST"], name="accounts:login"),
    Route("/logout", logout, methods=["POST"], name="accounts:logout"),
    Route("/lang/{locale}", set_language, name="accounts:language"),
    Route("/verify-email", verify_email, methods=["GET", "POST"], name="accounts:verify_email"),
    Route("/email/confirm", confirm_email_change, methods=["GET", "POST"], name="accounts:confirm_email"),
    Route("/password/forgot", forgot_password, methods=["GET", "POST"], name="accounts:forgot"),
    Route("/password/reset", reset_password, methods=["GET", "POST"], name="accounts:reset"),
    Route("/me", me, name="accounts:me"),
    Route("/me/profile", update_profile, methods=["POST"], name="accounts:profile"),
    Route("/me/password", change_password, methods=["POST"], name="accounts:password"),
    Route("/me/email", change_email, methods=["POST"], name="accounts:email"),
    Route("/me/verification", resend_verification, methods=["POST"], name="accounts:resend_verification"),
    Route("/me/mail", mail_preferences, methods=["POST"], name="accounts:mail_preferences"),
    Route("/me/sessions/end-all", logout_everywhere, methods=["POST"], name="accounts:logout_everywhere"),
    Route("/me/tokens", create_api_token, methods=["POST"], name="accounts:create_token"),
    Route("/me/tokens/{token_id:int}/revoke", revoke_api_token, methods=["POST"], name="accounts:revoke_token"),
    Route("/me/calendar/revoke", revoke_calendar, methods=["POST"], name="accounts:revoke_calendar"),
    Route("/me/delete", delete_account, methods=["GET", "POST"], name="accounts:delete"),
    *two_factor_routes.routes,
    *admin_routes.routes,
]
api_routes = api.routes
