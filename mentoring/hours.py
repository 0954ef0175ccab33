"""Weekly availability of mentors and mentees: weekly hours in a zone (the kernel's shape,
:mod:`tierslieu.hours`) where none given means any time, compared across zones over a
reference week and read aloud by part of day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tierslieu.hours import Interval, covered, intersect, weekly_intervals

# a fixed week (Monday 2026-01-05) on which weekly availabilities of two zones are compared
REFERENCE_MONDAY = date(2026, 1, 5)


def intervals(availability: dict, zone_name: str, start: datetime, end: datetime) -> list[Interval]:
    """The available intervals (UTC) within [start, end); an empty availability is any time."""
    if not availability:
        return [(start, end)]
    return weekly_intervals(availability, ZoneInfo(zone_name), start, end)


def covers(availability: dict, zone_name: str, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether [starts_at, ends_at) lies inside one available interval."""
    return covered((starts_at, ends_at), intervals(availability, zone_name, starts_at, ends_at))


def reference_week() -> Interval:
    start = datetime.combine(REFERENCE_MONDAY, time(0), tzinfo=UTC)
    return start, start + timedelta(days=7)


def overlap(first: tuple[dict, str], second: tuple[dict, str]) -> list[Interval]:
    """Where two weekly availabilities (each with its zone) meet, over one reference week."""
    start, end = reference_week()
    # a week and a day on each side, so that a Sunday evening in Dakar meets a Monday in Paris
    start, end = start - timedelta(days=1), end + timedelta(days=1)
    found = intersect(intervals(first[0], first[1], start, end), intervals(second[0], second[1], start, end))
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
