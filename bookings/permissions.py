"""Who may do what with rooms and bookings: pure predicates asked by routes, services
and templates alike."""

from __future__ import annotations

from typing import Any

from accounts.services import Role, has_role, roles_of
from bookings.models import LIVE, Status


def is_manager(user: Any) -> bool:
    return has_role(user, Role.SPACE_MANAGER) or has_role(user, Role.ADMIN)


def can_manage_rooms(user: Any) -> bool:
    return is_manager(user)


def can_book_room(user: Any, room: Any) -> bool:
    if user is None:
        return False
    return is_manager(user) or room.allowed_role in roles_of(user)


def is_owner(user: Any, booking: Any) -> bool:
    return user is not None and booking.user_id is not None and booking.user_id == user.id


def can_view_booking(user: Any, booking: Any) -> bool:
    return is_owner(user, booking) or is_manager(user)


def can_cancel_booking(user: Any, booking: Any) -> bool:
    return can_view_booking(user, booking) and booking.status in LIVE


def can_decide_booking(user: Any, booking: Any) -> bool:
    return is_manager(user) and booking.status == Status.PENDING


def can_check_in(user: Any, booking: Any) -> bool:
    return can_view_booking(user, booking) and booking.status == Status.CONFIRMED and booking.checked_in_at is None


def exempt_from_quota(user: Any) -> bool:
    return is_manager(user)
