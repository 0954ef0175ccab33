"""Who may do what at the help desk: pure predicates asked by services, routes and
templates alike. The need described in an appointment is private to the person, the
helper and coordinators; so is an online appointment's link (coordinators aside)."""

from __future__ import annotations

from typing import Any

from accounts.services import Role, has_role


def is_helper(user: Any) -> bool:
    return has_role(user, Role.HELPER)


def is_coordinator(user: Any) -> bool:
    return has_role(user, Role.COORDINATOR) or has_role(user, Role.ADMIN)


def can_publish_hours(user: Any) -> bool:
    return user is not None and is_helper(user)


def can_manage_hours(user: Any, hours: Any) -> bool:
    return user is not None and hours.helper_id == user.id and is_helper(user)


def can_book(user: Any) -> bool:
    return user is not None


def is_person(user: Any, appointment: Any) -> bool:
    return user is not None and appointment.person_id == user.id


def is_its_helper(user: Any, appointment: Any) -> bool:
    return user is not None and appointment.helper_id == user.id


def can_view_appointment(user: Any, appointment: Any) -> bool:
    """The person, the helper and coordinators; anyone else sees a 404."""
    return is_person(user, appointment) or is_its_helper(user, appointment) or is_coordinator(user)


def can_see_join_url(user: Any, appointment: Any) -> bool:
    return is_person(user, appointment) or is_its_helper(user, appointment)


def can_cancel_appointment(user: Any, appointment: Any) -> bool:
    return is_person(user, appointment) or is_its_helper(user, appointment)


def can_move_appointment(user: Any, appointment: Any) -> bool:
    return is_person(user, appointment)


def can_record_outcome(user: Any, appointment: Any) -> bool:
    """Done or no-show, and the follow-up: the helper of the appointment."""
    return is_its_helper(user, appointment)


def can_view_week(user: Any) -> bool:
    return user is not None and is_coordinator(user)


def can_view_agenda(user: Any) -> bool:
    return user is not None and is_helper(user)
