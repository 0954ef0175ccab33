"""The badges pages and API: who sees and does what, the share page, the deletion choice."""

from __future__ import annotations

import base64
import io

from PIL import Image

from accounts.models import Role
from badges import services
from badges.forms import AwardCreate
from badges.models import Award, BadgeClass
from tests.badges.helpers import make_class, make_creator
from tests.helpers import PASSWORD, api_token, csrf_token, login, make_user, post_form


def _png(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(out, "PNG")
    return out.getvalue()


async def test_the_api_creates_classes_and_awards(client) -> None:
    creator = await make_creator()
    headers = await api_token(client, creator.email)
    body = {
        "name": "Python au lycée",
        "description": "Enseigner Python en seconde.",
        "criteria": "Trois séances suivies.",
        "skills": ["python"],
        "image": "data:image/png;base64," + base64.b64encode(_png()).decode(),
    }
    created = await client.post("/api/v1/badges/classes", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["url"] == f"http://testserver/badges/classes/{created.json()['id']}"
    stored = await BadgeClass.get(id=created.json()["id"])
    with Image.open(io.BytesIO(stored.image)) as image:
        assert image.size == (256, 256) and not stored.image_generated
    unknown = await client.post("/api/v1/badges/classes", json={**body, "skills": ["cuisine"]}, headers=headers)
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_skill"
    bad_image = await client.post(
        "/api/v1/badges/classes", json={**body, "image": "data:text/plain;base64,aGk="}, headers=headers
    )
    assert bad_image.status_code == 422
    member = await make_user()
    refused = await client.post("/api/v1/badges/classes", json=body, headers=await api_token(client, member.email))
    assert refused.status_code == 403

    awards = f"/api/v1/badges/classes/{stored.id}/awards"
    given = await client.post(awards, json={"user_id": member.id, "evidence": "Séances suivies"}, headers=headers)
    assert given.status_code == 201
    assert given.json()["assertion_url"] == f"http://testserver/api/v1/badges/assertions/{given.json()['id']}"
    again = await client.post(awards, json={"user_id": member.id}, headers=headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_awarded"
    other = await client.post(awards, json={"user_id": creator.id}, headers=await api_token(client, member.email))
    assert other.status_code == 403
    assert (await client.post(awards, json={"user_id": creator.id})).status_code in (401, 403)


async def test_pages_for_a_facilitator_and_for_the_recipient(client, other_client) -> None:
    creator = await make_creator()
    await login(client, creator.email)
    form = await client.get("/badges/classes/new")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    token = await csrf_token(client, "/badges/classes/new")
    response = await client.post(
        "/badges/classes/new",
        data={
            "csrf_token": token,
            "name": "Réseaux",
            "description": "Les bases.",
            "criteria": "Un TP.",
            "skills": ["reseaux"],
        },
        files={"image": ("badge.png", _png("blue"), "image/png")},
    )
    assert response.status_code == 303
    badge_class = await BadgeClass.get(name="Réseaux")
    empty = await post_form(client, "/badges/classes/new", {"name": ""}, from_page="/badges/classes/new")
    assert empty.status_code == 422

    recipient = await make_user(display_name="Léa Martin")
    awarded = await post_form(
        client,
        f"/badges/classes/{badge_class.id}/awards",
        {"user_id": str(recipient.id), "evidence": "TP réussi"},
        from_page=f"/badges/classes/{badge_class.id}",
    )
    assert awarded.status_code == 303
    award = await Award.get(recipient_id=recipient.id)
    page = (await client.get(f"/badges/classes/{badge_class.id}")).text
    assert "Léa Martin" in page  # the creator sees who holds it

    await login(other_client, recipient.email)
    assert "Réseaux" in (await other_client.get("/badges/mine")).text
    assert (await other_client.get(f"/badges/s/{award.share_token}")).status_code == 404  # off by default
    shared = await post_form(
        other_client, f"/badges/awards/{award.id}/share", {"shared": "1"}, from_page=f"/badges/awards/{award.id}"
    )
    assert shared.status_code == 303
    public = await client.get(f"/badges/s/{award.share_token}")
    assert public.status_code == 200
    assert "Léa Martin" in public.text and "Un TP." in public.text and "TP réussi" in public.text
    # someone else's award page is not found
    assert (await other_client.get(f"/badges/awards/{award.id}")).status_code == 200
    stranger = await make_user()
    await login(client, stranger.email)
    assert (await client.get(f"/badges/awards/{award.id}")).status_code == 404

    # revoked: the share page says so, with the reason
    await services.revoke(creator, award.id, "Erreur de saisie")
    public = await client.get(f"/badges/s/{award.share_token}")
    assert "Erreur de saisie" in public.text and "toujours valide" not in public.text


async def test_the_issuer_profile_is_edited_by_coordinators(client) -> None:
    await login(client, (await make_user()).email)
    assert (await client.get("/badges/issuer")).status_code == 403
    await login(client, (await make_user(roles=(Role.COORDINATOR,))).email)
    response = await post_form(
        client,
        "/badges/issuer",
        {"name": "Tiers-lieu du Lac", "url": "https://tiers-lieu.example.org", "email": "contact@example.org"},
        from_page="/badges/issuer",
    )
    assert response.status_code == 303
    profile = (await client.get("/api/v1/badges/issuer")).json()
    assert (profile["name"], profile["url"], profile["email"]) == (
        "Tiers-lieu du Lac",
        "https://tiers-lieu.example.org",
        "contact@example.org",
    )
    bad = await post_form(
        client, "/badges/issuer", {"name": "X", "url": "ftp://x", "email": "x"}, from_page="/badges/issuer"
    )
    assert bad.status_code == 422


async def _deleting(client, choice: str | None) -> Award:
    badge_class = await make_class()
    person = await make_user()
    award = await services.award_badge(badge_class.creator, badge_class.id, AwardCreate(user_id=person.id))
    await login(client, person.email)
    page = await client.get("/me/delete")
    assert 'name="badges_on_deletion" value="keep" checked' in page.text
    data = {"password": PASSWORD, "confirm": "yes"}
    if choice:
        data["badges_on_deletion"] = choice
    response = await post_form(client, "/me/delete", data, from_page="/me/delete")
    assert response.status_code == 200, response.text[:300]
    return await Award.get(id=award.id)


async def test_on_deletion_badges_stay_verifiable(client) -> None:
    award = await _deleting(client, "keep")
    assert award.recipient_id is None and award.revoked_at is None and award.identity_hash.startswith("sha256$")
    assert (await client.get(f"/api/v1/badges/assertions/{award.id}")).status_code == 200


async def test_on_deletion_badges_may_be_revoked(client) -> None:
    award = await _deleting(client, "revoke")
    assert award.recipient_id is None and award.revoked_at is not None
    gone = await client.get(f"/api/v1/badges/assertions/{award.id}")
    assert gone.status_code == 410 and "account was deleted" in gone.json()["revocationReason"]


async def test_a_foreign_deletion_answer_is_refused(client) -> None:
    person = await make_user()
    await login(client, person.email)
    response = await post_form(
        client,
        "/me/delete",
        {"password": PASSWORD, "confirm": "yes", "badges_on_deletion": "lose"},
        from_page="/me/delete",
    )
    assert response.status_code == 422
