"""Input validation for rooms and bookings, shared by the HTML forms and the JSON API.

The API takes RFC 3339 instants with an offset; the HTML forms take a local date and
local times, read in the room's zone (see :func:`local_range`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from tierslieu import hours, i18n
from tierslieu.errors import N_, Invalid
from tierslieu.validation import (
    NOT_AN_INSTANT,
    Day,
    Id,
    Instant,
    Planned,
    TimeOfDay,
    Timezone,
    custom_error,
    parse_instant,
)

EQUIPMENT = {
    "projector": N_("Projector"),
    "screen": N_("Large screen"),
    "whiteboard": N_("Whiteboard"),
    "computers": N_("Computers"),
    "videoconference": N_("Video-conference kit"),
    "soldering": N_("Soldering station"),
}
DAY_PARTS = {
    "morning": ("08:00", "12:00", N_("Morning")),
    "afternoon": ("12:00", "18:00", N_("Afternoon")),
    "evening": ("18:00", "22:00", N_("Evening")),
    "day": ("00:00", "24:00", N_("All day")),
}
MAX_SPAN = timedelta(days=31)
MAX_SERIES_WEEKS = 52


def _opening_hours(value: Any) -> dict:
    try:
        return hours.normalise(value)
    except ValueError:
        raise custom_error(
            N_('Give opening hours per weekday, like {"mon": [["08:00", "20:00"]]}, with earlier times first.')
        ) from None


def _equipment(value: list[str]) -> list[str]:
    unknown = [item for item in value if item not in EQUIPMENT]
    if unknown:
        raise custom_error(N_("Unknown equipment: %(items)s."), items=", ".join(unknown))
    return sorted(set(value))


def _weekdays(value: Any) -> Any:
    if isinstance(value, str):
        return [value]
    return value


def _text(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise custom_error(N_("This field is required."))
    return value


OpeningHours = Annotated[dict, AfterValidator(_opening_hours)]
Purpose = Annotated[str, Field(max_length=200), AfterValidator(_text)]
Weekdays = Annotated[
    list[Annotated[str, AfterValidator(lambda v: _weekday(v))]],
    BeforeValidator(_weekdays),
    Field(min_length=1, max_length=7),
]


def _weekday(value: str) -> str:
    if value not in hours.WEEKDAYS:
        raise custom_error(N_("Choose days of the week."))
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="ignore")


class RoomCreate(Strict):
    name: Annotated[str, Field(max_length=100), AfterValidator(_text)]
    description: Annotated[str, Field(max_length=5000)] = ""
    capacity: Annotated[int, Field(ge=1, le=1000)]
    equipment: Annotated[list[str], Field(max_length=20), AfterValidator(_equipment)] = []
    accessibility: Annotated[str, Field(max_length=2000)] = ""
    timezone: Timezone = i18n.DEFAULT_TIMEZONE
    opening_hours: OpeningHours = {}
    granularity_minutes: Annotated[int, Field(ge=5, le=240)] = 15
    min_minutes: Annotated[int, Field(ge=5, le=1440)] = 15
    max_minutes: Annotated[int, Field(ge=5, le=1440)] = 480
    max_advance_days: Annotated[int, Field(ge=1, le=730)] = 90
    weekly_quota_minutes: Annotated[int, Field(ge=0, le=10080)] = 1200
    requires_approval: bool = False
    allowed_role: Annotated[str, Field(pattern=r"^(member|mentor|helper|facilitator|space_manager)$")] = "member"
    checkin_grace_minutes: Annotated[int, Field(ge=0, le=240)] = 15


class BookingCreate(Strict):
    room_id: Id
    starts_at: Instant
    ends_at: Instant
    purpose: Purpose
    people: Annotated[int, Field(ge=1, le=1000)] = 1


class ClosureCreate(Strict):
    room_id: Id | None = None
    starts_at: Planned
    ends_at: Planned
    reason: Purpose


class Decision(Strict):
    approve: bool
    message: Annotated[str, Field(max_length=1000)] = ""


class LocalBooking(Strict):
    # the HTML form: a local day and local times in the room's zone, maybe repeated
    date: Day
    start: TimeOfDay
    end: TimeOfDay
    purpose: Purpose
    people: Annotated[int, Field(ge=1, le=1000)] = 1
    weekdays: Weekdays | None = None
    weeks: Annotated[int, Field(ge=1, le=MAX_SERIES_WEEKS)] | None = None
    until: Day | None = None


class SeriesCreate(Strict):
    room_id: Id
    weekdays: Weekdays
    start: TimeOfDay
    end: TimeOfDay
    first_date: Day
    weeks: Annotated[int, Field(ge=1, le=MAX_SERIES_WEEKS)] | None = None
    until: Day | None = None
    purpose: Purpose
    people: Annotated[int, Field(ge=1, le=1000)] = 1
    skip_dates: Annotated[list[Day], Field(max_length=400)] = []


class FreeSlotQuery(Strict):
    people: Annotated[int, Field(ge=1, le=1000)] = 1
    minutes: Annotated[int, Field(ge=15, le=1440)] = 60
    date: Day
    part: Annotated[str, Field(pattern=r"^(morning|afternoon|evening|day)$")] = "day"
    equipment: Annotated[list[str], AfterValidator(_equipment), BeforeValidator(_weekdays)] = []


def time_window(raw_from: str | None, raw_to: str | None) -> tuple[datetime, datetime]:
    """``from``/``to`` query parameters: RFC 3339 with an offset, at most 31 days apart."""
    fields: dict[str, str] = {}
    values: dict[str, datetime] = {}
    for name, raw in (("from", raw_from), ("to", raw_to)):
        value = parse_instant(raw)
        if value is None:
            fields[name] = NOT_AN_INSTANT
        else:
            values[name] = value
    if not fields:
        if values["to"] <= values["from"]:
            fields["to"] = N_("The end must come after the start.")
        elif values["to"] - values["from"] > MAX_SPAN:
            fields["to"] = N_("At most 31 days at a time.")
    if fields:
        raise Invalid("invalid", N_("Some fields are missing or invalid."), fields=fields)
    return values["from"], values["to"]


def local_range(day: date, start: str, end: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return hours.local_instant(day, start, zone), hours.local_instant(day, end, zone)
