"""Recovering an account takes everything back (issue 17): sessions, API tokens and, but
for a plain password change, the personal calendar link."""

from __future__ import annotations

from accounts import services, staff
from accounts.models import Role, Session, TokenPurpose
from tests.helpers import PASSWORD, csrf_token, login, make_user, post_form
from tierslieu.middleware import SESSION_COOKIE
from tierslieu.models import OutboxMail
from tierslieu.settings import Settings


async def holding_access(user, settings: Settings) -> tuple[list[str], str]:
    """Two API tokens and the calendar link the person holds before a recovery."""
    plains = []
    for name in ("Ordinateur portable", "Script de sauvegarde"):
        _, plain = await services.create_api_token(user, name)
        plains.append(plain)
    return plains, services.calendar_url(user, settings)


async def revocation_mail(user) -> str:
    mail = await OutboxMail.filter(to_address=user.email, subject__icontains="accès").order_by("-id").first()
    assert mail is not None, "no mail about the revoked access"
    return mail.body_text


async def assert_taken_back(user, plains: list[str], old_calendar: str, *, rotated: bool, settings: Settings) -> None:
    for plain in plains:
        assert await services.resolve_api_token(plain) is None
    body = await revocation_mail(user)
    assert "Ordinateur portable" in body and "Script de sauvegarde" in body
    fresh = await services.User.get(id=user.id)
    new_calendar = services.calendar_url(fresh, settings)
    assert (new_calendar != old_calendar) is rotated
    assert (new_calendar in body) is rotated
    assert (
        await services.user_for_calendar_token(old_calendar.rsplit("/", 1)[1][:-4], settings.secret_key) is None
    ) is rotated


async def test_password_change_keeps_this_session_under_a_new_id_and_revokes_tokens(app, client, other_client):
    settings = app.state.settings
    user = await make_user()
    plains, calendar = await holding_access(user, settings)
    await login(client, user.email)
    await login(other_client, user.email)
    old_cookie = client.cookies[SESSION_COOKIE]
    token = await csrf_token(client, "/me")
    response = await client.post(
        "/me/password", data={"csrf_token": token, "current_password": PASSWORD, "new_password": "a brand new secret"}
    )
    assert response.status_code == 303
    assert client.cookies[SESSION_COOKIE] != old_cookie
    assert (await client.get("/me")).status_code == 200
    assert (await other_client.get("/me")).status_code == 303
    assert await Session.filter(user_id=user.id).count() == 1
    await assert_taken_back(user, plains, calendar, rotated=False, settings=settings)


async def test_password_reset_ends_every_session_revokes_tokens_and_rotates_the_calendar(app, client, other_client):
    settings = app.state.settings
    user = await make_user()
    plains, calendar = await holding_access(user, settings)
    await login(other_client, user.email)
    link = await services.issue_one_time_token(user, TokenPurpose.RESET_PASSWORD, services.RESET_PASSWORD_TTL)
    response = await post_form(client, "/password/reset", {"token": link, "new_password": "a brand new secret"})
    assert response.status_code == 200
    assert await Session.filter(user_id=user.id).count() == 0
    await assert_taken_back(user, plains, calendar, rotated=True, settings=settings)


async def test_sign_out_everywhere_revokes_tokens_and_rotates_the_calendar(app, client, other_client):
    settings = app.state.settings
    user = await make_user()
    plains, calendar = await holding_access(user, settings)
    await login(client, user.email)
    await login(other_client, user.email)
    response = await post_form(client, "/me/sessions/end-all", from_page="/me")
    assert response.status_code == 303
    assert await Session.filter(user_id=user.id).count() == 0
    assert (await other_client.get("/me")).status_code == 303
    await assert_taken_back(user, plains, calendar, rotated=True, settings=settings)


async def test_suspension_revokes_tokens_and_rotates_the_calendar(app):
    settings = app.state.settings
    admin = await make_user(roles=(Role.ADMIN,))
    user = await make_user()
    plains, calendar = await holding_access(user, settings)
    await staff.suspend(admin, user, "Spam")
    await staff.restore(admin, user, "Erreur")  # the old tokens and link stay dead
    await assert_taken_back(user, plains, calendar, rotated=True, settings=settings)


async def test_an_admins_two_step_reset_revokes_tokens(app):
    settings = app.state.settings
    admin = await make_user(roles=(Role.ADMIN,))
    user = await make_user(two_factor=True)
    plains, calendar = await holding_access(user, settings)
    await staff.reset_two_factor(admin, user, "Téléphone perdu")
    assert await Session.filter(user_id=user.id).count() == 0
    await assert_taken_back(user, plains, calendar, rotated=False, settings=settings)
