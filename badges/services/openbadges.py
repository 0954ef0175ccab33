"""Open Badges 2.0 documents (JSON-LD) for hosted verification, and the baked image.

Every document is served at its own ``id`` URL: the issuer profile, each BadgeClass and each
Assertion (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html)."""

from __future__ import annotations

import json
from typing import Any

from badges import images
from badges.models import Award, BadgeClass
from badges.services.awards import evidence_summary, get_award
from badges.services.classes import issuer, skills_of
from tierslieu import mail
from tierslieu.errors import N_, Gone
from tierslieu.responses import rfc3339
from tierslieu.urls import path_for

CONTEXT = "https://w3id.org/openbadges/v2"


def _url(name: str, **params: Any) -> str:
    return mail.base_url() + path_for(name, **params)


def issuer_url() -> str:
    return _url("badges:api:issuer_document")


def class_url(badge_class_id: int) -> str:
    return _url("badges:api:class_document", badge_class_id=badge_class_id)


def assertion_url(award_id: int) -> str:
    return _url("badges:api:assertion", award_id=award_id)


async def issuer_document() -> dict[str, Any]:
    profile = await issuer()
    document = {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": issuer_url(),
        "name": profile.name,
        "url": profile.url,
        "email": profile.email,
    }
    if profile.description:
        document["description"] = profile.description
    return document


async def class_document(badge_class: BadgeClass) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": class_url(badge_class.id),
        "name": badge_class.name,
        "description": badge_class.description,
        "image": _url("badges:class_image", badge_class_id=badge_class.id),
        "criteria": {
            "id": _url("badges:class", badge_class_id=badge_class.id),
            "narrative": badge_class.criteria,
        },
        "issuer": issuer_url(),
        "tags": await skills_of(badge_class),
    }


async def assertion_document(award: Award) -> dict[str, Any]:
    """The assertion of a live award (410 with the reason once revoked)."""
    if award.revoked_at is not None:
        raise Gone("revoked", N_("This badge was revoked."))
    summary = await evidence_summary(award)
    evidence: list[dict[str, Any]] = []
    if summary["event"] is not None:
        event = summary["event"]
        sessions = ", ".join(session.title for session in summary["sessions"])
        item: dict[str, Any] = {
            "id": _url("events:detail", event_id=event.id),
            "name": event.title,
            "genre": "Attendance",
        }
        if sessions:
            item["narrative"] = sessions
        evidence.append(item)
    if summary["mentoring"]:
        evidence.append({"genre": "Mentoring", "name": "Mentoring relationship completed"})
    if award.evidence_note:
        evidence.append({"narrative": award.evidence_note})
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_url(award.id),
        "recipient": {"type": "email", "hashed": True, "salt": award.salt, "identity": award.identity_hash},
        "badge": class_url(award.badge_class_id),
        "issuedOn": rfc3339(award.issued_at),
        "verification": {"type": "hosted"},
        "image": _url("badges:baked", award_id=award.id),
    }
    if evidence:
        document["evidence"] = evidence
    return document


def revoked_document(award: Award) -> dict[str, Any]:
    """What a verifier reads with the 410 of a revoked assertion."""
    return {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_url(award.id),
        "revoked": True,
        "revocationReason": award.revocation_reason,
    }


async def baked_image(award_id: int) -> bytes:
    """The class's image with the assertion baked in (a live award only: 410 once revoked)."""
    award, badge_class = await get_award(award_id)
    document = await assertion_document(award)
    return images.bake(badge_class.image, json.dumps(document, ensure_ascii=False, separators=(",", ":")))
