"""Security defaults of the shell: CSRF everywhere, Origin checks, headers, body limit."""

from __future__ import annotations

import re

from starlette.routing import Mount, Route

from tests.helpers import csrf_token, login, make_user
from tierslieu import mail
from tierslieu.middleware import CONTENT_SECURITY_POLICY

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def unsafe_routes(app) -> list[tuple[str, str]]:
    """Every (method, concrete path) of the app that changes something."""
    found = []
    for route in app.routes:
        if isinstance(route, Mount) or not isinstance(route, Route):
            continue
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
        if path in mail.CSRF_EXEMPT:
            continue
        response = await client.request(method, path, data={"x": "1"})
        assert response.status_code == 403, (method, path, response.status_code)
        assert "form has expired" in response.text or "formulaire a expiré" in response.text, (method, path)


async def test_anonymous_page_posts_need_a_csrf_token_too(app, client):
    for method, path in unsafe_routes(app):
        if path.startswith("/api/") or path in mail.CSRF_EXEMPT:
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
