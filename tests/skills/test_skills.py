"""The skill vocabulary: seeded by its migration, checked for other parts, kept by coordinators."""

from __future__ import annotations

import pytest
from tortoise.exceptions import IntegrityError

from accounts.services import Role
from skills import services
from skills.models import Skill
from tests.helpers import api_token, login, make_user, post_form
from tierslieu.errors import Invalid

SEEDED = {"python", "nsi", "snt", "ia", "reseaux", "pedagogie", "gestion-de-classe", "capes"}


async def test_the_migration_seeds_the_vocabulary_in_french_and_english() -> None:
    assert SEEDED <= set(await Skill.all().values_list("slug", flat=True))
    assert (await services.labels("fr"))["gestion-de-classe"] == "Gestion de classe"
    assert (await services.labels("en"))["gestion-de-classe"] == "Classroom management"
    french = await services.vocabulary("fr")
    assert [label for _, label in french] == sorted((label for _, label in french), key=str.casefold)


async def test_check_keeps_order_drops_repeats_and_refuses_unknown_or_retired_slugs() -> None:
    assert await services.check(["nsi", "python", "nsi"]) == ["nsi", "python"]
    assert await services.check([]) == []
    with pytest.raises(Invalid) as unknown:
        await services.check(["python", "cobol"], field="topics")
    assert unknown.value.code == "unknown_skill" and "cobol" in str(unknown.value.fields["topics"])
    await Skill.filter(slug="capes").update(retired=True)
    with pytest.raises(Invalid):
        await services.check(["capes"])
    assert "capes" in await services.labels("fr") and "capes" not in dict(await services.vocabulary("fr"))


async def test_the_database_refuses_a_malformed_slug() -> None:
    for slug in ("Python", "a b", "-x", "x-", "é"):
        with pytest.raises(IntegrityError):
            await Skill.create(slug=slug, label_fr="x", label_en="x")


async def test_the_api_lists_the_vocabulary_and_only_coordinators_keep_it(client) -> None:
    listed = await client.get("/api/v1/skills", headers={"Accept-Language": "en"})
    assert listed.status_code == 200
    by_slug = {item["slug"]: item for item in listed.json()["items"]}
    assert SEEDED <= set(by_slug) and by_slug["ia"]["label"] == "Artificial intelligence"
    body = {"slug": "scratch", "label_fr": "Scratch", "label_en": "Scratch"}
    member = await make_user()
    refused = await client.post("/api/v1/skills", json=body, headers=await api_token(client, member.email))
    assert refused.status_code == 403
    coordinator = await make_user(roles=(Role.COORDINATOR,))
    headers = await api_token(client, coordinator.email)
    created = await client.post("/api/v1/skills", json=body, headers=headers)
    assert created.status_code == 201 and created.json()["slug"] == "scratch"
    again = await client.post("/api/v1/skills", json=body, headers=headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "skill_exists"
    bad = await client.post("/api/v1/skills", json={**body, "slug": "Pas Bon"}, headers=headers)
    assert bad.status_code == 422 and "slug" in bad.json()["error"]["fields"]
    retired = await client.put(
        "/api/v1/skills/scratch", json={"label_fr": "Scratch", "label_en": "Scratch", "retired": True}, headers=headers
    )
    assert retired.status_code == 200 and retired.json()["retired"] is True
    missing = await client.put("/api/v1/skills/" + "x" * 60, json=body, headers=headers)
    assert missing.status_code == 404


async def test_the_coordinators_page_adds_and_renames_skills(client) -> None:
    assert (await client.get("/skills")).status_code == 303
    member = await make_user()
    await login(client, member.email)
    assert (await client.get("/skills")).status_code == 403
    await client.post("/logout", data={})
    client.cookies.clear()
    coordinator = await make_user(roles=(Role.COORDINATOR,))
    await login(client, coordinator.email)
    page = await client.get("/skills")
    assert page.status_code == 200 and "Gestion de classe" in page.text
    empty = await post_form(client, "/skills", {"slug": "", "label_fr": "", "label_en": ""}, from_page="/skills")
    assert empty.status_code == 422 and 'id="f-slug-error"' in empty.text
    added = await post_form(
        client, "/skills", {"slug": "algo", "label_fr": "Algorithmique", "label_en": "Algorithms"}, from_page="/skills"
    )
    assert added.status_code == 303 and await Skill.exists(slug="algo")
    renamed = await post_form(
        client,
        "/skills/algo",
        {"label_fr": "Algorithmique au lycée", "label_en": "Algorithms"},
        from_page="/skills/algo",
    )
    assert renamed.status_code == 303
    assert (await Skill.get(slug="algo")).label_fr == "Algorithmique au lycée"
    assert (await client.get("/skills/nothing-here")).status_code == 404
