"""Factories for event tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from accounts.models import Role
from events import services
from events.forms import EventCreate
from events.models import Event
from tests.helpers import make_user

_numbers = itertools.count(1)


def soon(days: int = 10, hour: int = 9) -> datetime:
    base = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    return base + timedelta(days=days)


async def make_facilitator(**overrides: Any):
    return await make_user(roles=(Role.FACILITATOR,), **overrides)


async def make_event(facilitator=None, **overrides: Any) -> Event:
    facilitator = facilitator or await make_facilitator()
    starts = overrides.pop("starts_at", soon())
    values: dict[str, Any] = {
        "title": f"Event {next(_numbers)}",
        "kind": "webinar",
        "mode": "online",
        "timezone": "Europe/Paris",
        "starts_at": starts,
        "ends_at": overrides.pop("ends_at", starts + timedelta(hours=2)),
        "capacity": 10,
        "join_url": "https://visio.example.org/room-secret",
    }
    values.update(overrides)
    event = await services.create_event(facilitator, EventCreate.model_validate(values))
    event.facilitator = facilitator  # type: ignore[attr-defined]
    return event
