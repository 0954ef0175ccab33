"""Roles, suspension, search and the audit log, through the API and the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts import figures, services
from accounts.models import AuditEntry, Role, Session, User
from tests.helpers import PASSWORD, api_token, login, make_user, post_form
from tierslieu import clock
from tierslieu.models import OutboxMail
from tierslieu.parts import Period


async def test_admin_grants_and_removes_roles_with_audit_and_mail(client):
    admin = await make_user(roles=(Role.ADMIN,))
    person = await make_user()
    headers = await api_token(client, admin.email)
    response = await client.post(
        f"/api/v1/admin/users/{person.id}/roles",
        json={"roles": ["moderator", "mentor"], "reason": "Aide au forum"},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json() == {"id": person.id, "roles": ["member", "mentor", "moderator"]}
    entry = await AuditEntry.get(target_id=person.id)
    assert entry.actor_id == admin.id and entry.action == "roles.changed" and entry.reason == "Aide au forum"
    assert entry.details == {"added": ["mentor", "moderator"], "removed": []}
    assert await OutboxMail.filter(to_address=person.email, kind="account").count() == 1
    response = await client.post(f"/api/v1/admin/users/{person.id}/roles", json={"roles": ["mentor"]}, headers=headers)
    assert response.json()["roles"] == ["member", "mentor"]
    # the same set again changes nothing and logs nothing
    await client.post(f"/api/v1/admin/users/{person.id}/roles", json={"roles": ["mentor"]}, headers=headers)
    assert await AuditEntry.filter(target_id=person.id).count() == 2


async def test_coordinators_grant_only_mentor_and_helper(client):
    coordinator = await make_user(roles=(Role.COORDINATOR,))
    person = await make_user()
    headers = await api_token(client, coordinator.email)
    ok = await client.post(
        f"/api/v1/admin/users/{person.id}/roles", json={"roles": ["mentor", "helper"]}, headers=headers
    )
    assert ok.status_code == 200
    refused = await client.post(
        f"/api/v1/admin/users/{person.id}/roles", json={"roles": ["mentor", "helper", "admin"]}, headers=headers
    )
    assert refused.status_code == 403
    moderator = await make_user(roles=(Role.MODERATOR,))
    # removing mentor from a moderator keeps the moderator role, which the coordinator may not touch
    keep = await client.post(
        f"/api/v1/admin/users/{moderator.id}/roles", json={"roles": ["moderator"]}, headers=headers
    )
    assert keep.status_code == 200
    drop = await client.post(f"/api/v1/admin/users/{moderator.id}/roles", json={"roles": []}, headers=headers)
    assert drop.status_code == 403


@pytest.mark.parametrize("role", [None, Role.MODERATOR, Role.FACILITATOR, Role.MENTOR])
async def test_others_may_not_change_roles(client, role):
    actor = await make_user(roles=(role,) if role else ())
    person = await make_user()
    headers = await api_token(client, actor.email)
    response = await client.post(f"/api/v1/admin/users/{person.id}/roles", json={"roles": ["mentor"]}, headers=headers)
    assert response.status_code == 403
    assert (await client.get("/api/v1/admin/users", headers=headers)).status_code == 403


async def test_removing_the_last_admin_is_a_conflict(client):
    admin = await make_user(roles=(Role.ADMIN,))
    headers = await api_token(client, admin.email)
    response = await client.post(f"/api/v1/admin/users/{admin.id}/roles", json={"roles": []}, headers=headers)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "last_admin"
    second = await make_user(roles=(Role.ADMIN,))
    response = await client.post(f"/api/v1/admin/users/{second.id}/roles", json={"roles": []}, headers=headers)
    assert response.status_code == 200


async def test_roles_input_is_validated(client):
    admin = await make_user(roles=(Role.ADMIN,))
    headers = await api_token(client, admin.email)
    response = await client.post(f"/api/v1/admin/users/{admin.id}/roles", json={"roles": ["wizard"]}, headers=headers)
    assert response.status_code == 422 and "roles.0" in response.json()["error"]["fields"]
    assert (
        await client.post("/api/v1/admin/users/999999/roles", json={"roles": []}, headers=headers)
    ).status_code == 404
    assert (
        await client.post(f"/api/v1/admin/users/{admin.id}/roles", json={"roles": "admin"}, headers=headers)
    ).status_code == 422


async def test_suspension_stops_sign_in_sessions_and_tokens(client, other_client):
    admin = await make_user(roles=(Role.ADMIN,))
    person = await make_user()
    person_headers = await api_token(other_client, person.email)
    await login(other_client, person.email)
    headers = await api_token(client, admin.email)
    response = await client.post(
        f"/api/v1/admin/users/{person.id}/suspend", json={"reason": "Spam répété"}, headers=headers
    )
    assert response.status_code == 200 and response.json()["suspended_at"]
    assert await Session.filter(user_id=person.id).count() == 0
    assert (await other_client.get("/me")).status_code == 303
    assert (await client.get("/api/v1/me", headers=person_headers)).status_code == 401
    login_again = await client.post("/api/v1/auth/tokens", json={"email": person.email, "password": PASSWORD})
    assert login_again.status_code == 401 and login_again.json()["error"]["code"] == "bad_credentials"
    assert (
        await client.post(f"/api/v1/admin/users/{person.id}/restore", json={"reason": "Erreur"}, headers=headers)
    ).status_code == 200
    # issue 17: a suspension revokes the tokens held before it; the person makes new ones
    assert (await client.get("/api/v1/me", headers=person_headers)).status_code == 401
    assert (await client.get("/api/v1/me", headers=await api_token(other_client, person.email))).status_code == 200
    actions = [e.action for e in await AuditEntry.filter(target_id=person.id).order_by("id")]
    assert actions == ["account.suspended", "account.restored"]
    assert (
        await client.post(f"/api/v1/admin/users/{admin.id}/suspend", json={"reason": "self"}, headers=headers)
    ).status_code == 403
    assert (await client.post(f"/api/v1/admin/users/{person.id}/suspend", json={}, headers=headers)).status_code == 422


async def test_admin_search(client):
    admin = await make_user(roles=(Role.ADMIN,))
    await make_user(display_name="Mariama Bâ", email="mariama@example.sn")
    headers = await api_token(client, admin.email)
    found = (await client.get("/api/v1/admin/users?q=mariama", headers=headers)).json()["items"]
    assert [p["email"] for p in found] == ["mariama@example.sn"]


@pytest.mark.parametrize(
    ("role", "status"), [(None, 403), (Role.MODERATOR, 403), (Role.COORDINATOR, 200), (Role.ADMIN, 200)]
)
async def test_admin_pages_permission_matrix(client, role, status):
    person = await make_user(display_name="Ousmane Sembène")
    actor = await make_user(roles=(role,) if role else ())
    await login(client, actor.email)
    for path in ("/admin", f"/admin/users/{person.id}", "/admin/audit"):
        assert (await client.get(path)).status_code == status, path


async def test_admin_pages_for_anonymous_redirect_to_login(client):
    assert (await client.get("/admin")).status_code == 303


async def test_roles_and_suspension_through_the_pages(client, other_client):
    admin = await make_user(roles=(Role.ADMIN,))
    person = await make_user(display_name="Cheikh Anta")
    await login(client, admin.email)
    page = await client.get(f"/admin/users/{person.id}")
    assert "Cheikh Anta" in page.text
    headers = await api_token(other_client, person.email)  # held before the staff role: keeps working
    response = await post_form(
        client,
        f"/admin/users/{person.id}/roles",
        {"roles": ["facilitator", "mentor"], "reason": "Animation"},
        from_page="/admin",
    )
    assert response.status_code == 303
    assert (await client.get("/api/v1/me", headers=headers)).json()["roles"] == ["facilitator", "member", "mentor"]
    response = await post_form(client, f"/admin/users/{person.id}/suspend", {"reason": ""}, from_page="/admin")
    assert response.status_code == 422
    response = await post_form(
        client, f"/admin/users/{person.id}/suspend", {"reason": "Comportement"}, from_page="/admin"
    )
    assert response.status_code == 303
    audit = await client.get("/admin/audit")
    assert "Comportement" in audit.text and "Animation" in audit.text


async def test_site_pages_have_defaults_and_admins_edit_them(client, other_client):
    fr = await client.get("/pages/privacy")
    assert fr.status_code == 200 and "données" in fr.text
    en = await client.get("/pages/privacy", headers={"Accept-Language": "en"})
    assert "Data we keep" in en.text
    assert (await client.get("/pages/nope")).status_code == 404
    member = await make_user()
    await login(other_client, member.email)
    assert (await other_client.get("/admin/pages/privacy")).status_code == 403
    admin = await make_user(roles=(Role.ADMIN,))
    await login(client, admin.email)
    response = await post_form(
        client,
        "/admin/pages/privacy?locale=fr",
        {"title": "Vie privée", "body_markdown": "Nous **protégeons** vos données.<script>alert(1)</script>"},
        from_page="/admin/pages/privacy",
    )
    assert response.status_code == 303
    page = await other_client.get("/pages/privacy")
    assert "<strong>protégeons</strong>" in page.text and "<script>alert" not in page.text
    empty = await post_form(
        client, "/admin/pages/privacy?locale=fr", {"title": "", "body_markdown": ""}, from_page="/admin/pages/privacy"
    )
    assert empty.status_code == 422


def _last_days(days: int = 30) -> Period:
    now = clock.now()
    return Period(now - timedelta(days=days), now)


async def _figures(period: Period) -> list[tuple[str, object]]:
    return [(figure.label, figure.value) for figure in (await figures.figures(period, "en")).figures]


async def test_accounts_figures_count_people_and_who_was_seen_during_the_period(settings):
    labels = ("People with an account", "People who signed up", "People active during the period")
    assert await _figures(_last_days()) == list(zip(labels, (0, 0, 0), strict=True))
    recent, twice, away, gone = [await make_user() for _ in range(4)]
    await make_user()  # signed up, never signed in
    old = await make_user()
    await User.filter(id=old.id).update(created_at=clock.now() - timedelta(days=40))
    for person in (recent, twice, twice, away, gone):
        await services.start_session(person, "203.0.113.7", "test", settings)
    await Session.filter(user_id=away.id).update(last_seen_at=clock.now() - timedelta(days=31))
    await User.filter(id=gone.id).update(deleted_at=clock.now())
    assert await _figures(_last_days()) == list(zip(labels, (5, 4, 2), strict=True))
    assert await _figures(_last_days(60)) == list(zip(labels, (5, 5, 3), strict=True))
    french = await figures.figures(_last_days(), "fr")
    assert french.figures[1].label == "Personnes inscrites"


async def test_the_dashboard_shows_the_figures_in_the_viewer_s_language(client, other_client):
    coordinator = await make_user(roles=(Role.COORDINATOR,), locale="en")
    admin = await make_user(roles=(Role.ADMIN,), locale="fr")
    await make_user()
    await login(client, coordinator.email)
    await login(other_client, admin.email)

    assert 'href="/admin/dashboard"' in (await client.get("/admin")).text
    page = (await client.get("/admin/dashboard")).text
    assert '<h2 id="figures-accounts">Accounts</h2>' in page
    assert "<dt>People who signed up</dt>\n    <dd>3</dd>" in page
    assert "<dt>People active during the period</dt>\n    <dd>2</dd>" in page
    page = (await other_client.get("/admin/dashboard")).text
    assert "<h1>Tableau de bord d’évaluation</h1>" in page and '<h2 id="figures-accounts">Comptes</h2>' in page
    assert "<dt>Personnes inscrites</dt>\n    <dd>3</dd>" in page
