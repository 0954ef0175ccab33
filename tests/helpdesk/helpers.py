"""Factories for help-desk tests."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from accounts.models import Role
from bookings.models import Room
from helpdesk import services
from helpdesk.forms import HoursCreate
from helpdesk.models import Hours
from tests.helpers import make_user
from tierslieu.hours import WEEKDAYS, local_instant

PARIS = ZoneInfo("Europe/Paris")
EVERY_DAY = {day: [["07:00", "22:00"]] for day in WEEKDAYS}
_numbers = itertools.count(1)


async def make_room(**overrides) -> Room:
    values = {"name": f"Desk {next(_numbers)}", "capacity": 2, "timezone": "Europe/Paris", "opening_hours": EVERY_DAY}
    values.update(overrides)
    return await Room.create(**values)


async def make_helper(**overrides):
    return await make_user(roles=(Role.HELPER,), **overrides)


async def make_coordinator(**overrides):
    return await make_user(roles=(Role.COORDINATOR,), **overrides)


def upcoming(weekday: str, weeks: int = 1) -> date:
    """The given weekday, at least 2 days ahead (in Paris)."""
    today = datetime.now(UTC).astimezone(PARIS).date()
    day = today + timedelta(days=2)
    day += timedelta(days=(WEEKDAYS.index(weekday) - day.weekday()) % 7)
    return day + timedelta(weeks=weeks - 1)


def at(day: date, hhmm: str, zone: ZoneInfo = PARIS) -> datetime:
    return local_instant(day, hhmm, zone)


def agenda_path(helper, starts_at: datetime) -> str:
    """The helper's agenda of the day (in their zone) an appointment starting then falls on."""
    return f"/helpdesk/agenda?day={starts_at.astimezone(ZoneInfo(helper.timezone)).date().isoformat()}"


def hours_data(**overrides) -> HoursCreate:
    values = {
        "weekday": "wed",
        "starts": "14:00",
        "ends": "16:00",
        "timezone": "Europe/Paris",
        "format": "online",
        "slot_minutes": 30,
        "buffer_minutes": 0,
        "topics": ["python", "reseaux"],
        "languages": ["fr", "en"],
        "join_url": "https://visio.example.org/desk",
    }
    values.update(overrides)
    return HoursCreate(**values)


async def make_hours(helper=None, **overrides) -> Hours:
    helper = helper or await make_helper()
    return await services.create_hours(helper, hours_data(**overrides))
