"""Weekly availability: the shape of a room's ``opening_hours`` (``{"tue": [["18:00",
"21:00"]]}`` in a zone; none given = any time), checked, compared and read aloud.

The rules of the shape are the bookings part's (``bookings/hours.py``), which it does not
offer through its services: they are repeated here, small and pure.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)|24:00")
# a fixed week (Monday 2026-01-05) on which weekly availabilities of two zones are compared
REFERENCE_MONDAY = date(2026, 1, 5)

Interval = tuple[datetime, datetime]


def valid_hhmm(value: object) -> bool:
    return isinstance(value, str) and HHMM.fullmatch(value) is not None


def normalise(raw: object) -> dict[str, list[list[str]]]:
    """Check ``{"mon": [["08:00", "12:00"]], ...}``; ValueError with an English reason."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError("availability must be an object")
    result: dict[str, list[list[str]]] = {}
    for day, intervals in raw.items():
        if day not in WEEKDAYS or not isinstance(intervals, list):
            raise ValueError(f"unknown day {day!r}")
        cleaned = []
        for interval in intervals:
            if not (isinstance(interval, (list, tuple)) and len(interval) == 2):
                raise ValueError("an interval is a pair of times")
            start, end = interval
            if not (valid_hhmm(start) and valid_hhmm(end)) or start == "24:00" or not (start < end):
                raise ValueError("an interval is two HH:MM times, the first one earlier")
            cleaned.append([start, end])
        cleaned.sort()
        for (_, end), (start, _) in itertools.pairwise(cleaned):
            if start < end:
                raise ValueError("intervals of a day must not overlap")
        if cleaned:
            result[day] = cleaned
    return {day: result[day] for day in WEEKDAYS if day in result}


def _instant(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    if hhmm == "24:00":
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    hours, minutes = hhmm.split(":")
    return datetime.combine(day, time(int(hours), int(minutes)), tzinfo=zone).astimezone(UTC)


def merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for begin, finish in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(finish, merged[-1][1]))
        else:
            merged.append((begin, finish))
    return merged


def intervals(availability: dict, zone_name: str, start: datetime, end: datetime) -> list[Interval]:
    """The available intervals (UTC) within [start, end); an empty availability is any time."""
    if not availability:
        return [(start, end)]
    zone = ZoneInfo(zone_name)
    result: list[Interval] = []
    day = (start - timedelta(days=1)).astimezone(zone).date()
    last = (end + timedelta(days=1)).astimezone(zone).date()
    while day <= last:
        for begin_at, end_at in availability.get(WEEKDAYS[day.weekday()], []):
            begin, finish = max(_instant(day, begin_at, zone), start), min(_instant(day, end_at, zone), end)
            if begin < finish:
                result.append((begin, finish))
        day += timedelta(days=1)
    return merge(result)


def covers(availability: dict, zone_name: str, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether [starts_at, ends_at) lies inside one available interval."""
    return any(b <= starts_at and ends_at <= f for b, f in intervals(availability, zone_name, starts_at, ends_at))


def reference_week() -> Interval:
    start = datetime.combine(REFERENCE_MONDAY, time(0), tzinfo=UTC)
    return start, start + timedelta(days=7)


def overlap(first: tuple[dict, str], second: tuple[dict, str]) -> list[Interval]:
    """Where two weekly availabilities (each with its zone) meet, over one reference week."""
    start, end = reference_week()
    # a week and a day on each side, so that a Sunday evening in Dakar meets a Monday in Paris
    start, end = start - timedelta(days=1), end + timedelta(days=1)
    a = intervals(first[0], first[1], start, end)
    b = intervals(second[0], second[1], start, end)
    found: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        begin, finish = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if begin < finish:
            found.append((begin, finish))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    week_start, week_end = reference_week()
    return [(max(b_, week_start), min(f, week_end)) for b_, f in found if f > week_start and b_ < week_end]


def hours_of(found: list[Interval]) -> float:
    return sum((f - b).total_seconds() for b, f in found) / 3600


PARTS_OF_DAY = ((0, 12, "morning"), (12, 18, "afternoon"), (18, 24, "evening"))


def slots_in(found: list[Interval], zone_name: str, *, minimum_minutes: int = 60) -> list[tuple[int, str]]:
    """The (weekday index, part of day) a reader in ``zone_name`` has at least
    ``minimum_minutes`` of, in week order: what "free Tuesday evenings" says."""
    zone = ZoneInfo(zone_name)
    minutes: dict[tuple[int, str], int] = {}
    for begin, finish in found:
        cursor = begin
        while cursor < finish:
            local = cursor.astimezone(zone)
            part = next(name for low, high, name in PARTS_OF_DAY if low <= local.hour < high)
            key = (local.weekday(), part)
            step = min(finish, cursor + timedelta(minutes=15))
            minutes[key] = minutes.get(key, 0) + int((step - cursor).total_seconds() // 60)
            cursor = step
    order = {name: index for index, (_, _, name) in enumerate(PARTS_OF_DAY)}
    return sorted(
        (key for key, total in minutes.items() if total >= minimum_minutes), key=lambda k: (k[0], order[k[1]])
    )
