"""Weekly hours and intervals in a zone, across daylight-saving changes (the kernel's
``tierslieu.hours``, which rooms, mentoring and the help desk share)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tierslieu import hours

PARIS = ZoneInfo("Europe/Paris")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_weekly_hours_are_validated_and_sorted() -> None:
    raw = {"tue": [["14:00", "18:00"], ["08:00", "12:00"]], "mon": [["08:00", "24:00"]], "sun": []}
    assert hours.normalise(raw) == {
        "mon": [["08:00", "24:00"]],
        "tue": [["08:00", "12:00"], ["14:00", "18:00"]],
    }
    assert list(hours.normalise({"sun": [["10:00", "12:00"]], "mon": [["08:00", "09:00"]]})) == ["mon", "sun"]
    for wrong in (
        {"lun": [["08:00", "12:00"]]},
        {"mon": [["12:00", "08:00"]]},
        {"mon": [["8:00", "12:00"]]},
        {"mon": [["08:00", "12:00"], ["11:00", "13:00"]]},
        {"mon": [["08:00"]]},
        [],
        None,
        {"mon": "08:00-12:00"},
        {"mon": [["24:00", "24:00"]]},
    ):
        with pytest.raises(ValueError):
            hours.normalise(wrong)


def test_spring_forward_day_keeps_local_opening_hours() -> None:
    # last Sunday of March 2027: 02:00 → 03:00 in Paris; 08:00 local is 06:00Z after the change
    opening = hours.weekly_intervals(
        {"sat": [["08:00", "12:00"]], "sun": [["08:00", "12:00"]]}, PARIS, utc(2027, 3, 27), utc(2027, 3, 29)
    )
    assert opening == [(utc(2027, 3, 27, 7), utc(2027, 3, 27, 11)), (utc(2027, 3, 28, 6), utc(2027, 3, 28, 10))]


def test_fall_back_day_is_25_hours_long() -> None:
    # last Sunday of October 2027: 03:00 → 02:00; a room open all day is open 25 hours
    opening = hours.weekly_intervals({"sun": [["00:00", "24:00"]]}, PARIS, utc(2027, 10, 30), utc(2027, 11, 1))
    assert opening == [(utc(2027, 10, 30, 22), utc(2027, 10, 31, 23))]
    assert opening[0][1] - opening[0][0] == timedelta(hours=25)


def test_night_opening_across_the_spring_gap() -> None:
    # 01:00–04:00 local on the spring-forward night lasts two real hours
    opening = hours.weekly_intervals({"sun": [["01:00", "04:00"]]}, PARIS, utc(2027, 3, 27), utc(2027, 3, 29))
    assert opening == [(utc(2027, 3, 28, 0), utc(2027, 3, 28, 2))]


def test_subtract_and_cover_are_half_open() -> None:
    a, b, c, d = utc(2027, 1, 4, 8), utc(2027, 1, 4, 9), utc(2027, 1, 4, 10), utc(2027, 1, 4, 12)
    assert hours.subtract([(a, d)], [(b, c)]) == [(a, b), (c, d)]
    assert hours.subtract([(a, d)], [(a, b), (b, d)]) == []
    assert hours.covered((a, b), [(a, c)])
    assert not hours.covered((a, d), [(a, b), (c, d)])
    assert hours.covered((a, d), [(a, b), (b, d)])  # touching intervals merge


def test_local_week_bounds_follow_the_zone() -> None:
    start, end = hours.local_week_bounds(utc(2027, 3, 31, 12), PARIS)
    assert start == utc(2027, 3, 28, 22)  # Monday 29 March 00:00 CEST
    assert end == utc(2027, 4, 4, 22)
    assert hours.week_start(date(2027, 4, 4)) == date(2027, 3, 29)


def test_times_of_day_and_their_minutes() -> None:
    assert [hours.is_time_of_day(v) for v in ("00:00", "09:30", "23:59")] == [True, True, True]
    assert not any(hours.is_time_of_day(v) for v in ("24:00", "9:30", "12:60", "25:00", "", None, 930))
    assert hours.valid_hhmm("24:00") and not hours.valid_hhmm("24:01")
    assert [hours.minutes_of(v) for v in ("00:00", "08:30", "24:00")] == [0, 510, 1440]
    assert hours.parse_hhmm("24:00") is None


def test_local_instant_reads_wall_clock_times_and_the_end_of_day() -> None:
    assert hours.local_instant(date(2027, 1, 4), "09:30", PARIS) == utc(2027, 1, 4, 8, 30)
    assert hours.local_instant(date(2027, 7, 5), "09:30", PARIS) == utc(2027, 7, 5, 7, 30)
    assert hours.local_instant(date(2027, 1, 4), "24:00", PARIS) == utc(2027, 1, 4, 23)
    # skipped by the spring change: read with the offset before it (02:30 CET = 01:30Z)
    assert hours.local_instant(date(2027, 3, 28), "02:30", PARIS) == utc(2027, 3, 28, 1, 30)


def test_weekly_hours_of_two_zones_intersect() -> None:
    dakar = ZoneInfo("Africa/Dakar")
    start, end = utc(2027, 1, 3), utc(2027, 1, 6)
    paris_evenings = hours.weekly_intervals({"mon": [["18:00", "21:00"]]}, PARIS, start, end)
    dakar_evenings = hours.weekly_intervals({"mon": [["19:00", "23:00"]]}, dakar, start, end)
    # Monday 18:00–21:00 in Paris is 17:00–20:00Z; 19:00–23:00 in Dakar is 19:00–23:00Z
    assert hours.intersect(paris_evenings, dakar_evenings) == [(utc(2027, 1, 4, 19), utc(2027, 1, 4, 20))]
    assert hours.intersect(paris_evenings, []) == []
    a, b, c, d = utc(2027, 1, 4, 8), utc(2027, 1, 4, 9), utc(2027, 1, 4, 10), utc(2027, 1, 4, 12)
    assert hours.intersect([(a, b), (c, d)], [(a, d)]) == [(a, b), (c, d)]
    assert hours.intersect([(a, b)], [(b, c)]) == []  # half-open: touching is not meeting
