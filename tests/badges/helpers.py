"""Factories for the badges tests."""

from __future__ import annotations

import itertools
from typing import Any

from accounts.services import Role
from badges import services
from badges.forms import ClassCreate
from tests.helpers import make_user

_numbers = itertools.count(1)


async def make_creator(**overrides: Any):
    return await make_user(roles=(Role.FACILITATOR,), **overrides)


async def make_class(creator=None, **overrides: Any):
    creator = creator or await make_creator()
    values: dict[str, Any] = {
        "name": f"Badge {next(_numbers)}",
        "description": "Une compétence reconnue par le tiers-lieu.",
        "criteria": "Avoir suivi toutes les séances et présenté un projet.",
        "skills": ["python", "nsi"],
    }
    values.update(overrides)
    badge_class = await services.create_class(creator, ClassCreate.model_validate(values))
    badge_class.creator = creator  # type: ignore[attr-defined]
    return badge_class
