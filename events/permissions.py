"""Who may do what with events: pure predicates asked by routes, services and templates.

``facilitator_ids`` is the set of user ids running an event, loaded with it by the
services (``event.facilitator_ids``)."""

from __future__ import annotations

from typing import Any

from accounts.services import Role, has_role


def _facilitator_ids(event: Any) -> frozenset[int]:
    return getattr(event, "facilitator_ids", frozenset())


def is_admin(user: Any) -> bool:
    return has_role(user, Role.ADMIN)


def can_create_event(user: Any) -> bool:
    return has_role(user, Role.FACILITATOR) or is_admin(user)


def runs_event(user: Any, event: Any) -> bool:
    """A facilitator of this event (or an admin): manages it, sees its registrants."""
    return user is not None and (user.id in _facilitator_ids(event) or is_admin(user))


def can_view_event(user: Any, event: Any) -> bool:
    return str(event.status) != "draft" or runs_event(user, event)


def can_manage_event(user: Any, event: Any) -> bool:
    return runs_event(user, event)


def can_register(user: Any, event: Any) -> bool:
    return user is not None and str(event.status) == "published"


def can_see_join_link(user: Any, event: Any, registration: Any | None) -> bool:
    """Only confirmed registrants and the people running the event see the join link."""
    if runs_event(user, event):
        return True
    return (
        user is not None
        and registration is not None
        and registration.user_id == user.id
        and str(registration.status) == "confirmed"
    )
