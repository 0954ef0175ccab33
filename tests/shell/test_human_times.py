"""Short, human times: one helper (tierslieu.i18n) writes them on every page and in mails."""

from __future__ import annotations

from datetime import UTC, datetime

from tierslieu import i18n

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
START = datetime(2026, 12, 8, 17, tzinfo=UTC)  # 18:00 in Paris


def test_one_day_range_names_the_day_once_without_seconds() -> None:
    end = datetime(2026, 12, 8, 18, tzinfo=UTC)
    assert i18n.human_range(START, end, "fr", "Europe/Paris", now=NOW) == "mar. 8 déc., 18\u00a0h – 19\u00a0h"
    assert i18n.human_range(START, end, "en", "Europe/Paris", now=NOW) == "Tue 8 Dec, 18:00 – 19:00"


def test_minutes_show_and_days_apart_show_both_days() -> None:
    end = datetime(2026, 12, 13, 11, 30, tzinfo=UTC)
    assert (
        i18n.human_range(START, end, "fr", "Europe/Paris", now=NOW)
        == "mar. 8 déc., 18\u00a0h – dim. 13 déc., 12\u00a0h\u00a030"
    )


def test_the_year_shows_only_when_it_is_not_this_one() -> None:
    later = datetime(2027, 1, 9, 9, tzinfo=UTC)
    assert i18n.human_datetime(later, "fr", "Africa/Dakar", now=NOW) == "sam. 9 janv. 2027, 9\u00a0h"


def test_short_and_full_formats_are_the_human_form() -> None:
    for fmt in ("short", "full"):
        text = i18n.format_datetime(START, "fr", "Europe/Paris", fmt)
        assert "18\u00a0h" in text and ":00:00" not in text and "heure normale" not in text


def test_a_zone_is_named_the_way_people_say_it() -> None:
    assert i18n.zone_phrase("Europe/Paris", "fr") == "heure de Paris"
    assert i18n.zone_phrase("Africa/Dakar", "en") == "Dakar time"


def test_french_typography_keeps_signs_with_their_words() -> None:
    assert i18n.french_spacing("Attention : « oui » ?") == "Attention\u00a0: «\u00a0oui\u00a0»\u00a0?"
    served = i18n.gettext("fr", "Event changed: %(title)s", title="Atelier")
    assert served == "Événement modifié\u00a0: Atelier"
    for message in i18n.translations("fr")._catalog.values():  # every French text served
        texts = message if isinstance(message, tuple) else (message,)
        assert not any(" :" in text or " ?" in text or " !" in text for text in texts), message


def test_pages_name_a_zone_by_its_city() -> None:
    assert i18n.timezone_label("Europe/Paris", "fr") == "heure de Paris"
    assert "Europe centrale" not in i18n.timezone_label("Europe/Paris", "fr")
