"""A person's badges in "download my data", and what becomes of them when the account goes."""

from __future__ import annotations

from typing import Any

from badges.models import Award, BadgeClass, EventLink, MentorGrant
from badges.services.openbadges import assertion_url
from tierslieu import clock
from tierslieu.errors import N_
from tierslieu.parts import DeletionChoice

KEEP, REVOKE = "keep", "revoke"
DELETION_CHOICE = DeletionChoice(
    name="badges_on_deletion",
    label=N_("What becomes of my badges?"),
    options=(
        (KEEP, N_("They stay verifiable: only a salted hash of my address stays with them, never my name")),
        (REVOKE, N_("They are revoked: verifiers will read that I deleted my account")),
    ),
)
ACCOUNT_DELETED = "Revoked at the holder's request: the account was deleted."


async def export_personal_data(user: Any) -> dict[str, Any]:
    awards = await Award.filter(recipient_id=user.id).order_by("issued_at", "id").prefetch_related("badge_class")
    created = await BadgeClass.filter(created_by_id=user.id).order_by("id").values("id", "name", "created_at")
    grants = await MentorGrant.filter(mentee_id=user.id).values("relationship_id", "mentor_id", "created_at")
    return {
        "awards": [
            {
                "badge": award.badge_class.name,
                "criteria": award.badge_class.criteria,
                "issued_at": award.issued_at,
                "origin": str(award.origin),
                "evidence_note": award.evidence_note,
                "event_id": award.event_id,
                "assertion_url": assertion_url(award.id),
                "shared": award.shared,
                "revoked_at": award.revoked_at,
                "revocation_reason": award.revocation_reason,
            }
            for award in awards
        ],
        "badge_classes_created": created,
        "mentoring_grants": grants,
    }


async def erase_personal_data(user: Any, answer: str = KEEP) -> None:
    """Inside the deletion's transaction: the awards lose their link to the person and their
    share page, keeping the salted hash (still verifiable) or revoked as the person chose; the
    mentoring grants go; the classes they created stay, without their name."""
    awards = Award.filter(recipient_id=user.id)
    if answer == REVOKE:
        await awards.filter(revoked_at=None).update(
            revoked_at=clock.now(), revocation_reason=ACCOUNT_DELETED, revoked_by_id=None
        )
    await Award.filter(recipient_id=user.id).update(recipient_id=None, shared=False, evidence_note="")
    await Award.filter(awarded_by_id=user.id).update(awarded_by_id=None)
    await Award.filter(revoked_by_id=user.id).update(revoked_by_id=None)
    await EventLink.filter(linked_by_id=user.id).update(linked_by_id=None)
    await MentorGrant.filter(mentor_id=user.id).delete()
    await MentorGrant.filter(mentee_id=user.id).delete()
    await BadgeClass.filter(created_by_id=user.id).update(created_by_id=None)
