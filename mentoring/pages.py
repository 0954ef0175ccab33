"""Helpers of the mentoring pages: reading the HTML forms (local times in the viewer's zone,
weekly times one line per day) into the validated inputs the services take."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from mentoring.forms import MentorProfileIn, RequestIn, SessionIn
from tierslieu import hours
from tierslieu.errors import N_, Invalid
from tierslieu.responses import parse
from tierslieu.validation import parse_day

DAY_FIELDS = {day: f"avail_{day}" for day in hours.WEEKDAYS}


def listed(values: dict[str, Any], name: str) -> list[str]:
    value = values.get(name, [])
    return [value] if isinstance(value, str) else list(value)


def availability_from(values: dict[str, Any]) -> dict[str, list[list[str]]]:
    """``avail_tue = "18:00-21:00, 09:00-12:00"`` for each day → the weekly shape."""
    result: dict[str, list[list[str]]] = {}
    for day, name in DAY_FIELDS.items():
        text = str(values.get(name, "")).strip()
        if not text:
            continue
        intervals = []
        for piece in text.replace(";", ",").split(","):
            start, _, end = piece.strip().partition("-")
            intervals.append([start.strip(), end.strip()])
        result[day] = intervals
    return result


def availability_text(availability: dict) -> dict[str, str]:
    """The weekly shape as the form shows it."""
    return {
        DAY_FIELDS[day]: ", ".join(f"{start}-{end}" for start, end in availability.get(day, []))
        for day in hours.WEEKDAYS
    }


def profile_input(values: dict[str, Any]) -> MentorProfileIn:
    return parse(
        MentorProfileIn,
        {
            "skills": listed(values, "skills"),
            "languages": [
                code for code in str(values.get("languages", "")).replace(";", ",").split(",") if code.strip()
            ],
            "formats": listed(values, "formats"),
            "max_mentees": values.get("max_mentees") or None,
            "bio": values.get("bio", ""),
            "motivation": values.get("motivation", ""),
            "timezone": values.get("timezone") or "Europe/Paris",
            "availability": availability_from(values),
            "paused_until": values.get("paused_until") or None,
        },
    )


def request_input(values: dict[str, Any]) -> RequestIn:
    availability = availability_from(values)
    return parse(
        RequestIn,
        {
            "topic": values.get("topic", ""),
            "skills": listed(values, "skills"),
            "goal": values.get("goal", ""),
            "background": values.get("background", ""),
            "languages": [
                code for code in str(values.get("languages", "")).replace(";", ",").split(",") if code.strip()
            ],
            "format": values.get("format") or "any",
            "timezone": values.get("timezone") or "Europe/Paris",
            "availability": availability or None,
        },
    )


def _local(day_text: Any, hhmm: Any, zone: ZoneInfo, name: str) -> datetime:
    day = parse_day(day_text if isinstance(day_text, str) else "")
    if day is None:
        raise Invalid("invalid", N_("Some fields are missing or invalid."), fields={"day": N_("Choose a day.")})
    try:
        wall = time.fromisoformat(str(hhmm))
    except ValueError:
        raise Invalid(
            "invalid",
            N_("Some fields are missing or invalid."),
            fields={name: N_("A time like 09:30 is expected here.")},
        ) from None
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def session_input(values: dict[str, Any], zone_name: str) -> SessionIn:
    """A day and two times in the viewer's zone, the format, the room or the link."""
    zone = ZoneInfo(zone_name)
    starts_at = _local(values.get("day"), values.get("start"), zone, "start")
    ends_at = _local(values.get("day"), values.get("end"), zone, "end")
    return parse(
        SessionIn,
        {
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "format": values.get("format") or "",
            "room_id": values.get("room_id") or None,
            "link": values.get("link", ""),
        },
    )
