"""Security defaults of the shell: CSRF everywhere, Origin checks, headers, body limit."""

from __future__ import annotations

import re

import pytest

from accounts.models import Session
from tests.conftest import SECRET_KEY
from tests.helpers import PASSWORD, app_routes, csrf_token, inputs, login, make_user, post_form
from tierslieu.guards import safe_next
from tierslieu.mail import routes as mail_routes
from tierslieu.middleware import CONTENT_SECURITY_POLICY, csrf_token_for

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def unsafe_routes(app) -> list[tuple[str, str]]:
    """Every (method, concrete path) of the app that changes something."""
    found = []
    for route in app_routes(app.routes):
        for method in sorted((route.methods or set()) & UNSAFE):
            path = re.sub(r"\{(\w+):int\}", "1", route.path)
            path = re.sub(r"\{(\w+)(:\w+)?\}", "x", path)
            found.append((method, path))
    return found


async def test_the_route_list_is_not_empty(app):
    routes = unsafe_routes(app)
    assert ("POST", "/login") in routes and ("POST", "/api/v1/auth/signup") in routes
    assert len(routes) > 20


async def test_every_unsafe_page_route_needs_a_csrf_token(app, client):
    user = await make_user()
    await login(client, user.email)
    for method, path in unsafe_routes(app):
        if path in mail_routes.CSRF_EXEMPT:
            continue
        response = await client.request(method, path, data={"x": "1"})
        assert response.status_code == 403, (method, path, response.status_code)
        assert "form has expired" in response.text or "formulaire a expiré" in response.text, (method, path)


async def test_anonymous_page_posts_need_a_csrf_token_too(app, client):
    for method, path in unsafe_routes(app):
        if path.startswith("/api/") or path in mail_routes.CSRF_EXEMPT:
            continue
        response = await client.request(method, path, data={"email": "a@b.c"})
        assert response.status_code == 403, (method, path)


async def test_a_wrong_token_is_refused_and_a_right_one_accepted(client):
    user = await make_user()
    await login(client, user.email)
    wrong = await client.post("/me/profile", data={"csrf_token": "0" * 64, "display_name": "New"})
    assert wrong.status_code == 403
    token = await csrf_token(client, "/me")
    right = await client.post(
        "/me/profile",
        data={"csrf_token": token, "display_name": "New name", "locale": "fr", "timezone": "Africa/Dakar"},
    )
    assert right.status_code == 303
    header = await client.post(
        "/me/profile",
        data={"display_name": "Header", "locale": "fr", "timezone": "Africa/Dakar"},
        headers={"X-CSRF-Token": token},
    )
    assert header.status_code == 303


async def test_csrf_token_is_bound_to_the_session(client, other_client):
    first = await make_user()
    second = await make_user()
    await login(client, first.email)
    await login(other_client, second.email)
    token_of_first = await csrf_token(client, "/me")
    response = await other_client.post("/me/profile", data={"csrf_token": token_of_first, "display_name": "Hijack"})
    assert response.status_code == 403


async def test_api_with_a_session_cookie_needs_the_csrf_header(app, client):
    user = await make_user()
    await login(client, user.email)
    for method, path in unsafe_routes(app):
        if not path.startswith("/api/"):
            continue
        response = await client.request(method, path, json={})
        assert response.status_code == 403, (method, path)
        assert response.json()["error"]["code"] == "csrf_failed"


async def test_bearer_and_anonymous_api_calls_need_no_csrf(client):
    from tests.helpers import PASSWORD

    response = await client.post(
        "/api/v1/auth/signup", json={"email": "new@example.org", "password": PASSWORD, "display_name": "New"}
    )
    assert response.status_code == 201
    token = (await client.post("/api/v1/auth/tokens", json={"email": "new@example.org", "password": PASSWORD})).json()[
        "token"
    ]
    response = await client.delete("/api/v1/auth/tokens/current", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 204


async def test_a_foreign_origin_is_refused_everywhere(app, client):
    from tests.helpers import PASSWORD

    for method, path in unsafe_routes(app):
        response = await client.request(method, path, json={}, headers={"Origin": "https://evil.example"})
        assert response.status_code == 403, (method, path)
    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": "o@example.org", "password": PASSWORD, "display_name": "O"},
        headers={"Origin": "http://testserver"},
    )
    assert response.status_code == 201


async def test_security_headers_on_pages_and_errors(client):
    for path in ("/", "/login", "/does-not-exist", "/api/v1/me"):
        response = await client.get(path)
        csp = response.headers["content-security-policy"]
        assert csp == CONTENT_SECURITY_POLICY
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-request-id"]


async def test_pages_have_no_inline_script_or_style(client):
    for path in ("/", "/login", "/signup", "/password/forgot", "/pages/privacy"):
        html = (await client.get(path)).text
        assert "<script>" not in html and " style=" not in html and "<style" not in html
        assert re.search(r"\son[a-z]+=", html) is None


async def test_versioned_static_files_are_cached_for_a_year(client):
    html = (await client.get("/")).text
    css = re.search(r'href="(/static/app\.css\?v=[0-9a-f]+)"', html).group(1)
    response = await client.get(css)
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]


