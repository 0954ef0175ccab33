"""French pages say things in French: role names, audit and moderation actions, the names
of the fields in an error, never the codes stored or the parameters of an address."""

from __future__ import annotations

from accounts.models import Role
from forum import moderation
from tests.forum.factories import make_moderator, make_reply, make_topic
from tests.helpers import api_token, login, make_user, text_of


async def test_roles_and_audit_actions_read_in_french(client) -> None:
    admin = await make_user(roles=(Role.ADMIN,), display_name="Alice Admin")
    person = await make_user(display_name="Paul Espace")
    headers = await api_token(client, admin.email)
    await client.post(
        f"/api/v1/admin/users/{person.id}/roles",
        json={"roles": ["space_manager", "facilitator"], "reason": "Nouvelle équipe"},
        headers=headers,
    )
    await login(client, admin.email)
    people = text_of((await client.get("/admin?q=Paul")).text)
    assert all(label in people for label in ("Animateur", "Gestionnaire du lieu", "Membre"))
    for code in ("space_manager", "facilitator"):
        assert code not in people
    person_page = text_of((await client.get(f"/admin/users/{person.id}")).text)
    assert "roles.changed" not in person_page and "+facilitator" not in person_page
    assert "Rôles modifiés" in person_page


async def test_moderation_log_actions_read_in_french(client) -> None:
    moderator = await make_moderator()
    topic = await make_topic()
    post = await make_reply(topic)
    await moderation.set_post_hidden(moderator, post.id, True, "Hors sujet")
    await login(client, moderator.email)
    log = text_of((await client.get("/forum/moderation/log")).text)
    assert "Message masqué" in log and "post.hide" not in log


async def test_an_error_page_names_no_parameter(client) -> None:
    page = await client.get("/events?cursor=pas-un-curseur")
    assert page.status_code in (400, 422)
    text = text_of(page.text)
    assert "cursor" not in text


async def test_the_favicon_is_found(client) -> None:
    response = await client.get("/favicon.ico", follow_redirects=True)
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert 'rel="icon"' in (await client.get("/")).text


async def test_the_personal_calendar_link_comes_first_on_the_profile(client) -> None:
    from tests.helpers import login

    person = await make_user()
    await login(client, person.email)
    page = (await client.get("/me")).text
    assert page.index('id="calendar-url"') < page.index('id="h-profile"')
