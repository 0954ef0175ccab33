"""Input validation for mentoring, shared by the JSON API and the HTML forms. Instants
are RFC 3339 with an offset and become aware UTC here; languages are ISO 639-1 codes."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Annotated, Any, Literal

from babel import Locale
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from mentoring.models import Format, RequestFormat
from tierslieu import hours
from tierslieu.errors import N_
from tierslieu.validation import Day, Id, Planned, Timezone, custom_error

MAX_SKILLS = 20
MAX_LANGUAGES = 10


@cache
def language_codes() -> frozenset[str]:
    """The ISO 639-1 codes (two letters) Babel names."""
    return frozenset(code for code in Locale("en").languages if len(code) == 2 and code.isalpha())


def language_name(code: str, locale: str) -> str:
    return Locale.parse(locale).languages.get(code, code)


def _text(value: str) -> str:
    value = value.strip()
    if not value:
        raise custom_error(N_("This field is required."))
    return value


def _languages(value: list[str]) -> list[str]:
    codes = list(dict.fromkeys(code.strip().lower() for code in value))
    for code in codes:
        if code not in language_codes():
            raise custom_error(N_("Unknown language code: %(code)s (two letters, like fr or en)."), code=code[:10])
    if not codes:
        raise custom_error(N_("Choose at least one language."))
    return codes


def _availability(value: Any) -> dict:
    try:
        return hours.normalise(value)
    except ValueError:
        raise custom_error(
            N_('Weekly times look like {"tue": [["18:00", "21:00"]]}: days mon to sun, HH:MM times in order.')
        ) from None


def _url(value: str) -> str:
    value = value.strip()
    if value and not value.startswith(("https://", "http://")):
        raise custom_error(N_("A web address starting with https:// is expected here."))
    return value


def _listed(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Title = Annotated[str, Field(max_length=200), AfterValidator(_text)]
LongText = Annotated[str, Field(max_length=10_000)]
Skills = Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=MAX_SKILLS), BeforeValidator(_listed)]
Languages = Annotated[
    list[Annotated[str, Field(max_length=10)]],
    Field(max_length=MAX_LANGUAGES),
    BeforeValidator(_listed),
    AfterValidator(_languages),
]
Availability = Annotated[dict[str, Any], AfterValidator(_availability)]
Link = Annotated[str, Field(max_length=500), AfterValidator(_url)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _formats(value: list[Format]) -> list[Format]:
    value = list(dict.fromkeys(value))
    if not value:
        raise custom_error(N_("Choose at least one format."))
    return value


class MentorProfileIn(Strict):
    skills: Skills
    languages: Languages
    formats: Annotated[list[Format], Field(max_length=2), BeforeValidator(_listed), AfterValidator(_formats)]
    max_mentees: Annotated[int, Field(ge=1, le=20)]
    bio: LongText = ""
    motivation: LongText = ""
    timezone: Timezone = "Europe/Paris"
    availability: Availability = Field(default_factory=dict)
    paused_until: Day | None = None


class RequestIn(Strict):
    topic: Title
    skills: Skills = Field(default_factory=list)
    goal: LongText = ""
    background: LongText = ""
    languages: Languages
    format: RequestFormat = RequestFormat.ANY
    timezone: Timezone = "Europe/Paris"
    availability: Availability | None = None


class OfferIn(Strict):
    mentor_id: Id


class AnswerIn(Strict):
    message: LongText = ""


class SessionIn(Strict):
    starts_at: Planned
    ends_at: Planned
    format: Format
    room_id: Id | None = None
    link: Link = ""

    @model_validator(mode="after")
    def _order(self) -> SessionIn:
        if self.ends_at <= self.starts_at:
            raise custom_error(N_("The end must come after the start."))
        return self


class MessageIn(Strict):
    body: Annotated[str, Field(max_length=10_000), AfterValidator(_text)]


class ReportIn(Strict):
    reason: LongText = ""


class CloseIn(Strict):
    outcome: Literal["completed", "cancelled"]
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: LongText = ""


class GoalIn(Strict):
    title: Title


class NotesIn(Strict):
    notes: LongText = ""


class PauseIn(Strict):
    paused_until: Day | None = None


class DeclineApplicationIn(Strict):
    reason: LongText = ""


def future_day(value: date | None, today: date) -> bool:
    return value is None or value > today
