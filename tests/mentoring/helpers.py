"""Factories for mentoring tests: mentors with profiles, requests, a relationship."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accounts.models import Role
from mentoring import services
from mentoring.forms import MentorProfileIn, RequestIn
from tests.helpers import make_user
from tierslieu.hours import local_instant

PARIS = ZoneInfo("Europe/Paris")
EVENINGS = {day: [["18:00", "21:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


async def make_mentor(*, availability: dict | None = None, **overrides: Any):
    """A person holding the mentor role, with an active profile."""
    user_fields = {k: overrides.pop(k) for k in ("email", "display_name", "locale", "timezone") if k in overrides}
    user = await make_user(roles=(Role.MENTOR,), **user_fields)
    values: dict[str, Any] = {
        "skills": ["python", "nsi"],
        "languages": ["fr"],
        "formats": ["onsite", "online"],
        "max_mentees": 2,
        "bio": "Mentor",
        "timezone": "Europe/Paris",
        "availability": EVENINGS if availability is None else availability,
    }
    values.update(overrides)
    await services.save_profile(user, MentorProfileIn(**values))
    return user


async def make_request(mentee=None, **overrides: Any):
    mentee = mentee or await make_user()
    values: dict[str, Any] = {
        "topic": "Préparer le CAPES NSI",
        "skills": ["nsi"],
        "goal": "Réussir l'écrit",
        "languages": ["fr"],
        "format": "any",
        "timezone": "Europe/Paris",
    }
    values.update(overrides)
    return mentee, await services.create_request(mentee, RequestIn(**values))


async def make_relationship(mentor=None, mentee=None, **overrides: Any):
    mentor = mentor or await make_mentor()
    mentee, request = await make_request(mentee, **overrides)
    await services.offer(mentee, request.id, mentor.id)
    await services.accept(mentor, request.id)
    return mentor, mentee, request


def next_weekday(weekday: int, weeks: int = 1) -> date:
    """A local day with this weekday (0 = Monday) at least a few days ahead."""
    today = datetime.now(UTC).astimezone(PARIS).date()
    ahead = (weekday - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead + 7 * (weeks - 1))


def at(day: date, hhmm: str, zone: ZoneInfo = PARIS) -> datetime:
    return local_instant(day, hhmm, zone)


def rfc3339(value: datetime, zone: ZoneInfo = PARIS) -> str:
    return value.astimezone(zone).isoformat()
