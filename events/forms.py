"""Input validation for events, shared by the JSON API and the HTML forms.

The API takes RFC 3339 instants with an offset; they become aware UTC here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from events.models import EventStatus, Kind, Language, Mode, Place
from tierslieu.errors import N_, Invalid
from tierslieu.validation import MAX_ID, Day, Id, Planned, Timezone, custom_error

MAX_SESSIONS = 100


def _text(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise custom_error(N_("This field is required."))
    return value


def _url(value: str) -> str:
    value = value.strip()
    if value and not value.startswith(("https://", "http://")):
        raise custom_error(N_("A web address starting with https:// is expected here."))
    return value


Title = Annotated[str, Field(max_length=200), AfterValidator(_text)]
Instant = Planned


class Strict(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SessionCreate(Strict):
    title: Title
    speaker: Annotated[str, Field(max_length=200)] = ""
    starts_at: Instant
    ends_at: Instant
    room_id: Id | None = None

    @model_validator(mode="after")
    def _order(self) -> SessionCreate:
        if self.ends_at <= self.starts_at:
            raise custom_error(N_("The end must come after the start."), field="ends_at")
        return self


class EventCreate(Strict):
    title: Title
    kind: Kind
    mode: Mode
    language: Language = Language.FR
    description: Annotated[str, Field(max_length=20_000)] = ""
    timezone: Timezone
    starts_at: Instant
    ends_at: Instant
    capacity: Annotated[int, Field(ge=1, le=10_000)]
    online_capacity: Annotated[int, Field(ge=0, le=10_000)] = 0
    room_id: Id | None = None
    join_url: Annotated[str, Field(max_length=500), AfterValidator(_url)] = ""
    status: Annotated[EventStatus, Field(json_schema_extra={"enum": ["draft", "published"]})] = EventStatus.PUBLISHED
    registration_opens_at: Instant | None = None
    registration_closes_at: Instant | None = None
    facilitator_ids: Annotated[list[Id], Field(max_length=10)] = []
    sessions: Annotated[list[SessionCreate], Field(max_length=MAX_SESSIONS)] = []

    @model_validator(mode="after")
    def _rules(self) -> EventCreate:
        if self.ends_at <= self.starts_at:
            raise custom_error(N_("The end must come after the start."), field="ends_at")
        if self.status == EventStatus.CANCELLED:
            raise custom_error(N_("A new event is a draft or published."), field="status")
        if self.mode != Mode.HYBRID and self.online_capacity:
            raise custom_error(N_("Online places are counted apart only for hybrid events."), field="online_capacity")
        for session in self.sessions:
            if session.starts_at < self.starts_at or session.ends_at > self.ends_at:
                raise custom_error(
                    N_("Every session takes place between the start and the end of the event."), field="sessions"
                )
        if (
            self.registration_opens_at is not None
            and self.registration_closes_at is not None
            and self.registration_closes_at <= self.registration_opens_at
        ):
            raise custom_error(N_("Registration must close after it opens."), field="registration_closes_at")
        return self


class EventChange(Strict):
    # a reschedule: new start and end (the programme moves with the start), zone, format,
    # room (0: no room any more); the confirmed registrants get the updated invitation
    title: Title | None = None
    mode: Mode | None = None
    timezone: Timezone | None = None
    room_id: Annotated[int, Field(ge=0, le=MAX_ID)] | None = None
    description: Annotated[str, Field(max_length=20_000)] | None = None
    capacity: Annotated[int, Field(ge=1, le=10_000)] | None = None
    online_capacity: Annotated[int, Field(ge=0, le=10_000)] | None = None
    join_url: Annotated[str, Field(max_length=500), AfterValidator(_url)] | None = None
    status: EventStatus | None = None
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    registration_closes_at: Instant | None = None


class RegistrationCreate(Strict):
    place: Place | None = None


class AttendanceCreate(Strict):
    user_id: Id
    session_id: Id | None = None


# --- local wall-clock times (series, HTML forms) -----------------------------------------------------


def local_instant(day: date, hhmm: str, zone_name: str) -> datetime:
    """The UTC instant of a wall-clock time in a zone; a time that does not exist (skipped
    by a DST change) or happens twice (repeated by one) is refused, never shifted."""
    try:
        wall = datetime.combine(day, time.fromisoformat(hhmm))
    except ValueError:
        raise Invalid(
            "invalid",
            N_("Some fields are missing or invalid."),
            fields={"start": N_("A time like 09:30 is expected here.")},
        ) from None
    zone = ZoneInfo(zone_name)
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        exists = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall
        message = (
            N_("%(when)s happens twice in %(zone)s (the clocks go back): choose another time.")
            if exists
            else N_("%(when)s does not exist in %(zone)s (the clocks go forward): choose another time.")
        )
        raise Invalid(
            "ambiguous_time" if exists else "nonexistent_time",
            message,
            when=f"{day.isoformat()} {hhmm}",
            zone=zone_name,
        )
    return first.astimezone(UTC)


class SeriesCreate(Strict):
    # a weekly series: the same local time every week, for `weeks` weeks from `first_date`
    title: Title
    kind: Kind = Kind.WEBINAR
    mode: Mode = Mode.ONLINE
    language: Language = Language.FR
    description: Annotated[str, Field(max_length=20_000)] = ""
    timezone: Timezone
    first_date: Day
    start: Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    duration_minutes: Annotated[int, Field(ge=15, le=720)]
    weeks: Annotated[int, Field(ge=1, le=52)]
    capacity: Annotated[int, Field(ge=1, le=10_000)]
    online_capacity: Annotated[int, Field(ge=0, le=10_000)] = 0
    room_id: Id | None = None
    join_url: Annotated[str, Field(max_length=500), AfterValidator(_url)] = ""
    status: Annotated[EventStatus, Field(json_schema_extra={"enum": ["draft", "published"]})] = EventStatus.PUBLISHED

    def occurrences(self) -> list[EventCreate]:
        """One event per week; every local start is checked (DST changes included)."""
        result = []
        for week in range(self.weeks):
            starts = local_instant(self.first_date + timedelta(weeks=week), self.start, self.timezone)
            result.append(
                EventCreate(
                    title=self.title,
                    kind=self.kind,
                    mode=self.mode,
                    language=self.language,
                    description=self.description,
                    timezone=self.timezone,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=self.duration_minutes),
                    capacity=self.capacity,
                    online_capacity=self.online_capacity,
                    room_id=self.room_id,
                    join_url=self.join_url,
                    status=self.status,
                )
            )
        return result


class MessageForm(Strict):
    subject: Annotated[str, Field(max_length=150), AfterValidator(_text)]
    body: Annotated[str, Field(min_length=1, max_length=5000)]
    include_waiting: bool = False


class FeedbackForm(Strict):
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, Field(max_length=3000)] = ""
