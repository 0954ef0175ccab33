"""Sign-up, sign-in and sign-out through the pages and the API."""

from __future__ import annotations

import re

from accounts import staff
from accounts.models import Role, Session, User
from tests.helpers import PASSWORD, api_token, login, make_user, post_form
from tierslieu.models import OutboxMail


async def test_signup_page_creates_account_and_signs_in(client):
    response = await post_form(
        client,
        "/signup",
        {"email": "Ada@Example.org", "display_name": "Ada", "password": PASSWORD},
        from_page="/signup",
    )
    assert response.status_code == 303
    user = await User.get(email="ada@example.org")
    assert user.password_hash.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in user.password_hash
    me = await client.get("/me")
    assert me.status_code == 200
    assert "ada@example.org" in me.text


async def test_signup_form_errors_are_shown_in_french(client):
    response = await post_form(
        client, "/signup", {"email": "not-an-address", "display_name": "", "password": "short"}, from_page="/signup"
    )
    assert response.status_code == 422
    assert "adresse électronique valide" in response.text
    assert "10 caractères" in response.text
    assert await User.all().count() == 0


async def test_api_signup_validates_fields(client):
    response = await client.post("/api/v1/auth/signup", json={"email": "nope", "password": "x"})
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"email", "password", "display_name"}


async def test_api_signup_bad_inputs_never_500(client):
    for payload in (
        b"{",
        b"[]",
        b'"text"',
        b'{"email": 5, "password": null, "display_name": []}',
        "é".encode("latin-1"),
    ):
        response = await client.post(
            "/api/v1/auth/signup", content=payload, headers={"content-type": "application/json"}
        )
        assert response.status_code in (400, 422), (payload, response.status_code)
        assert "error" in response.json()


