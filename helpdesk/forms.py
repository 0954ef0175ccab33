"""Input validation for the help desk, shared by the HTML forms and the JSON API."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import cache
from typing import Annotated, Any, Literal

from babel import Locale
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from tierslieu.errors import N_, Invalid
from tierslieu.hours import minutes_of
from tierslieu.validation import NOT_AN_INSTANT, Day, Id, Instant, TimeOfDay, Timezone, custom_error, parse_instant

FORMAT_LABELS = {"onsite": N_("On site, at the desk"), "online": N_("Online")}
NEED_MAX = 2000
FOLLOW_UP_MAX = 4000
MAX_BUFFER = 60


@cache
def language_codes() -> frozenset[str]:
    """ISO 639-1 codes (two letters) known to Babel."""
    return frozenset(code for code in Locale("en").languages if len(code) == 2 and code.isalpha())


def language_name(code: str, locale: str) -> str:
    names = Locale(locale if locale in ("fr", "en") else "fr").languages
    return names.get(code, code)


def _slot_minutes(value: int) -> int:
    if not 10 <= value <= 120 or value % 5:
        raise custom_error(N_("An appointment lasts from 10 to 120 minutes, in steps of 5 minutes."))
    return value


def _languages(value: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(code.strip().lower() for code in value))
    unknown = [code for code in cleaned if code not in language_codes()]
    if unknown:
        raise custom_error(
            N_("Unknown language code: %(codes)s (use ISO 639-1, like fr or en)."), codes=", ".join(unknown)[:100]
        )
    if not cleaned:
        raise custom_error(N_("Choose at least one language."))
    return cleaned


def _topics(value: list[str]) -> list[str]:
    if not value:
        raise custom_error(N_("Choose at least one topic."))
    return value


def _listify(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _need(value: str) -> str:
    value = value.strip()
    if not value:
        raise custom_error(N_("Describe your need in a few lines."))
    return value


def _join_url(value: str) -> str:
    value = value.strip()
    if value and not re.fullmatch(r"https?://[^\s<>\"]{3,490}", value):
        raise custom_error(N_("A link starting with https:// is expected here."))
    return value


Languages = Annotated[
    list[Annotated[str, Field(max_length=8)]],
    BeforeValidator(_listify),
    Field(max_length=20),
    AfterValidator(_languages),
]
Topics = Annotated[
    list[Annotated[str, Field(max_length=40)]], BeforeValidator(_listify), Field(max_length=30), AfterValidator(_topics)
]
Need = Annotated[str, Field(max_length=NEED_MAX), AfterValidator(_need)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="ignore")


class HoursCreate(Strict):
    """Recurring hours (``weekday``) or one-off extra hours (``on_date``)."""

    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] | None = None
    on_date: Day | None = None
    starts: TimeOfDay
    ends: TimeOfDay
    timezone: Timezone
    format: Literal["onsite", "online"]
    slot_minutes: Annotated[int, AfterValidator(_slot_minutes)]
    buffer_minutes: Annotated[int, Field(ge=0, le=MAX_BUFFER)] = 0
    topics: Topics
    languages: Languages
    room_id: Id | None = None
    join_url: Annotated[str, Field(max_length=500), AfterValidator(_join_url)] = ""

    @model_validator(mode="after")
    def _coherent(self) -> HoursCreate:
        if (self.weekday is None) == (self.on_date is None):
            raise custom_error(N_("Give a weekday for weekly hours, or a date for one-off extra hours."))
        if self.ends <= self.starts:
            raise custom_error(N_("The end must come after the start."))
        if minutes_of(self.ends) - minutes_of(self.starts) < self.slot_minutes:
            raise custom_error(N_("The hours must hold at least one appointment."))
        if self.format == "onsite" and self.room_id is None:
            raise custom_error(N_("On-site hours need a room."))
        if self.format == "online" and not self.join_url:
            raise custom_error(N_("Online hours need a link to join."))
        return self


class AbsenceCreate(Strict):
    first_day: Day
    last_day: Day
    reason: Annotated[str, Field(max_length=200)] = ""

    @model_validator(mode="after")
    def _ordered(self) -> AbsenceCreate:
        if self.last_day < self.first_day:
            raise custom_error(N_("The last day cannot come before the first one."))
        if (self.last_day - self.first_day).days > 366:
            raise custom_error(N_("An absence lasts at most a year."))
        return self


class AppointmentCreate(Strict):
    helper_id: Id
    slot_starts_at: Instant
    topic: Annotated[str, Field(min_length=1, max_length=40)]
    need: Need
    format: Literal["onsite", "online"]


class AppointmentMove(Strict):
    helper_id: Id | None = None
    slot_starts_at: Instant


class Outcome(Strict):
    outcome: Literal["done", "no_show"]


class FollowUp(Strict):
    follow_up: Annotated[str, Field(min_length=1, max_length=FOLLOW_UP_MAX)]


class WaitJoin(Strict):
    topic: Annotated[str, Field(min_length=1, max_length=40)]


def days_between(first: date, last: date) -> int:
    return (last - first).days + 1


SLOT_WINDOW_DAYS = 62


def slot_window(raw_from: str | None, raw_to: str | None, now: datetime) -> tuple[datetime, datetime]:
    """``from``/``to`` query parameters (RFC 3339 with an offset; by default the next 4
    weeks), at most 62 days apart."""
    fields: dict[str, Any] = {}
    start = now if raw_from in (None, "") else parse_instant(raw_from)
    if start is None:
        fields["from"] = NOT_AN_INSTANT
    end = (start or now) + timedelta(weeks=4) if raw_to in (None, "") else parse_instant(raw_to)
    if end is None:
        fields["to"] = NOT_AN_INSTANT
    if not fields and start is not None and end is not None:
        if end <= start:
            fields["to"] = N_("The end must come after the start.")
        elif end - start > timedelta(days=SLOT_WINDOW_DAYS):
            fields["to"] = N_("At most 62 days at a time.")
    if fields:
        raise Invalid("invalid", N_("Some fields are missing or invalid."), fields=fields)
    assert start is not None and end is not None
    return start, end