async def test_body_limit(client):
    big = b"x" * (1024 * 1024 + 1)
    response = await client.post("/api/v1/auth/signup", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"

    async def chunks():
        for _ in range(20):
            yield b"y" * 100_000

    response = await client.post("/api/v1/auth/signup", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


async def test_error_pages_are_friendly(client):
    response = await client.get("/nowhere")
    assert response.status_code == 404
    assert "<h1>" in response.text and "Traceback" not in response.text
    api = await client.get("/api/v1/nowhere")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    wrong_method = await client.get("/api/v1/auth/signup")
    assert wrong_method.status_code == 405


PROFILE = {"display_name": "Masked", "locale": "fr", "timezone": "Africa/Dakar"}


async def test_every_render_masks_the_csrf_token_afresh(client):
    user = await make_user()
    await login(client, user.email)
    first = await csrf_token(client, "/me")
    second = await csrf_token(client, "/me")
    assert first != second  # same session, another spelling each time (BREACH)
    assert re.fullmatch(r"[0-9a-f]{128}", first) and re.fullmatch(r"[0-9a-f]{128}", second)
    for token in (first, second):
        assert (await client.post("/me/profile", data={"csrf_token": token, **PROFILE})).status_code == 303
        response = await client.post("/me/profile", data=PROFILE, headers={"X-CSRF-Token": token})
        assert response.status_code == 303
    page = (await client.get("/me")).text
    tokens = re.findall(r'name="csrf_token" value="([^"]+)"', page)
    assert len(tokens) > 1 and len(set(tokens)) == len(tokens)  # one page, one mask per form


async def test_the_secret_csrf_token_never_appears_in_a_page(client):
    user = await make_user()
    await login(client, user.email)
    session = await Session.get(user_id=user.id)
    secret = csrf_token_for(SECRET_KEY, session.id)
    for path in ("/", "/me", f"/forum/search?q={secret[:16]}", "/notifications"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert inputs(response.text).get("csrf_token"), path
        assert secret not in response.text, path
        assert secret not in str(response.headers), path
    response = await client.post("/me/profile", data={"csrf_token": secret, **PROFILE})
    assert response.status_code == 403  # only masked tokens are accepted


def _flip_last(token: str) -> str:
    return token[:-1] + ("0" if token[-1] != "0" else "1")


def _flip_first_half(token: str) -> str:
    return ("0" if token[0] != "0" else "1") + token[1:]


MALFORMED = {
    "tampered mask": _flip_first_half,
    "tampered token": _flip_last,
    "truncated": lambda token: token[:-1],
    "truncated by a byte": lambda token: token[:-2],
    "half": lambda token: token[:64],
    "too long": lambda token: token + "00",
    "upper case": lambda token: token.upper() if token.upper() != token else token[:-1] + "G",
    "trailing newline": lambda token: token + "\n",
    "inner space": lambda token: token[:64] + " " + token[65:],
    "non-ascii": lambda token: token[:-1] + "é",
    "non-ascii digits": lambda token: token[:-1] + "\uff10",
    "all non-ascii": lambda token: "é" * 128,
    "empty": lambda token: "",
}


@pytest.mark.parametrize("spoil", MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_spoilt_csrf_token_is_refused_with_403(client, spoil):
    user = await make_user()
    await login(client, user.email)
    token = await csrf_token(client, "/me")
    bad = spoil(token)
    assert bad != token
    form = await client.post("/me/profile", data={"csrf_token": bad, **PROFILE})
    assert form.status_code == 403, form.text[:300]
    assert "form has expired" in form.text or "formulaire a expiré" in form.text
    if bad and "\n" not in bad:
        header = await client.post("/me/profile", data=PROFILE, headers={"X-CSRF-Token": bad.encode()})
        assert header.status_code == 403
        api = await client.post("/api/v1/forum/topics", json={}, headers={"X-CSRF-Token": bad.encode()})
        assert api.status_code == 403 and api.json()["error"]["code"] == "csrf_failed"
    assert (await client.post("/me/profile", data={"csrf_token": token, **PROFILE})).status_code == 303


@pytest.mark.parametrize(
    "target",
    [
        "/",
        "/me",
        "/forum/topics/3?page=2#post-9",
        "/search?q=a%20b",
        "/%09/evil.example",  # encoded: stays a path on this site
        "/%2F/evil.example",
        "/caf\u00e9",
    ],
)
def test_safe_next_keeps_local_paths(target):
    assert safe_next(target, "/home") == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "me",
        "evil.example",
        "https://evil.example/",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "/a\\b",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r/evil.example",
        "/\r\n/evil.example",
        "\t//evil.example",
        " /me",
        "/me ",
        "/me\x00",
        "/\x0b/evil.example",
        "/\x0c/evil.example",
        "/\x1f/evil.example",
        "/\x7f/evil.example",
        "/\x85/evil.example",
        "/\u00a0/evil.example",
        "/\u2028/evil.example",
        "/\u3000/evil.example",
        "/me\r\nSet-Cookie: x=1",
    ],
)
def test_safe_next_refuses_other_sites_and_control_characters(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\\evil.example", "/\n/evil.example/x"])
async def test_login_never_sends_to_a_disguised_other_site(client, target):
    user = await make_user()
    response = await post_form(client, "/login", {"email": user.email, "password": PASSWORD, "next": target})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
