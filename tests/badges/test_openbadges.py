"""Open Badges 2.0 hosted verification, checked by software we did not write: the documents are
expanded with pyld against 1EdTech's JSON-LD context (a copy kept beside this file, served by a
local document loader: no network), then their required properties are checked against the
specification's tables; the baked image is read back by hand from its PNG chunks.

The specification: Open Badges v2.0, IMS Final Release,
https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

from pyld import jsonld

from badges import services
from badges.forms import AwardCreate, EventLinkCreate
from tests.badges.helpers import make_class
from tests.events.helpers import make_event
from tests.helpers import make_user

CONTEXT_URL = "https://w3id.org/openbadges/v2"
CONTEXT = json.loads((Path(__file__).parent / "openbadges_v2_context.json").read_text())
TERMS = CONTEXT["@context"]
OB = "https://w3id.org/openbadges#"
LD_JSON = "application/ld+json"

# Required properties and their expected value types, from the specification's tables
# ("Assertion", "IdentityObject", "VerificationObject", "BadgeClass", "Criteria", "Profile").
ASSERTION_REQUIRED = {  # §Assertion: id, type, recipient, badge, verification, issuedOn
    "id": str,
    "type": str,
    "recipient": dict,
    "badge": str,
    "verification": dict,
    "issuedOn": str,
}
IDENTITY_REQUIRED = {"type": str, "identity": str, "hashed": bool}  # §IdentityObject (salt optional)
VERIFICATION_REQUIRED = {"type": str}  # §VerificationObject: "hosted" or "signed"
BADGE_CLASS_REQUIRED = {  # §BadgeClass: id, type, name, description, image, criteria, issuer
    "id": str,
    "type": str,
    "name": str,
    "description": str,
    "image": str,
    "criteria": dict,
    "issuer": str,
}
PROFILE_REQUIRED = {"id": str, "type": str, "name": str, "url": str, "email": str}  # §Profile


def loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Serve the Open Badges context from the local copy; any other URL is refused."""
    if url.rstrip("/") != CONTEXT_URL:
        raise AssertionError(f"the expansion asked for {url}: only the Open Badges context is served")
    return {"contextUrl": None, "documentUrl": url, "document": CONTEXT}


def term_iri(term: str) -> str:
    definition = TERMS[term]
    iri = definition if isinstance(definition, str) else definition["@id"]
    if iri in TERMS and not iri.startswith("http"):  # an alias ("verify": "verification")
        return term_iri(iri)
    prefix, _, rest = iri.partition(":")
    return TERMS[prefix] + rest if prefix in TERMS and isinstance(TERMS[prefix], str) else iri


