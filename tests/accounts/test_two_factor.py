"""Two-step sign-in: enrolment, codes at login and for API tokens, recovery codes, staff
who must enrol, admin reset, createadmin --totp-secret."""

from __future__ import annotations

import asyncio
import base64
import re
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from accounts import staff, two_factor
from accounts.models import ApiToken, AuditEntry, PendingLogin, RecoveryCode, Role, Session, TwoFactor, User
from tests.conftest import SECRET_KEY
from tests.helpers import PASSWORD, api_token, csrf_token, fresh_code, login, make_user, post_form
from tierslieu.errors import Invalid
from tierslieu.models import OutboxMail


def step_start(offset_seconds: int = 10) -> datetime:
    """An instant ``offset_seconds`` into the current 30-second step."""
    return datetime.fromtimestamp((int(time.time()) // 30) * 30 + offset_seconds, UTC)


def totp_of(user: User) -> pyotp.TOTP:
    return pyotp.TOTP(user.totp_secret)  # type: ignore[attr-defined]


async def start_login(client, email: str, next_url: str = "/"):
    return await post_form(client, "/login", {"email": email, "password": PASSWORD, "next": next_url})


async def send_code(client, code: str):
    return await post_form(client, "/login/code", {"code": code}, from_page="/login/code")


def secret_on(page) -> str:
    match = re.search(r'<input id="secret"[^>]* value="([A-Z2-7 ]+)"', page.text)
    assert match, "the key is shown in text"
    return match.group(1).replace(" ", "")


def has_action(page, path: str) -> bool:
    return re.search(rf'action="(http://testserver)?{re.escape(path)}"', page.text) is not None


async def mails_to(user: User) -> list[OutboxMail]:
    return await OutboxMail.filter(to_address=user.email).order_by("id")


async def recovery_codes_for(user: User) -> list[str]:
    """Enrol through the services and return the ten recovery codes."""
    secret = await two_factor.start_enrolment(user, SECRET_KEY)
    codes = await two_factor.confirm_enrolment(user, pyotp.TOTP(secret).now(), secret_key=SECRET_KEY)
    user.totp_secret = secret  # type: ignore[attr-defined]
    return codes


# --- enrolment -------------------------------------------------------------------------------


async def test_enrolment_shows_a_qr_code_then_recovery_codes_once(client):
    user = await make_user()
    await login(client, user.email)
    profile = await client.get("/me")
    assert re.search(r'href="(http://testserver)?/me/two-factor"', profile.text)
    page = await client.get("/me/two-factor")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    qr = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"', page.text)
    assert qr, "the QR code is an inline SVG"
    assert b"<svg" in base64.b64decode(qr.group(1))
    secret = secret_on(page)
    assert len(secret) == 32
    assert "otpauth://totp/" in page.text
    again = await client.get("/me/two-factor")
    assert secret_on(again) == secret  # reloading keeps the secret

    stored = await TwoFactor.get(user_id=user.id)
    assert stored.confirmed_at is None
    assert secret not in stored.secret  # encrypted at rest
    assert two_factor.decrypt_secret(SECRET_KEY, stored.secret) == secret

    wrong = await post_form(client, "/me/two-factor/confirm", {"code": "000000"}, from_page="/me/two-factor")
    assert wrong.status_code == 422
    assert not await two_factor.has_two_factor(user.id)

    done = await post_form(
        client, "/me/two-factor/confirm", {"code": pyotp.TOTP(secret).now()}, from_page="/me/two-factor"
    )
    assert done.status_code == 200
    assert done.headers["cache-control"] == "no-store"
    codes = re.findall(r"<code>([a-z0-9-]+)</code>", done.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert await two_factor.has_two_factor(user.id)
    hashes = set(await RecoveryCode.filter(user_id=user.id).values_list("code_hash", flat=True))
    assert len(hashes) == 10 and not hashes & set(codes)  # stored hashed
    assert len(await mails_to(user)) == 1  # "two-step sign-in is on"

    status = await client.get("/me/two-factor")
    assert not re.findall(r"<code>", status.text)  # shown once only
    assert has_action(status, "/me/two-factor/recovery-codes")


async def test_enrolment_codes_are_checked_with_the_unconfirmed_secret(app):
    user = await make_user()
    secret = await two_factor.start_enrolment(user, SECRET_KEY)
    with pytest.raises(Invalid):
        await two_factor.confirm_enrolment(
            user, "123456" if pyotp.TOTP(secret).now() != "123456" else "654321", secret_key=SECRET_KEY
        )
    codes = await two_factor.confirm_enrolment(user, pyotp.TOTP(secret).now(), secret_key=SECRET_KEY)
    assert len(codes) == 10
    # the code that confirmed enrolment cannot sign in afterwards
    assert not await two_factor.verify_code(user, pyotp.TOTP(secret).now(), secret_key=SECRET_KEY)


# --- signing in ------------------------------------------------------------------------------


async def test_login_asks_for_the_code_in_a_pending_state_that_is_not_a_session(client):
    user = await make_user(two_factor=True)
    response = await start_login(client, user.email, "/me")
    assert response.status_code == 303
    assert response.headers["location"] == "/login/code"
    cookies = response.headers.get_list("set-cookie")
    assert not any(cookie.startswith("tl_session=") for cookie in cookies)
    pending_cookie = next(cookie for cookie in cookies if cookie.startswith("tl_2fa="))
    assert "HttpOnly" in pending_cookie and "SameSite=Lax" in pending_cookie and "Max-Age=300" in pending_cookie
    assert await Session.filter(user_id=user.id).count() == 0
    pending = await PendingLogin.get(user_id=user.id)
    assert timedelta(minutes=4) < pending.expires_at - pending.created_at <= timedelta(minutes=5)
    assert client.cookies["tl_2fa"] != pending.id  # the table keeps a hash

    # the pending state opens nothing but the code form
    assert (await client.get("/me")).status_code == 303
    assert (await client.get("/api/v1/me")).status_code == 401
    form = await client.get("/login/code")
    assert form.status_code == 200 and 'autocomplete="one-time-code"' in form.text

    wrong = await send_code(client, "000000" if totp_of(user).now() != "000000" else "111111")
    assert wrong.status_code == 401
    assert await Session.filter(user_id=user.id).count() == 0
    right = await send_code(client, totp_of(user).now())
    assert right.status_code == 303 and right.headers["location"] == "/me"
    assert any(c.startswith("tl_2fa=") and "Max-Age=0" in c for c in right.headers.get_list("set-cookie"))
    assert await Session.filter(user_id=user.id).count() == 1
    assert await PendingLogin.filter(user_id=user.id).count() == 0
    assert (await client.get("/me")).status_code == 200


async def test_code_page_without_a_pending_login_goes_back_to_the_login_page(client):
    response = await client.get("/login/code")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    token = await csrf_token(client, "/login")
    posted = await client.post("/login/code", data={"csrf_token": token, "code": "123456"})
    assert posted.status_code == 401


async def test_an_expired_pending_login_is_refused(client):
    user = await make_user(two_factor=True)
    await start_login(client, user.email)
    token = await csrf_token(client, "/login/code")
    await PendingLogin.filter(user_id=user.id).update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert (await client.get("/login/code")).status_code == 303
    response = await client.post("/login/code", data={"csrf_token": token, "code": totp_of(user).now()})
    assert response.status_code == 401
    assert await Session.filter(user_id=user.id).count() == 0


async def test_a_code_is_accepted_once(client, other_client):
    user = await make_user(two_factor=True)
    code = totp_of(user).now()
    await start_login(client, user.email)
    assert (await send_code(client, code)).status_code == 303
    await start_login(other_client, user.email)
    replay = await send_code(other_client, code)
    assert replay.status_code == 401
    assert await Session.filter(user_id=user.id).count() == 1


async def test_codes_of_an_earlier_step_are_refused_after_a_later_one(app):
    user = await make_user(two_factor=True)
    moment = step_start()
    totp = totp_of(user)
    assert await two_factor.verify_code(user, totp.at(moment), secret_key=SECRET_KEY, now=moment)
    assert not await two_factor.verify_code(user, totp.at(moment), secret_key=SECRET_KEY, now=moment)
    earlier = moment - timedelta(seconds=30)
    assert not await two_factor.verify_code(user, totp.at(earlier), secret_key=SECRET_KEY, now=moment)


@pytest.mark.parametrize("skew", [-30, 30])
async def test_clock_skew_of_30_seconds_is_accepted(app, skew):
    user = await make_user(two_factor=True)
    moment = step_start()
    code = totp_of(user).at(moment + timedelta(seconds=skew))
    assert await two_factor.verify_code(user, code, secret_key=SECRET_KEY, now=moment)


@pytest.mark.parametrize("skew", [-90, 90])
async def test_clock_skew_of_90_seconds_is_refused(app, skew):
    user = await make_user(two_factor=True)
    moment = step_start()
    code = totp_of(user).at(moment + timedelta(seconds=skew))
    assert code != totp_of(user).at(moment)
    assert not await two_factor.verify_code(user, code, secret_key=SECRET_KEY, now=moment)
    # the refusal did not use anything up: the current code still works
    assert await two_factor.verify_code(user, totp_of(user).at(moment), secret_key=SECRET_KEY, now=moment)


async def test_two_requests_with_one_code_at_the_same_time_get_one_token(client):
    user = await make_user(two_factor=True)
    code = totp_of(user).now()
    body = {"email": user.email, "password": PASSWORD, "otp": code}
    responses = await asyncio.gather(*(client.post("/api/v1/auth/tokens", json=body) for _ in range(6)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201, 401, 401, 401, 401, 401]
    assert await ApiToken.filter(user_id=user.id).count() == 1


# --- recovery codes ----------------------------------------------------------------------------


async def test_recovery_codes_work_once_and_each_use_is_mailed(client, other_client, app):
    user = await make_user()
    codes = await recovery_codes_for(user)
    before = len(await mails_to(user))
    await start_login(client, user.email, "/me")
    response = await send_code(client, "  " + codes[0].upper() + " ")
    assert response.status_code == 303 and response.headers["location"] == "/me"
    mails = await mails_to(user)
    assert len(mails) == before + 1
    assert mails[-1].kind == "security" and "9" in mails[-1].body_text
    assert await RecoveryCode.filter(user_id=user.id, used_at__isnull=False).count() == 1

    await start_login(other_client, user.email)
    again = await send_code(other_client, codes[0])
    assert again.status_code == 401
    assert len(await mails_to(user)) == before + 1
    assert (await send_code(other_client, codes[1])).status_code == 303


async def test_regenerating_recovery_codes_needs_password_and_code(client, app):
    user = await make_user()
    old = await recovery_codes_for(user)
    await login(client, user.email)
    no_password = await post_form(
        client,
        "/me/two-factor/recovery-codes",
        {"password": "not my password", "code": await fresh_code(user.email)},
        from_page="/me/two-factor",
    )
    assert no_password.status_code == 422
    response = await post_form(
        client,
        "/me/two-factor/recovery-codes",
        {"password": PASSWORD, "code": await fresh_code(user.email)},
        from_page="/me/two-factor",
    )
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    new = re.findall(r"<code>([a-z0-9-]+)</code>", response.text)
    assert len(new) == 10 and not set(new) & set(old)
    assert not await two_factor.use_recovery_code(user, old[0])
    assert await two_factor.use_recovery_code(user, new[0])


async def test_members_may_turn_it_off_with_password_and_code(client):
    user = await make_user(two_factor=True)
    await login(client, user.email)
    wrong = await post_form(
        client, "/me/two-factor/disable", {"password": PASSWORD, "code": "12"}, from_page="/me/two-factor"
    )
    assert wrong.status_code == 422
    assert await two_factor.has_two_factor(user.id)
    response = await post_form(
        client,
        "/me/two-factor/disable",
        {"password": PASSWORD, "code": await fresh_code(user.email)},
        from_page="/me/two-factor",
    )
    assert response.status_code == 303 and response.headers["location"] == "/me?done=two_factor_off"
    assert not await TwoFactor.filter(user_id=user.id).exists()
    assert len(await mails_to(user)) == 1
    assert (await start_login(client, user.email)).headers["location"] == "/"


# --- brute force -------------------------------------------------------------------------------


async def test_guessing_codes_is_rate_limited_like_passwords(client):
    user = await make_user(two_factor=True)
    wrong = "000000" if totp_of(user).now() != "000000" else "111111"
    for _round in range(2):
        assert (await start_login(client, user.email)).headers["location"] == "/login/code"
        for _attempt in range(two_factor.PENDING_MAX_ATTEMPTS):
            response = await send_code(client, wrong)
            assert response.status_code == 401
        # after five wrong codes the pending sign-in is gone: start again
        assert await PendingLogin.filter(user_id=user.id).count() == 0
        assert (await client.get("/login/code")).status_code == 303
    # ten failures for this account: even the right password and code are refused now
    response = await start_login(client, user.email)
    assert response.status_code == 429
    api = await client.post(
        "/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD, "otp": totp_of(user).now()}
    )
    assert api.status_code == 429 and int(api.headers["Retry-After"]) > 0
    assert await Session.filter(user_id=user.id).count() == 0


async def test_guessing_otp_through_the_api_is_rate_limited(client):
    user = await make_user(two_factor=True)
    wrong = "000000" if totp_of(user).now() != "000000" else "111111"
    for _ in range(10):
        response = await client.post(
            "/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD, "otp": wrong}
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "bad_credentials"
    response = await client.post(
        "/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD, "otp": totp_of(user).now()}
    )
    assert response.status_code == 429


# --- the token API -----------------------------------------------------------------------------


async def test_token_api_with_and_without_otp(client, app):
    user = await make_user()
    codes = await recovery_codes_for(user)
    without = await client.post("/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD})
    assert without.status_code == 401
    assert without.json()["error"]["code"] == "otp_required"
    assert without.headers["WWW-Authenticate"] == "Bearer"
    wrong_password = await client.post(
        "/api/v1/auth/tokens", json={"email": user.email, "password": "wrong password!", "otp": "123456"}
    )
    assert wrong_password.json()["error"]["code"] == "bad_credentials"
    wrong = await client.post("/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD, "otp": "12345"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "bad_credentials"
    right = await client.post(
        "/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD, "otp": await fresh_code(user.email)}
    )
    assert right.status_code == 201
    headers = {"Authorization": f"Bearer {right.json()['token']}"}
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    recovery = await client.post(
        "/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD, "otp": codes[3]}
    )
    assert recovery.status_code == 201
    # without a second factor, otp is not needed (and ignored)
    member = await make_user()
    plain = await client.post(
        "/api/v1/auth/tokens", json={"email": member.email, "password": PASSWORD, "otp": "000000"}
    )
    assert plain.status_code == 201


# --- staff must enrol --------------------------------------------------------------------------


async def test_staff_without_second_factor_are_sent_to_enrolment(client, other_client):
    moderator = await make_user(roles=(Role.MODERATOR,), two_factor=False)
    refused = await client.post("/api/v1/auth/tokens", json={"email": moderator.email, "password": PASSWORD})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "two_factor_required"

    await login(client, moderator.email)  # the password opens a session that can only enrol
    response = await client.get("/me")
    assert response.status_code == 303
    assert response.headers["location"] == "/me/two-factor?next=%2Fme"
    assert (await client.get("/")).headers["location"] == "/me/two-factor"
    api = await client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["error"]["code"] == "two_factor_required"
    for open_path in ("/me/two-factor", "/pages/privacy", "/healthz", "/static/app.css"):
        assert (await client.get(open_path)).status_code == 200, open_path
    assert (await client.get("/lang/en?next=/me/two-factor")).status_code == 303
    page = await client.get("/me/two-factor?next=/me")
    assert 'role="alert"' in page.text
    token_form = await post_form(client, "/me/tokens", {"name": "script"}, from_page="/me/two-factor")
    assert token_form.status_code == 403
    assert await ApiToken.filter(user_id=moderator.id).count() == 0

    secret = secret_on(page)
    done = await post_form(
        client,
        "/me/two-factor/confirm",
        {"code": pyotp.TOTP(secret).now(), "next": "/me"},
        from_page="/me/two-factor",
    )
    assert done.status_code == 200 and '<a href="/me">' in done.text
    assert (await client.get("/me")).status_code == 200
    assert (await client.get("/api/v1/me")).status_code == 200

    no_otp = await other_client.post("/api/v1/auth/tokens", json={"email": moderator.email, "password": PASSWORD})
    assert no_otp.status_code == 401 and no_otp.json()["error"]["code"] == "otp_required"
    assert (await api_token(other_client, moderator.email))["Authorization"].startswith("Bearer ")


async def test_staff_may_not_turn_it_off(client):
    helper = await make_user(roles=(Role.HELPER,))
    await login(client, helper.email)
    page = await client.get("/me/two-factor")
    assert not has_action(page, "/me/two-factor/disable")
    response = await post_form(
        client,
        "/me/two-factor/disable",
        {"password": PASSWORD, "code": await fresh_code(helper.email)},
        from_page="/me/two-factor",
    )
    assert response.status_code == 403
    assert await two_factor.has_two_factor(helper.id)


async def test_every_staff_role_must_enrol_but_mentors_and_members_need_not(client, other_client):
    for role in (Role.ADMIN, Role.MODERATOR, Role.SPACE_MANAGER, Role.COORDINATOR, Role.HELPER, Role.FACILITATOR):
        person = await make_user(roles=(role,), two_factor=False)
        client.cookies.clear()
        await login(client, person.email)
        assert (await client.get("/me")).status_code == 303, role
    for roles in ((), (Role.MENTOR,)):
        person = await make_user(roles=roles)
        other_client.cookies.clear()
        assert (await api_token(other_client, person.email))["Authorization"]
        await login(other_client, person.email)
        assert (await other_client.get("/me")).status_code == 200, roles


async def test_tokens_held_before_a_staff_role_keep_working(client, app):
    person = await make_user()
    admin = await make_user(roles=(Role.ADMIN,))
    headers = await api_token(client, person.email)
    await staff.set_roles(admin, person, {Role.FACILITATOR})
    assert (await client.get("/api/v1/me", headers=headers)).json()["roles"] == ["facilitator", "member"]
    new = await client.post("/api/v1/auth/tokens", json={"email": person.email, "password": PASSWORD})
    assert new.status_code == 403


async def test_a_socket_of_a_staff_session_without_second_factor_is_anonymous(app, client):
    from tierslieu.middleware import AuthMiddleware

    moderator = await make_user(roles=(Role.MODERATOR,), two_factor=False)
    await login(client, moderator.email)
    seen = {}

    async def inner(scope, receive, send):
        seen.update(scope["state"])

    middleware = AuthMiddleware(inner, app.state.settings)
    cookie = f"tl_session={client.cookies['tl_session']}".encode()
    scope = {"type": "websocket", "path": "/ws", "headers": [(b"cookie", cookie)], "client": ("127.0.0.1", 1)}
    await middleware(scope, None, None)
    assert seen["user"] is None and seen["auth"] is None


# --- admin reset -------------------------------------------------------------------------------


async def test_admin_resets_a_second_factor_with_audit_and_mail(client, other_client):
    admin = await make_user(roles=(Role.ADMIN,))
    person = await make_user(two_factor=True)
    await login(other_client, person.email)
    headers = await api_token(client, admin.email)
    missing = await client.post(f"/api/v1/admin/users/{person.id}/two-factor/reset", json={}, headers=headers)
    assert missing.status_code == 422
    response = await client.post(
        f"/api/v1/admin/users/{person.id}/two-factor/reset", json={"reason": "Téléphone perdu"}, headers=headers
    )
    assert response.status_code == 200
    assert response.json() == {"id": person.id, "two_factor_enabled": False}
    assert not await TwoFactor.filter(user_id=person.id).exists()
    assert not await RecoveryCode.filter(user_id=person.id).exists()
    assert await Session.filter(user_id=person.id).count() == 0
    entry = await AuditEntry.get(target_id=person.id)
    assert (entry.actor_id, entry.action, entry.reason) == (admin.id, "two_factor.reset", "Téléphone perdu")
    mail = (await mails_to(person))[-1]
    assert mail.kind == "security" and "Téléphone perdu" in mail.body_text
    # the person signs in with the password alone again
    assert (await start_login(other_client, person.email)).headers["location"] == "/"
    assert (
        await client.post(f"/api/v1/admin/users/{admin.id}/two-factor/reset", json={"reason": "x"}, headers=headers)
    ).status_code == 403


@pytest.mark.parametrize("role", [None, Role.COORDINATOR, Role.MODERATOR])
async def test_only_admins_reset_second_factors(client, role):
    actor = await make_user(roles=(role,) if role else ())
    person = await make_user(two_factor=True)
    headers = await api_token(client, actor.email)
    response = await client.post(
        f"/api/v1/admin/users/{person.id}/two-factor/reset", json={"reason": "x"}, headers=headers
    )
    assert response.status_code == 403
    assert await two_factor.has_two_factor(person.id)


async def test_admin_resets_through_the_person_page(client):
    admin = await make_user(roles=(Role.ADMIN,))
    person = await make_user(roles=(Role.HELPER,))
    await login(client, admin.email)
    page = await client.get(f"/admin/users/{person.id}")
    assert has_action(page, f"/admin/users/{person.id}/two-factor/reset")
    empty = await post_form(client, f"/admin/users/{person.id}/two-factor/reset", {"reason": ""}, from_page="/admin")
    assert empty.status_code == 422
    response = await post_form(
        client, f"/admin/users/{person.id}/two-factor/reset", {"reason": "Nouveau téléphone"}, from_page="/admin"
    )
    assert response.status_code == 303
    assert not await two_factor.has_two_factor(person.id)
    assert await AuditEntry.filter(target_id=person.id, action="two_factor.reset").count() == 1
    assert len(await mails_to(person)) == 1


# --- personal data, API description ------------------------------------------------------------


async def test_export_tells_and_erasure_removes_the_second_factor(client):
    user = await make_user(two_factor=True)
    headers = await api_token(client, user.email)
    export = (await client.get("/api/v1/me/export", headers=headers)).json()
    assert export["account"]["two_factor"]["enabled_at"]
    assert "secret" not in str(export["account"]["two_factor"])
    await login(client, user.email)
    response = await post_form(client, "/me/delete", {"password": PASSWORD, "confirm": "yes"}, from_page="/me/delete")
    assert response.status_code == 200
    assert not await TwoFactor.filter(user_id=user.id).exists()


async def test_openapi_lists_the_reset_and_the_error_codes(client):
    document = (await client.get("/api/v1/openapi.json")).json()
    assert "post" in document["paths"]["/admin/users/{user_id}/two-factor/reset"]
    assert "otp" in document["components"]["schemas"]["TokenCreate"]["properties"]
    assert "two_factor_required" in document["info"]["description"]


# --- createadmin --totp-secret -------------------------------------------------------------------


def test_createadmin_enrols_the_given_secret(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "TIERSLIEU_DATA_DIR": str(tmp_path),
        "TIERSLIEU_DATABASE_URL": f"sqlite://{tmp_path}/db.sqlite3",
    }

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "tierslieu", "createadmin", *args],
            cwd=tmp_path,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )

    def stored_secret() -> tuple[str, str | None]:
        with sqlite3.connect(tmp_path / "db.sqlite3") as db:
            secret, confirmed_at = db.execute(
                "SELECT f.secret, f.confirmed_at FROM accounts_two_factor f JOIN accounts_user u ON u.id = f.user_id "
                "WHERE u.email = 'root@example.org'"
            ).fetchone()
        key = (tmp_path / "secret_key").read_text().strip()
        return two_factor.decrypt_secret(key, secret), confirmed_at

    bad = run("--email", "root@example.org", "--name", "Root", "--totp-secret", "not base32!", stdin="x" * 12 + "\n")
    assert bad.returncode != 0 and "--totp-secret" in bad.stderr
    short = run("--email", "root@example.org", "--name", "Root", "--totp-secret", "JBSWY3DPEHPK3PXP")
    assert short.returncode != 0 and "128 bits" in short.stderr

    secret = pyotp.random_base32()
    grouped = " ".join(secret[i : i + 4] for i in range(0, 32, 4)).lower()
    created = run(
        "--email", "root@example.org", "--name", "Root", "--totp-secret", grouped, stdin="a long admin password\n"
    )
    assert created.returncode == 0, created.stderr
    assert "Created admin root@example.org" in created.stdout and "Two-step" in created.stdout
    found, confirmed_at = stored_secret()
    assert found == secret and confirmed_at is not None

    other = pyotp.random_base32()
    promoted = run("--email", "root@example.org", "--name", "Root", "--totp-secret", other)
    assert promoted.returncode == 0, promoted.stderr
    assert stored_secret()[0] == other
