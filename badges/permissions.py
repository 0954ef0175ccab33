"""Who may do what with badges: pure predicates asked by routes, services and templates.

The facts they read are loaded by the services: ``badge_class.linked_facilitator_ids`` (the
people running an event linked to the class) and whether a completed mentoring relationship
lets a mentor award a mentee (``mentor_may``)."""

from __future__ import annotations

from typing import Any

from accounts.services import Role, has_role


def is_coordinator(user: Any) -> bool:
    return has_role(user, Role.COORDINATOR) or has_role(user, Role.ADMIN)


def can_create_class(user: Any) -> bool:
    return has_role(user, Role.FACILITATOR) or is_coordinator(user)


def is_creator(user: Any, badge_class: Any) -> bool:
    return user is not None and badge_class.created_by_id == user.id


def can_edit_class(user: Any, badge_class: Any) -> bool:
    return is_creator(user, badge_class) or is_coordinator(user)


def can_link_event(user: Any, event: Any) -> bool:
    """A facilitator of the event (who marks its required sessions) or a coordinator."""
    return user is not None and (user.id in getattr(event, "facilitator_ids", frozenset()) or is_coordinator(user))


def can_award(user: Any, badge_class: Any, *, mentor_may: bool = False) -> bool:
    """The class's creator, a facilitator of an event linked to it, a coordinator, or a
    mentor for a mentee whose relationship completed."""
    if user is None or badge_class.archived_at is not None:
        return False
    return (
        is_creator(user, badge_class)
        or user.id in getattr(badge_class, "linked_facilitator_ids", frozenset())
        or is_coordinator(user)
        or mentor_may
    )


def may_award_someone(user: Any, badge_class: Any, *, is_mentor: bool = False) -> bool:
    """Whether the award form is shown at all (a mentor is checked per mentee)."""
    return can_award(user, badge_class, mentor_may=is_mentor)


def can_revoke(user: Any, badge_class: Any) -> bool:
    return is_creator(user, badge_class) or is_coordinator(user)


def can_view_award(user: Any, award: Any, badge_class: Any) -> bool:
    """The award's page: its recipient, and those who may revoke it."""
    return user is not None and (award.recipient_id == user.id or can_revoke(user, badge_class))


def can_manage_issuer(user: Any) -> bool:
    return is_coordinator(user)
