"""Links from mails, profile, sessions, tokens, personal data."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from accounts import services, two_factor
from accounts.models import ApiToken, OneTimeToken, Session, User
from tests.helpers import PASSWORD, api_token, csrf_token, login, make_user, post_form
from tierslieu import clock
from tierslieu.errors import Invalid, TooManyRequests
from tierslieu.models import OutboxMail
from tierslieu.ratelimit import RateLimiter


async def last_mail_link(address: str, path: str) -> str:
    mail = await OutboxMail.filter(to_address=address).order_by("-id").first()
    assert mail is not None, f"no mail to {address}"
    match = re.search(re.escape(path) + r"\?token=([\w-]+)", mail.body_text)
    assert match, mail.body_text
    return match.group(1)


async def test_signup_sends_a_verification_link_that_works_once(client):
    await client.post("/api/v1/auth/signup", json={"email": "v@example.org", "password": PASSWORD, "display_name": "V"})
    token = await last_mail_link("v@example.org", "/verify-email")
    page = await client.get(f"/verify-email?token={token}")
    assert page.status_code == 200
    assert (await User.get(email="v@example.org")).email_verified_at is None  # a GET changes nothing
    response = await post_form(client, "/verify-email", {"token": token})
    assert response.status_code == 200
    assert (await User.get(email="v@example.org")).email_verified_at is not None
    again = await post_form(client, "/verify-email", {"token": token})
    assert again.status_code == 422


async def test_password_reset_link_is_single_use_and_ends_sessions(client, other_client):
    user = await make_user()
    await login(other_client, user.email)
    response = await post_form(client, "/password/forgot", {"email": user.email.upper()})
    assert response.status_code == 200
    token = await last_mail_link(user.email, "/password/reset")
    response = await post_form(client, "/password/reset", {"token": token, "new_password": "a brand new secret"})
    assert response.status_code == 200
    assert await Session.filter(user_id=user.id).count() == 0
    assert (await other_client.get("/me")).status_code == 303
    again = await post_form(client, "/password/reset", {"token": token, "new_password": "yet another secret"})
    assert again.status_code == 422
    await login(client, user.email, "a brand new secret")


async def test_password_reset_for_unknown_address_looks_the_same(client, other_client):
    user = await make_user()
    known = await post_form(client, "/password/forgot", {"email": user.email})
    unknown = await post_form(other_client, "/password/forgot", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.text.split("<main")[1] == unknown.text.split("<main")[1]
    assert await OutboxMail.filter(to_address="nobody@example.org").count() == 0


async def test_password_reset_link_expires_after_an_hour(client):
    user = await make_user()
    await post_form(client, "/password/forgot", {"email": user.email})
    token = await last_mail_link(user.email, "/password/reset")
    row = await OneTimeToken.get(user_id=user.id, purpose="reset_password")
    assert timedelta(minutes=59) < row.expires_at - row.created_at <= timedelta(hours=1)
    row.expires_at = clock.now() - timedelta(seconds=1)
    await row.save()
    response = await post_form(client, "/password/reset", {"token": token, "new_password": "a brand new secret"})
    assert response.status_code == 422


async def test_change_password_keeps_this_session_only(client, other_client):
    user = await make_user()
    await login(client, user.email)
    await login(other_client, user.email)
    token = await csrf_token(client, "/me")
    wrong = await client.post(
        "/me/password",
        data={"csrf_token": token, "current_password": "not it at all", "new_password": "a brand new secret"},
    )
    assert wrong.status_code == 422
    response = await client.post(
        "/me/password", data={"csrf_token": token, "current_password": PASSWORD, "new_password": "a brand new secret"}
    )
    assert response.status_code == 303
    assert (await client.get("/me")).status_code == 200
    assert (await other_client.get("/me")).status_code == 303


async def test_change_email_is_confirmed_from_the_new_address(client):
    user = await make_user()
    other = await make_user()
    await login(client, user.email)
    token = await csrf_token(client, "/me")
    taken = await client.post("/me/email", data={"csrf_token": token, "new_email": other.email, "password": PASSWORD})
    assert taken.status_code == 409
    response = await client.post(
        "/me/email", data={"csrf_token": token, "new_email": "New@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 303
    assert (await User.get(id=user.id)).email == user.email  # not before confirmation
    link = await last_mail_link("new@example.org", "/email/confirm")
    assert await OutboxMail.filter(to_address=user.email, kind="security").count() >= 1  # the old address is told
    response = await post_form(client, "/email/confirm", {"token": link})
    assert response.status_code == 200
    assert (await User.get(id=user.id)).email == "new@example.org"


async def test_profile_update_and_validation(client):
    user = await make_user()
    await login(client, user.email)
    token = await csrf_token(client, "/me")
    bad = await client.post(
        "/me/profile", data={"csrf_token": token, "display_name": "X", "locale": "de", "timezone": "Mars/Olympus"}
    )
    assert bad.status_code == 422
    good = await client.post(
        "/me/profile",
        data={
            "csrf_token": token,
            "display_name": "  Awa   Sow ",
            "bio": "Prof de NSI",
            "locale": "en",
            "timezone": "Africa/Dakar",
            "motivation": "teacher",
        },
    )
    assert good.status_code == 303
    fresh = await User.get(id=user.id)
    assert (fresh.display_name, fresh.locale, fresh.timezone, fresh.motivation) == (
        "Awa Sow",
        "en",
        "Africa/Dakar",
        "teacher",
    )
    page = await client.get("/me")
    assert "My profile" in page.text  # now in English


async def test_times_are_shown_in_the_viewers_zone(client):
    from zoneinfo import ZoneInfo

    user = await make_user(timezone="Africa/Dakar", locale="fr")
    await login(client, user.email)
    seen = (await Session.get(user_id=user.id)).last_seen_at
    from tierslieu import i18n

    # the short human time ("16 h 05"), each in its zone
    dakar = i18n.human_time(seen, "fr", "Africa/Dakar")
    paris = i18n.human_time(seen, "fr", "Europe/Paris")
    assert dakar != paris and ZoneInfo("Africa/Dakar")
    page = await client.get("/me")
    assert dakar in page.text and paris not in page.text
    await User.filter(id=user.id).update(timezone="Europe/Paris")
    page = await client.get("/me")
    assert paris in page.text and dakar not in page.text


async def test_sessions_expire_when_idle_or_too_old(client, settings):
    user = await make_user()
    await login(client, user.email)
    session = await Session.get(user_id=user.id)
    session.last_seen_at = clock.now() - timedelta(seconds=settings.session_idle_seconds + 1)
    await session.save()
    assert (await client.get("/me")).status_code == 303
    assert await Session.filter(user_id=user.id).count() == 0
    await login(client, user.email)
    session = await Session.get(user_id=user.id)
    session.expires_at = clock.now() - timedelta(seconds=1)
    await session.save()
    assert (await client.get("/me")).status_code == 303


async def test_reading_pages_does_not_write_the_session_each_time(client):
    user = await make_user()
    await login(client, user.email)
    before = (await Session.get(user_id=user.id)).last_seen_at
    await client.get("/me")
    await client.get("/")
    assert (await Session.get(user_id=user.id)).last_seen_at == before


async def test_log_out_everywhere(client, other_client):
    user = await make_user()
    await login(client, user.email)
    await login(other_client, user.email)
    response = await post_form(client, "/me/sessions/end-all", from_page="/me")
    assert response.status_code == 303
    assert await Session.filter(user_id=user.id).count() == 0
    assert (await other_client.get("/me")).status_code == 303


async def test_api_tokens_are_shown_once_stored_hashed_and_revocable(client):
    user = await make_user()
    await login(client, user.email)
    response = await post_form(client, "/me/tokens", {"name": "Moodle"}, from_page="/me")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    plain = re.search(r'id="token"[^>]*value="([^"]+)"', response.text).group(1)
    stored = await ApiToken.get(user_id=user.id)
    assert stored.token_hash != plain and len(stored.token_hash) == 64
    assert plain not in (await client.get("/me")).text
    headers = {"Authorization": f"Bearer {plain}"}
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    revoke = await post_form(client, f"/me/tokens/{stored.id}/revoke", from_page="/me")
    assert revoke.status_code == 303
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_calendar_token_is_revocable(client, settings):
    user = await make_user()
    headers = await api_token(client, user.email)
    url = (await client.get("/api/v1/me", headers=headers)).json()["calendar_url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert (await services.user_for_calendar_token(token, settings.secret_key)).id == user.id
    await login(client, user.email)
    await post_form(client, "/me/calendar/revoke", from_page="/me")
    assert await services.user_for_calendar_token(token, settings.secret_key) is None
    assert (await client.get("/api/v1/me", headers=headers)).json()["calendar_url"] != url
    assert await services.user_for_calendar_token("1-" + "0" * 40, settings.secret_key) is None
    assert await services.user_for_calendar_token("garbage", settings.secret_key) is None


async def test_download_my_data(client):
    user = await make_user(display_name="Aïssatou")
    await login(client, user.email)
    response = await client.get("/api/v1/me/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    data = response.json()
    assert data["account"]["email"] == user.email
    assert data["account"]["display_name"] == "Aïssatou"
    assert data["account"]["sessions"][0]["ip"] == "203.0.113.7"
    assert "password_hash" not in response.text


async def test_delete_my_account(client, other_client):
    user = await make_user()
    await login(client, user.email)
    await api_token(other_client, user.email)
    wrong = await post_form(
        client, "/me/delete", {"password": "not my password", "confirm": "yes"}, from_page="/me/delete"
    )
    assert wrong.status_code == 422
    unconfirmed = await post_form(client, "/me/delete", {"password": PASSWORD}, from_page="/me/delete")
    assert unconfirmed.status_code == 422
    response = await post_form(client, "/me/delete", {"password": PASSWORD, "confirm": "yes"}, from_page="/me/delete")
    assert response.status_code == 200
    gone = await User.get(id=user.id)
    assert gone.deleted_at is not None and gone.email != user.email and gone.display_name.startswith("Anonyme")
    assert await Session.filter(user_id=user.id).count() == 0
    assert await ApiToken.filter(user_id=user.id).count() == 0
    assert (await client.get("/me")).status_code == 303
    response = await client.post("/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 401
    # the address is free again
    assert (
        await client.post(
            "/api/v1/auth/signup", json={"email": user.email, "password": PASSWORD, "display_name": "Back"}
        )
    ).status_code == 201


async def test_mail_preferences(client):
    user = await make_user()
    await login(client, user.email)
    response = await post_form(client, "/me/mail", {"account": "never"}, from_page="/me")
    assert response.status_code == 303
    assert (await User.get(id=user.id)).mail_preferences["account"] == "never"
    bad = await post_form(client, "/me/mail", {"account": "hourly"}, from_page="/me")
    assert bad.status_code == 422


async def test_re_asking_the_password_counts_toward_the_sign_in_limit(client, other_client):
    """A stolen session cannot guess the password through the forms that ask for it again."""
    user = await make_user()
    await login(client, user.email)
    token = await csrf_token(client, "/me")
    wrong = "not it at all"
    tries = [
        ("/me/password", {"current_password": wrong, "new_password": "a brand new secret"}),
        ("/me/email", {"password": wrong, "new_email": "elsewhere@example.org"}),
        ("/me/delete", {"password": wrong, "confirm": "yes"}),
    ]
    for attempt in range(10):
        path, data = tries[attempt % len(tries)]
        response = await client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 422, (attempt, path)
    right = await client.post(
        "/me/password", data={"csrf_token": token, "current_password": PASSWORD, "new_password": "a brand new secret"}
    )
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0
    assert "Trop de tentatives" in right.text
    await User.filter(id=user.id).update(locale="en")  # a signed-in person reads their profile's language
    english = await client.post(
        "/me/email", data={"csrf_token": token, "password": PASSWORD, "new_email": "elsewhere@example.org"}
    )
    assert english.status_code == 429 and "Too many attempts" in english.text
    # the sign-in itself is now limited for this account too
    api = await other_client.post("/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD})
    assert api.status_code == 429


async def test_two_step_changes_count_toward_the_sign_in_limit(client):
    user = await make_user(two_factor=True)
    limiter = RateLimiter.create()
    for _ in range(10):
        with pytest.raises(Invalid):
            await two_factor.disable(
                user, "not it at all", "000000", secret_key="k", client_address="127.0.0.1", limiter=limiter
            )
    with pytest.raises(TooManyRequests):
        await two_factor.regenerate_recovery_codes(
            user, PASSWORD, "000000", secret_key="k", client_address="127.0.0.1", limiter=limiter
        )
