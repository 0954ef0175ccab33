"""Who may keep the skill vocabulary."""

from __future__ import annotations

from typing import Any

from accounts.services import Role, has_role


def can_manage_skills(user: Any) -> bool:
    return has_role(user, Role.COORDINATOR) or has_role(user, Role.ADMIN)
