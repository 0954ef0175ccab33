"""Weekly availability in mentoring: none given is any time, two zones compared over a
reference week, the overlap read aloud by part of day."""

from __future__ import annotations

from datetime import UTC, datetime

from mentoring import hours


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_an_empty_availability_is_any_time() -> None:
    start, end = utc(2027, 1, 4, 3), utc(2027, 1, 4, 4)
    assert hours.intervals({}, "Europe/Paris", start, end) == [(start, end)]
    assert hours.covers({}, "Europe/Paris", start, end)


def test_covers_reads_the_weekly_times_in_their_zone() -> None:
    tuesday_evenings = {"tue": [["18:00", "21:00"]]}
    # Tuesday 5 January 2027: 18:00 in Paris is 17:00Z
    assert hours.covers(tuesday_evenings, "Europe/Paris", utc(2027, 1, 5, 17), utc(2027, 1, 5, 20))
    assert not hours.covers(tuesday_evenings, "Europe/Paris", utc(2027, 1, 5, 18), utc(2027, 1, 5, 20, 30))
    assert hours.covers(tuesday_evenings, "Africa/Dakar", utc(2027, 1, 5, 18), utc(2027, 1, 5, 21))


def test_a_sunday_evening_in_one_zone_meets_a_monday_in_another() -> None:
    # Sunday 22:00–24:00 in Nouméa (UTC+11) is Sunday 11:00–13:00Z; Sunday 11:00–14:00 in Dakar (UTC+0)
    met = hours.overlap(
        ({"sun": [["22:00", "24:00"]]}, "Pacific/Noumea"), ({"sun": [["11:00", "14:00"]]}, "Africa/Dakar")
    )
    assert hours.hours_of(met) == 2
    # Monday 00:00–02:00 in Paris (winter, UTC+1) is Sunday 23:00 to Monday 01:00Z
    met = hours.overlap(
        ({"mon": [["00:00", "02:00"]]}, "Europe/Paris"), ({"sun": [["23:00", "24:00"]]}, "Africa/Dakar")
    )
    assert hours.hours_of(met) == 1
    assert (
        hours.overlap(({"mon": [["08:00", "10:00"]]}, "Europe/Paris"), ({"tue": [["08:00", "10:00"]]}, "Europe/Paris"))
        == []
    )


def test_slots_name_the_parts_of_the_day_the_reader_has() -> None:
    met = hours.overlap(
        ({"tue": [["17:00", "22:00"]]}, "Europe/Paris"), ({"tue": [["18:00", "21:00"]]}, "Europe/Paris")
    )
    assert hours.slots_in(met, "Europe/Paris") == [(1, "evening")]
    # the same hours read in Nouméa fall on Wednesday morning
    assert hours.slots_in(met, "Pacific/Noumea") == [(2, "morning")]
    short = hours.overlap(
        ({"fri": [["11:30", "12:30"]]}, "Europe/Paris"), ({"fri": [["11:30", "12:30"]]}, "Europe/Paris")
    )
    assert hours.slots_in(short, "Europe/Paris") == []  # 30 minutes of morning, 30 of afternoon