def used_terms(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(used_terms(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    terms = {key for key in node if key not in ("@context", "id", "type")}
    for value in node.values():
        terms |= used_terms(value)
    return terms


def expanded_properties(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(expanded_properties(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    properties = {key for key in node if not key.startswith("@")}
    for value in node.values():
        properties |= expanded_properties(value)
    return properties


def check_expansion(document: dict[str, Any], expected_type: str) -> list[dict[str, Any]]:
    """Every property of ``document`` is a term of the context and survives the expansion as
    its IRI (a property the context does not define would be dropped silently)."""
    assert document["@context"] == CONTEXT_URL
    expanded = jsonld.expand(document, {"documentLoader": loader})
    terms = used_terms(document)
    unknown = terms - set(TERMS)
    assert not unknown, f"properties outside the Open Badges context: {unknown}"
    assert {term_iri(term) for term in terms} <= expanded_properties(expanded)
    assert expanded[0]["@type"] == [OB + expected_type]
    assert expanded[0]["@id"] == document["id"]
    return expanded


def check_required(document: dict[str, Any], table: dict[str, type]) -> None:
    for name, kind in table.items():
        assert name in document, f"{name} is required"
        assert isinstance(document[name], kind), f"{name} should be a {kind.__name__}"


async def _awarded(client):
    badge_class = await make_class(description="Algorithmique et programmation en NSI.")
    event = await make_event(badge_class.creator, title="Semaine NSI")
    await services.link_event(badge_class.creator, badge_class.id, EventLinkCreate(event_id=event.id))
    person = await make_user(email="lea.martin@example.org")
    award = await services.award_badge(
        badge_class.creator, badge_class.id, AwardCreate(user_id=person.id, evidence="Projet de graphe présenté")
    )
    return badge_class, person, award


async def test_the_three_documents_at_their_urls_are_valid_open_badges(client) -> None:
    badge_class, person, award = await _awarded(client)
    response = await client.get(f"/api/v1/badges/assertions/{award.id}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(LD_JSON)
    assertion = response.json()
    check_expansion(assertion, "Assertion")
    check_required(assertion, ASSERTION_REQUIRED)
    assert assertion["id"] == f"http://testserver/api/v1/badges/assertions/{award.id}"
    assert assertion["type"] == "Assertion"
    check_required(assertion["recipient"], IDENTITY_REQUIRED)
    recipient = assertion["recipient"]
    assert recipient["type"] == "email" and recipient["hashed"] is True
    assert recipient["identity"] == services.identity_hash("lea.martin@example.org", recipient["salt"])
    assert recipient["identity"].startswith("sha256$") and len(recipient["identity"]) == 71
    assert "lea.martin" not in response.text and person.display_name not in response.text
    check_required(assertion["verification"], VERIFICATION_REQUIRED)
    assert assertion["verification"]["type"] == "hosted"
    assert assertion["issuedOn"].endswith("Z")
    assert {item.get("narrative") for item in assertion["evidence"]} >= {"Projet de graphe présenté"}

    # the badge's id is its URL, answering the BadgeClass
    badge_path = assertion["badge"].removeprefix("http://testserver")
    response = await client.get(badge_path)
    assert response.status_code == 200 and response.headers["content-type"].startswith(LD_JSON)
    document = response.json()
    assert document["id"] == assertion["badge"]
    check_expansion(document, "BadgeClass")
    check_required(document, BADGE_CLASS_REQUIRED)
    assert document["name"] == badge_class.name and document["tags"] == ["nsi", "python"]
    assert document["criteria"]["narrative"] == badge_class.criteria
    image = await client.get(document["image"].removeprefix("http://testserver"))
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert (await client.get(document["criteria"]["id"].removeprefix("http://testserver"))).status_code == 200

    # and the issuer's id answers the issuer profile
    response = await client.get(document["issuer"].removeprefix("http://testserver"))
    assert response.status_code == 200 and response.headers["content-type"].startswith(LD_JSON)
    profile = response.json()
    assert profile["id"] == document["issuer"]
    check_expansion(profile, "Issuer")
    check_required(profile, PROFILE_REQUIRED)


async def test_a_revoked_assertion_answers_410_with_its_reason(client) -> None:
    badge_class, _, award = await _awarded(client)
    await services.revoke(badge_class.creator, award.id, "Attribué par erreur")
    response = await client.get(f"/api/v1/badges/assertions/{award.id}")
    assert response.status_code == 410
    assert response.headers["content-type"].startswith(LD_JSON)
    body = response.json()
    assert body["revoked"] is True and body["revocationReason"] == "Attribué par erreur"
    check_expansion(body, "Assertion")
    assert (await client.get(f"/badges/awards/{award.id}/badge.png")).status_code == 410
    assert (await client.get("/api/v1/badges/assertions/999999")).status_code == 404


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The chunks of a PNG, read by hand (each one's CRC checked)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks.append((kind, body))
        position += 12 + length
    assert chunks[-1][0] == b"IEND"
    return chunks


async def test_the_baked_image_carries_the_assertion_in_an_itxt_chunk(client) -> None:
    _, _, award = await _awarded(client)
    response = await client.get(f"/badges/awards/{award.id}/badge.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    baked = [body for kind, body in png_chunks(response.content) if kind == b"iTXt"]
    assert len(baked) == 1
    # iTXt: keyword, NUL, compression flag, compression method, language, NUL, translated keyword, NUL, text
    keyword, _, rest = baked[0].partition(b"\x00")
    assert keyword == b"openbadges"
    flag, method, rest = rest[0], rest[1], rest[2:]
    assert (flag, method) == (0, 0)
    language, _, rest = rest.partition(b"\x00")
    translated, _, text = rest.partition(b"\x00")
    assert language == b"" and translated == b""
    embedded = json.loads(text.decode("utf-8"))
    hosted = (await client.get(f"/api/v1/badges/assertions/{award.id}")).json()
    assert embedded == hosted
    check_expansion(embedded, "Assertion")
