"""Weekly hours and time arithmetic in a zone.

Weekly hours are stored as ``{"mon": [["08:00", "12:00"], ["14:00", "20:00"]], ...}`` read
in a zone (a room's opening hours, a mentor's or a mentee's weekly availability); a
help-desk helper's duty hours are one weekday and two such ``HH:MM`` times. This module
checks the shape, lays it on real days (each day on its own, so that across a DST change
the local hours stay and the UTC instants move) and does the arithmetic of half-open
intervals, local days and local weeks.

Pure functions on aware datetimes; every instant that leaves this module is in UTC.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from tierslieu import i18n
from tierslieu.errors import N_

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = {
    "mon": N_("Monday"),
    "tue": N_("Tuesday"),
    "wed": N_("Wednesday"),
    "thu": N_("Thursday"),
    "fri": N_("Friday"),
    "sat": N_("Saturday"),
    "sun": N_("Sunday"),
}
HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)|24:00")

Interval = tuple[datetime, datetime]


def parse_hhmm(value: str) -> time | None:
    """``"08:30"`` → 08:30; ``"24:00"`` → None (the end of the day)."""
    if value == "24:00":
        return None
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def valid_hhmm(value: object) -> bool:
    """``HH:MM`` from 00:00 to 24:00 (24:00 ends a day)."""
    return isinstance(value, str) and HHMM.fullmatch(value) is not None


def is_time_of_day(value: object) -> bool:
    """``HH:MM`` from 00:00 to 23:59: a time something may start at."""
    return valid_hhmm(value) and value != "24:00"


def minutes_of(hhmm: str) -> int:
    """``"08:30"`` → 510; ``"24:00"`` → 1440."""
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def normalise(raw: object) -> dict[str, list[list[str]]]:
    """Check ``{"mon": [["08:00", "12:00"], ["14:00", "20:00"]], ...}``: days ``mon`` to
    ``sun``, each a list of ``HH:MM`` pairs, the first one earlier, not overlapping. Returns
    it with the intervals of a day sorted, empty days left out, days in week order;
    ValueError (with an English reason) if wrong."""
    if not isinstance(raw, dict):
        raise ValueError("weekly hours must be an object")
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


@lru_cache(maxsize=8192)
def local_instant(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a local day (a time skipped by a DST change
    is read with the offset in force before it, as zoneinfo does; ``24:00`` is the next
    day's midnight). Memoised: a week of availability asks for the same opening and closing
    times of the same days again and again, and each costs a zone conversion."""
    parsed = parse_hhmm(hhmm)
    if parsed is None:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return datetime.combine(day, parsed, tzinfo=zone).astimezone(UTC)


def local_days(start: datetime, end: datetime, zone: ZoneInfo) -> Iterator[date]:
    """Every local day touched by [start, end)."""
    day = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def weekly_intervals(weekly: dict, zone: ZoneInfo, start: datetime, end: datetime) -> list[Interval]:
    """The intervals (UTC) of weekly hours, read in ``zone``, within [start, end)."""
    result: list[Interval] = []
    for day in local_days(start - timedelta(days=1), end + timedelta(days=1), zone):
        for open_at, close_at in weekly.get(WEEKDAYS[day.weekday()], []):
            begin, finish = local_instant(day, open_at, zone), local_instant(day, close_at, zone)
            begin, finish = max(begin, start), min(finish, end)
            if begin < finish:
                result.append((begin, finish))
    return merge(result)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of half-open intervals, as sorted disjoint intervals (touching ones joined)."""
    merged: list[Interval] = []
    for begin, finish in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            if finish > merged[-1][1]:
                merged[-1] = (merged[-1][0], finish)
        else:
            merged.append((begin, finish))
    return merged


def subtract(intervals: Iterable[Interval], taken: Iterable[Interval]) -> list[Interval]:
    """``intervals`` minus ``taken`` (both lists of half-open intervals), in one sweep."""
    result = []
    taken = merge(taken)
    first = 0  # the first taken interval that may still meet the intervals to come
    for begin, finish in merge(intervals):
        while first < len(taken) and taken[first][1] <= begin:
            first += 1
        cursor = begin
        for busy_begin, busy_end in itertools.islice(taken, first, None):
            if busy_begin >= finish:
                break
            if busy_begin > cursor:
                result.append((cursor, busy_begin))
            if busy_end > cursor:
                cursor = busy_end
        if cursor < finish:
            result.append((cursor, finish))
    return result


def intersect(first: list[Interval], second: list[Interval]) -> list[Interval]:
    """Where two lists of sorted disjoint half-open intervals (as :func:`merge` gives them)
    meet, in one sweep."""
    found: list[Interval] = []
    i = j = 0
    while i < len(first) and j < len(second):
        begin, finish = max(first[i][0], second[j][0]), min(first[i][1], second[j][1])
        if begin < finish:
            found.append((begin, finish))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return found


def covered(interval: Interval, by: list[Interval]) -> bool:
    """Whether ``interval`` lies entirely inside one of the merged intervals ``by``."""
    begin, finish = interval
    return any(start <= begin and finish <= end for start, end in merge(by))


def minutes_of_day(instant: datetime, zone: ZoneInfo) -> int:
    local = instant.astimezone(zone)
    return local.hour * 60 + local.minute


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def local_week_bounds(instant: datetime, zone: ZoneInfo) -> Interval:
    """The UTC bounds of the local Monday-to-Monday week holding ``instant``."""
    monday = week_start(instant.astimezone(zone).date())
    return (
        datetime.combine(monday, time(0), tzinfo=zone).astimezone(UTC),
        datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone).astimezone(UTC),
    )


def local_text(instant: datetime, zone: ZoneInfo) -> str:
    """A language-neutral local time for messages: ``2026-12-03 09:00``."""
    return i18n.in_zone(instant, zone).strftime("%Y-%m-%d %H:%M")
