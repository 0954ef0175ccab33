"""Who may do what with accounts. Pure predicates: routes, services and templates
all ask the same ones. ``actor.role_names`` is the set of roles loaded with the user."""

from __future__ import annotations

from accounts.models import Role, User

STAFF_ROLES = frozenset(
    {Role.ADMIN, Role.MODERATOR, Role.SPACE_MANAGER, Role.COORDINATOR, Role.HELPER, Role.FACILITATOR}
)
COORDINATOR_GRANTABLE = frozenset({Role.MENTOR, Role.HELPER})


def roles_of(user: User | None) -> frozenset[str]:
    if user is None:
        return frozenset()
    return getattr(user, "role_names", frozenset({Role.MEMBER}))


def has_role(user: User | None, role: Role) -> bool:
    return role in roles_of(user)


def is_staff(user: User | None) -> bool:
    """Holds a role that sees other people's private data: needs a second factor."""
    return bool(roles_of(user) & STAFF_ROLES)


def can_disable_two_factor(user: User | None) -> bool:
    return user is not None and not is_staff(user)


def can_reset_two_factor(user: User | None, target: User) -> bool:
    return has_role(user, Role.ADMIN) and user is not None and user.id != target.id and target.deleted_at is None


def can_access_admin(user: User | None) -> bool:
    return has_role(user, Role.ADMIN) or has_role(user, Role.COORDINATOR)


def can_search_users(user: User | None) -> bool:
    return can_access_admin(user)


def grantable_roles(user: User | None) -> frozenset[str]:
    """The roles this person may grant or remove."""
    if has_role(user, Role.ADMIN):
        return frozenset(Role) - {Role.MEMBER}
    if has_role(user, Role.COORDINATOR):
        return COORDINATOR_GRANTABLE
    return frozenset()


def can_change_roles(user: User | None, target: User, old: frozenset[str], new: frozenset[str]) -> bool:
    changed = (old ^ new) - {Role.MEMBER}
    return bool(grantable_roles(user)) and changed <= grantable_roles(user) and target.deleted_at is None


def can_suspend_user(user: User | None, target: User) -> bool:
    return has_role(user, Role.ADMIN) and user is not None and user.id != target.id and target.deleted_at is None


def can_edit_site_pages(user: User | None) -> bool:
    return has_role(user, Role.ADMIN)


def can_view_audit_log(user: User | None) -> bool:
    return can_access_admin(user)