async def test_api_signup_duplicate_email_is_409(client):
    await make_user(email="taken@example.org")
    response = await client.post(
        "/api/v1/auth/signup", json={"email": "TAKEN@example.org", "password": PASSWORD, "display_name": "Other"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "email_taken"


async def test_api_signup_messages_follow_accept_language(client):
    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": "x@example.org", "password": "short", "display_name": "X"},
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    assert "at least 10 characters" in response.json()["error"]["fields"]["password"]
    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": "x@example.org", "password": "short", "display_name": "X"},
        headers={"Accept-Language": "fr-BE"},
    )
    assert "10 caractères" in response.json()["error"]["fields"]["password"]


async def test_login_rotates_session_and_sets_cookie_flags(client):
    user = await make_user()
    response = await login(client, user.email)
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("tl_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development
    first = client.cookies["tl_session"]
    await login(client, user.email)
    assert client.cookies["tl_session"] != first
    assert await Session.filter(user_id=user.id).count() == 1  # the old one was ended


async def test_production_cookies_are_secure(database):
    import httpx

    from tests.conftest import make_settings
    from tierslieu.app import create_app

    app = create_app(make_settings(env="production", base_url="https://tierslieu.example"), init_database=False)
    user = await make_user()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://tierslieu.example") as client:
        response = await login(client, user.email)
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("tl_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie


async def test_unknown_email_and_wrong_password_are_indistinguishable(client, other_client):
    user = await make_user()
    wrong = await post_form(client, "/login", {"email": user.email, "password": "wrong password!"})
    unknown = await post_form(other_client, "/login", {"email": "nobody@example.org", "password": "wrong password!"})
    assert wrong.status_code == unknown.status_code == 401
    # CSRF tokens are masked afresh in every response (BREACH), so they are blanked out
    strip = lambda r, email: re.sub(r'name="csrf_token" value="[0-9a-f]+"', "T", r.text.replace(email, "E"))
    assert strip(wrong, user.email).split("<main")[1] == strip(unknown, "nobody@example.org").split("<main")[1]
    api_wrong = await client.post("/api/v1/auth/tokens", json={"email": user.email, "password": "wrong password!"})
    api_unknown = await client.post(
        "/api/v1/auth/tokens", json={"email": "nobody@example.org", "password": "wrong password!"}
    )
    assert api_wrong.status_code == api_unknown.status_code == 401
    assert (
        api_wrong.json()
        == api_unknown.json()
        == {"error": {"code": "bad_credentials", "message": "Adresse électronique ou mot de passe incorrect."}}
    )


async def test_unknown_email_still_verifies_one_password(client, monkeypatch):
    """By construction: the unknown-account path runs argon2 on a dummy hash."""
    from tierslieu import passwords

    verified: list[str] = []
    original = passwords._verify

    def spy(stored_hash, password):
        verified.append(stored_hash)
        return original(stored_hash, password)

    monkeypatch.setattr(passwords, "_verify", spy)
    response = await client.post("/api/v1/auth/tokens", json={"email": "nobody@example.org", "password": "whatever123"})
    assert response.status_code == 401
    assert verified == [passwords.dummy_hash()]
    assert verified[0].startswith("$argon2id$")


async def test_repeated_failed_logins_are_rate_limited_per_account(client):
    user = await make_user()
    for _ in range(10):
        response = await client.post("/api/v1/auth/tokens", json={"email": user.email, "password": "wrong password!"})
        assert response.status_code == 401
    response = await client.post("/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    page = await post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert page.status_code == 429


async def test_unknown_emails_count_too(client):
    for _ in range(10):
        await client.post("/api/v1/auth/tokens", json={"email": "ghost@example.org", "password": "wrong password!"})
    response = await client.post(
        "/api/v1/auth/tokens", json={"email": "ghost@example.org", "password": "wrong password!"}
    )
    assert response.status_code == 429


async def test_failures_are_limited_per_address(client):
    for number in range(100):
        await client.post(
            "/api/v1/auth/tokens", json={"email": f"ghost{number}@example.org", "password": "wrong password!"}
        )
    response = await client.post(
        "/api/v1/auth/tokens", json={"email": "fresh@example.org", "password": "wrong password!"}
    )
    assert response.status_code == 429


async def test_forwarded_address_is_trusted_only_from_trusted_proxies(database):
    import ipaddress

    import httpx

    from tests.conftest import make_settings
    from tierslieu.app import create_app

    app = create_app(make_settings(trusted_proxies=(ipaddress.ip_network("10.0.0.0/8"),)), init_database=False)
    seen = []

    async def record(request):
        from starlette.responses import PlainTextResponse

        seen.append(request.state.client_address)
        return PlainTextResponse("ok")

    from starlette.routing import Route

    app.router.routes.insert(0, Route("/_address", record))
    for peer in ("10.1.2.3", "198.51.100.1"):
        transport = httpx.ASGITransport(app=app, client=(peer, 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await client.get("/_address", headers={"X-Forwarded-For": "192.0.2.44, 10.9.9.9"})
    assert seen == ["192.0.2.44", "198.51.100.1"]


async def test_logout_ends_the_session(client):
    user = await make_user()
    await login(client, user.email)
    response = await post_form(client, "/logout", from_page="/me")
    assert response.status_code == 303
    assert await Session.filter(user_id=user.id).count() == 0
    assert (await client.get("/me")).status_code == 303  # to the login page


async def test_me_requires_sign_in_and_redirects_to_login(client):
    response = await client.get("/me")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/me")


async def test_login_next_is_kept_local(client):
    user = await make_user()
    token_page = await client.get("/login?next=//evil.example/x")
    assert "//evil.example" not in token_page.text
    response = await post_form(
        client, "/login", {"email": user.email, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.headers["location"] == "/"


async def test_api_token_flow(client):
    user = await make_user()
    headers = await api_token(client, user.email)
    me = await client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    body = me.json()
    assert body["email"] == user.email and body["roles"] == ["member"]
    assert body["calendar_url"].startswith("http://testserver/calendar/")
    assert (await client.delete("/api/v1/auth/tokens/current", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_api_without_credentials_is_401_json(client):
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


async def test_login_rehashes_when_parameters_change(client):
    from argon2 import PasswordHasher

    from tierslieu import passwords

    user = await make_user()
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    await User.filter(id=user.id).update(password_hash=weak)
    await login(client, user.email)
    stored = (await User.get(id=user.id)).password_hash
    assert stored != weak and stored.startswith("$argon2id$")
    assert not passwords.HASHER.check_needs_rehash(stored)


async def test_password_reset_requests_are_rate_limited(client):
    user = await make_user()
    for _ in range(5):
        assert (await post_form(client, "/password/forgot", {"email": user.email})).status_code == 200
    response = await post_form(client, "/password/forgot", {"email": user.email})
    assert response.status_code == 429


async def test_signups_are_rate_limited_per_address(app):
    import httpx
    from limits import parse

    from tierslieu import ratelimit

    limiter = app.state.limiter
    for _ in range(300):
        await limiter.hit(ratelimit.SIGNUP_PER_ADDRESS, "198.51.100.9")
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(
            "/api/v1/auth/signup", json={"email": "late@example.org", "password": PASSWORD, "display_name": "Late"}
        )
    assert response.status_code == 429
    assert ratelimit.SIGNUP_PER_ADDRESS.item == parse("300/hour")


async def test_unexpected_errors_give_a_friendly_500_page(app):
    import httpx
    from starlette.routing import Route

    async def broken(request):
        raise RuntimeError("boom")

    app.router.routes.insert(0, Route("/_broken", broken))
    app.router.routes.insert(0, Route("/api/v1/_broken", broken))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        page = await client.get("/_broken")
        api = await client.get("/api/v1/_broken")
    assert page.status_code == 500 and "boom" not in page.text and "<h1>" in page.text
    assert api.status_code == 500 and api.json()["error"]["code"] == "server_error"


async def test_a_suspended_account_never_tells_whether_the_password_is_right(client, other_client):
    admin = await make_user(roles=(Role.ADMIN,))
    person = await make_user()
    await staff.suspend(admin, person, "Spam")
    mails = await OutboxMail.filter(to_address=person.email).values_list("body_text", flat=True)
    assert any("Spam" in body for body in mails)  # the person learns of it by mail
    right = await post_form(client, "/login", {"email": person.email, "password": PASSWORD})
    wrong = await post_form(other_client, "/login", {"email": person.email, "password": "wrong password!"})
    assert right.status_code == wrong.status_code == 401
    strip = lambda r: re.sub(r'name="csrf_token" value="[0-9a-f]+"', "T", r.text)
    assert strip(right).split("<main")[1] == strip(wrong).split("<main")[1]
    api_right = await client.post("/api/v1/auth/tokens", json={"email": person.email, "password": PASSWORD})
    api_wrong = await client.post("/api/v1/auth/tokens", json={"email": person.email, "password": "wrong password!"})
    assert api_right.status_code == api_wrong.status_code == 401
    assert api_right.json() == api_wrong.json()
    assert api_right.json()["error"]["code"] == "bad_credentials"
