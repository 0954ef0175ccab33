"""Who may do what in mentoring. Pure predicates asked by services, routes and templates.

A request and everything under it (offers, thread, sessions, goals, notes) is visible only
to its mentee, the mentor it is offered or assigned to, and coordinators; to anyone else it
does not exist (404)."""

from __future__ import annotations

from typing import Any

from accounts.services import Role, has_role
from mentoring.models import OPEN_STATUSES, Request, RequestStatus


def is_coordinator(user: Any) -> bool:
    return has_role(user, Role.COORDINATOR)


def is_mentor(user: Any) -> bool:
    return has_role(user, Role.MENTOR)


def is_mentee(user: Any, request: Request) -> bool:
    return user is not None and request.mentee_id == user.id


def is_its_mentor(user: Any, request: Request) -> bool:
    return user is not None and request.mentor_id is not None and request.mentor_id == user.id


def is_participant(user: Any, request: Request) -> bool:
    return is_mentee(user, request) or (is_its_mentor(user, request) and request.status != RequestStatus.OPEN)


def can_view_request(user: Any, request: Request) -> bool:
    return is_participant(user, request) or is_coordinator(user)


def can_see_suggestions(user: Any, request: Request) -> bool:
    return (is_mentee(user, request) or is_coordinator(user)) and request.status == RequestStatus.OPEN


def can_offer(user: Any, request: Request) -> bool:
    """The mentee, or a coordinator on the mentee's behalf, while nobody holds the request."""
    return (is_mentee(user, request) or is_coordinator(user)) and request.status == RequestStatus.OPEN


def can_answer_offer(user: Any, request: Request) -> bool:
    return is_its_mentor(user, request) and request.status == RequestStatus.OFFERED


def can_withdraw(user: Any, request: Request) -> bool:
    return (is_mentee(user, request) or is_coordinator(user)) and request.status in OPEN_STATUSES


def can_renew(user: Any, request: Request) -> bool:
    return (
        is_mentee(user, request)
        and request.renewed_at is None
        and request.status in (RequestStatus.OPEN, RequestStatus.OFFERED, RequestStatus.EXPIRED)
    )


def is_active_participant(user: Any, request: Request) -> bool:
    """The mentee or the mentor of an accepted relationship still under way."""
    return request.status == RequestStatus.ACTIVE and (is_mentee(user, request) or is_its_mentor(user, request))


def can_see_contacts(user: Any, request: Request) -> bool:
    return request.accepted_at is not None and (is_participant(user, request) or is_coordinator(user))


def can_read_thread(user: Any, request: Request) -> bool:
    return request.accepted_at is not None and can_view_request(user, request)


def can_write_private_notes(user: Any, request: Request) -> bool:
    return is_its_mentor(user, request) and request.accepted_at is not None


def can_handle_reports(user: Any) -> bool:
    return is_coordinator(user)


def can_apply(user: Any) -> bool:
    return user is not None
