"""Who may do what with rooms and bookings: pure predicates asked by routes, services
and templates alike."""

from __future__ import annotations

from typing import Any

from accounts.models import Role
from accounts.permissions import has_role, roles_of


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
    return can_view_booking(user, booking) and booking.status in ("pending", "confirmed")


def can_decide_booking(user: Any, booking: Any) -> bool:
    return is_manager(user) and booking.status == "pending"


def can_check_in(user: Any, booking: Any) -> bool:
    return can_view_booking(user, booking) and booking.status == "confirmed" and booking.checked_in_at is None


def exempt_from_quota(user: Any) -> bool:
    return is_manager(user)
