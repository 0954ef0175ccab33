"""Factories for room-booking tests."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bookings.models import Room
from tierslieu import hours

EVERY_DAY = {day: [["08:00", "20:00"]] for day in hours.WEEKDAYS}
PARIS = ZoneInfo("Europe/Paris")
_numbers = itertools.count(1)


async def make_room(**overrides) -> Room:
    values = {
        "name": f"Room {next(_numbers)}",
        "capacity": 10,
        "timezone": "Europe/Paris",
        "opening_hours": EVERY_DAY,
    }
    values.update(overrides)
    return await Room.create(**values)


def next_monday(weeks: int = 1) -> date:
    """A Monday at least a few days ahead (bookings are not in the past)."""
    today = datetime.now(UTC).astimezone(PARIS).date()
    return today + timedelta(days=7 - today.weekday()) + timedelta(weeks=weeks - 1)


def at(day: date, hhmm: str, zone: ZoneInfo = PARIS) -> datetime:
    """A local wall-clock time on a day, as an aware UTC datetime."""
    return hours.local_instant(day, hhmm, zone)


def rfc3339(value: datetime, zone: ZoneInfo = PARIS) -> str:
    return value.astimezone(zone).isoformat()
