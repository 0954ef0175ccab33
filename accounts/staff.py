"""What admins and coordinators do to accounts: roles, suspension, second-factor reset,
search, audit log."""

from __future__ import annotations

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from accounts import permissions, two_factor
from accounts.models import AuditEntry, Role, Session, User, UserRole
from accounts.services import load_roles, revoke_access
from tierslieu import clock, mail
from tierslieu.errors import N_, Conflict, Forbidden, NotFound

PAGE_SIZE = 25


async def record(
    actor: User | None, target: User | None, action: str, reason: str = "", **details: object
) -> AuditEntry:
    return await AuditEntry.create(actor=actor, target=target, action=action, reason=reason, details=details)


async def get_person(user_id: int) -> User:
    person = await User.get_or_none(id=user_id)
    if person is None:
        raise NotFound()
    return await load_roles(person)


async def set_roles(actor: User, target: User, roles: set[str], reason: str = "") -> frozenset[str]:
    """Give ``target`` exactly ``roles`` (``member`` implied). Admins may change any
    role, coordinators only mentor and helper. Removing the last admin is a 409."""
    new = frozenset({Role.MEMBER, *(Role(role) for role in roles)})
    async with in_transaction():
        # lock the admins' rows, so two admins demoting each other cannot both succeed
        admin_rows = await UserRole.filter(role=Role.ADMIN).select_for_update()
        old = frozenset(
            {Role.MEMBER, *(Role(r) for r in await UserRole.filter(user_id=target.id).values_list("role", flat=True))}
        )
        if not permissions.can_change_roles(actor, target, old, new):
            raise Forbidden("forbidden", N_("You may not change these roles."))
        if Role.ADMIN in old and Role.ADMIN not in new and len(admin_rows) <= 1:
            raise Conflict("last_admin", N_("The last admin cannot lose the admin role."))
        added, removed = new - old, old - new
        if removed:
            await UserRole.filter(user_id=target.id, role__in=[r.value for r in removed]).delete()
        for role in sorted(added - {Role.MEMBER}):
            await UserRole.create(user_id=target.id, role=role)
        if added or removed:
            await record(actor, target, "roles.changed", reason, added=sorted(added), removed=sorted(removed))
            await mail.send(
                target, "accounts/roles_changed", {"added": sorted(added), "removed": sorted(removed)}, kind="account"
            )
    target.role_names = new  # type: ignore[attr-defined]
    return new


async def suspend(actor: User, target: User, reason: str) -> None:
    if not permissions.can_suspend_user(actor, target):
        raise Forbidden("forbidden", N_("You may not suspend this account."))
    if target.suspended_at is not None:
        return
    async with in_transaction():
        target.suspended_at = clock.now()
        await target.save(update_fields=["suspended_at"])
        await Session.filter(user_id=target.id).delete()
        await record(actor, target, "account.suspended", reason)
        await mail.send(target, "accounts/suspended", {"reason": reason})
    await revoke_access(target, rotate_calendar=True)


async def restore(actor: User, target: User, reason: str) -> None:
    if not permissions.can_suspend_user(actor, target):
        raise Forbidden("forbidden", N_("You may not restore this account."))
    if target.suspended_at is None:
        return
    async with in_transaction():
        target.suspended_at = None
        await target.save(update_fields=["suspended_at"])
        await record(actor, target, "account.restored", reason)
        await mail.send(target, "accounts/restored", {"reason": reason})


async def reset_two_factor(actor: User, target: User, reason: str) -> None:
    """Remove ``target``'s second factor and recovery codes (a lost device): they sign in
    again with their password and, if their role requires it, enrol anew. Their sessions
    end; the reset is logged and mailed to them."""
    if not permissions.can_reset_two_factor(actor, target):
        raise Forbidden("forbidden", N_("You may not reset this person's second factor."))
    async with in_transaction():
        had = await two_factor.remove(target)
        await Session.filter(user_id=target.id).delete()
        await record(actor, target, "two_factor.reset", reason, had_two_factor=had)
        await mail.send(target, "accounts/two_factor_reset", {"reason": reason})
    await revoke_access(target, rotate_calendar=False)


async def search_people(query: str, page: int = 1) -> tuple[list[User], int]:
    """People whose name or address contains ``query``, with the number of pages."""
    qs = User.filter(deleted_at=None)
    query = query.strip()
    if query:
        qs = qs.filter(Q(email__icontains=query) | Q(display_name__icontains=query))
    total = await qs.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    people = await qs.order_by("display_name", "id").offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    roles: dict[int, set[str]] = {}
    for user_id, role in await UserRole.filter(user_id__in=[p.id for p in people]).values_list("user_id", "role"):
        roles.setdefault(user_id, set()).add(role)
    for person in people:
        person.role_names = frozenset({Role.MEMBER, *roles.get(person.id, ())})  # type: ignore[attr-defined]
    return people, pages


async def audit_log(page: int = 1, target: User | None = None) -> tuple[list[AuditEntry], int]:
    qs = AuditEntry.all()
    if target is not None:
        qs = qs.filter(target_id=target.id)
    total = await qs.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    entries = await qs.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).select_related("actor", "target")
    return entries, pages
