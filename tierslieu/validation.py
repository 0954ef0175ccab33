"""Field validators shared by every part's forms.

Messages are English message ids, translated when the error is shown
(``tierslieu.responses.validation_error`` reads ``message_id`` from the error context).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from tierslieu import clock, hours, i18n
from tierslieu.errors import N_, Invalid
from tierslieu.i18n import Message


def custom_error(message: str, *, field: str | None = None, **ctx: object) -> PydanticCustomError:
    """A validation error whose message is the message id ``message``. ``field`` names the
    field a rule across fields is about (raised by a model validator, whose error has no
    location of its own), so that the form shows the message under that field."""
    if field is not None:
        ctx["field"] = field
    return PydanticCustomError("custom", message, {"message_id": message, **ctx})


def valid_timezone(value: str) -> str:
    """An IANA time zone name, such as Europe/Paris or Africa/Dakar."""
    if not i18n.is_timezone(value):
        raise custom_error(N_("Choose a time zone from the list, like Europe/Paris or Africa/Dakar."))
    return value


Timezone = Annotated[str, Field(max_length=64), AfterValidator(valid_timezone)]


def valid_time_of_day(value: str) -> str:
    """A wall-clock time ``HH:MM`` from 00:00 to 23:59."""
    if not hours.is_time_of_day(value):
        raise custom_error(N_("A time like 09:30 is expected here."))
    return value


TimeOfDay = Annotated[str, Field(max_length=5), AfterValidator(valid_time_of_day)]

MAX_ID = 2**31 - 1
"""The largest row id: primary keys are 32-bit integers (``IntField``, ``serial`` on PostgreSQL).
A larger number cannot name a row, and the database drivers refuse to bind it."""

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""The id of a row, given in a JSON body: out of range is an invalid field (422), not a
server error."""


def parse_int(text: object, *, low: int, high: int) -> int | None:
    """``text`` as an integer from ``low`` to ``high``, or None: only ASCII digits, with an
    optional minus sign, count (``str.isdigit()`` also accepts "²", which ``int()`` refuses,
    and a number past the database's integers cannot be bound)."""
    if not isinstance(text, str) or not text.isascii() or len(text) > 20:
        return None
    digits = text.removeprefix("-")
    if not digits.isdigit():
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_id(text: object) -> int | None:
    """``text`` as the id of a row (1 to :data:`MAX_ID`), or None."""
    return parse_int(text, low=1, high=MAX_ID)


# --- instants: the one boundary for every date and time that comes in ------------------------------

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
"""Every instant that comes in (form, JSON, query string) falls between these: past them, the
viewer's zone, iCal and the databases stop agreeing (year 1 or 9999 shifted by an offset
overflows). Each use may be tighter (:func:`at_most_years_ahead`, a room's horizon)."""

OUT_OF_RANGE = N_("Choose a date between 1900 and 2200.")
NOT_AN_INSTANT = N_("A date and time with an offset is expected, like 2026-12-03T09:00:00+01:00.")


def bounded_instant(value: datetime) -> datetime:
    """An aware instant as UTC, or an invalid field when it is outside :data:`EARLIEST` to
    :data:`LATEST` (an overflow while converting it counts as outside)."""
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise custom_error(OUT_OF_RANGE) from None
    if not EARLIEST <= utc < LATEST:
        raise custom_error(OUT_OF_RANGE)
    return utc


def bounded_day(value: date) -> date:
    if not EARLIEST.date() <= value < LATEST.date():
        raise custom_error(OUT_OF_RANGE)
    return value


Instant = Annotated[AwareDatetime, AfterValidator(bounded_instant)]
"""An RFC 3339 instant with an offset in a form or JSON body, as aware UTC within range."""

Day = Annotated[date, AfterValidator(bounded_day)]
"""A calendar day in a form or JSON body, within range."""


def parse_instant(text: object) -> datetime | None:
    """A query string's RFC 3339 instant with an offset ("Z" allowed; a "+" read as a space
    is put back) as aware UTC within range, or None."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        return None
    if value.tzinfo is None:
        return None
    try:
        return bounded_instant(value)
    except PydanticCustomError:
        return None


def parse_day(text: object) -> date | None:
    """A query string's ISO day ("2026-12-03") within range, or None."""
    if not isinstance(text, str) or len(text) > 10:
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return None
    return value if EARLIEST.date() <= value < LATEST.date() else None


MAX_YEARS_AHEAD = 5
"""Events, their sessions and room closures are planned at most this many years ahead."""


def _within_years_ahead(value: datetime) -> datetime:
    limit = clock.now() + timedelta(days=365 * MAX_YEARS_AHEAD + MAX_YEARS_AHEAD // 4 + 1)
    if value > limit:
        raise custom_error(N_("At most %(years)s years ahead."), years=MAX_YEARS_AHEAD)
    return value


Planned = Annotated[Instant, AfterValidator(_within_years_ahead)]
"""An instant that plans something (an event, a session, a closure): within range and at most
:data:`MAX_YEARS_AHEAD` years ahead."""


def day_field(raw: object, name: str) -> date:
    """A form's ISO day within range, or an invalid field (422) naming ``name``."""
    value = parse_day(raw if isinstance(raw, str) else "")
    if value is None:
        raise Invalid(
            "invalid", N_("Some fields are missing or invalid."), fields={name: N_("A date is expected here.")}
        )
    return value


# --- text that comes in: the one rule for control characters ---------------------------------------

_CONTROLS = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029]")
_SPACES = re.compile("[\t\n]+")


def clean_text(value: str, *, multiline: bool = True) -> str:
    """Text as the platform keeps it, for every field of every part (forms and JSON bodies go
    through :func:`tierslieu.responses.read_form` and :func:`~tierslieu.responses.load_json`,
    which call this on every string they read):

    - C0 and C1 control characters, DEL and lone surrogates are removed (nobody types them;
      pasted text carries them; RFC 5545 and XML forbid them, no database encodes a surrogate);
    - a line break of any form (CR LF, CR, U+2028, U+2029) becomes one newline;
    - newline and tab stay in multi-line text (descriptions, posts, messages: the default);
      single-line text (``multiline=False``: names, titles, see :data:`Line`) gets one space
      for each run of them.

    NUL is left in place: :func:`tierslieu.responses.parse` refuses it as an invalid field (a
    NUL is never pasted by accident)."""
    value = _CONTROLS.sub("", _LINE_BREAKS.sub("\n", value))
    return value if multiline else _SPACES.sub(" ", value)


def one_line(value: str) -> str:
    """Single-line text: :func:`clean_text` for a name or a title, spaces trimmed."""
    return clean_text(value, multiline=False).strip()


def _one_line_before(value: object) -> object:
    return one_line(value) if isinstance(value, str) else value


Line = Annotated[str, BeforeValidator(_one_line_before)]
"""The type of a single-line text field (a name, a title) in a form or JSON body: made one line
before its length constraints are checked (``Annotated[Line, Field(max_length=200)]``)."""


def cleaned(data: Any) -> Any:
    """Every string in a decoded form or JSON body through :func:`clean_text` (multi-line: the
    field's own type makes single-line text one line)."""
    if isinstance(data, str):
        return clean_text(data)
    if isinstance(data, list):
        return [cleaned(item) for item in data]
    if isinstance(data, dict):
        return {key: cleaned(value) for key, value in data.items()}
    return data


# --- text in a query string or a path: the one boundary before any query ----------------------------


def has_control(value: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Cs") for char in value)


def plain_text(value: str) -> str:
    """Text with no control character (NUL, which PostgreSQL refuses, escapes, bidi-less
    controls) nor lone surrogate (which no database encodes)."""
    if has_control(value):
        raise custom_error(N_("This value is not valid."))
    return value


def query_text(raw: object, name: str, *, max_length: int) -> str:
    """A query parameter's text, "" when missing; a 422 naming ``name`` when it is longer than
    ``max_length`` or holds a control character, before it can reach a query (the ORM checks a
    column's length itself, with a 500)."""
    value = raw if isinstance(raw, str) else ""
    if len(value) > max_length:
        message: str | Message = Message(N_("Too long: at most %(max_length)s characters."), {"max_length": max_length})
    elif has_control(value):
        message = N_("This value is not valid.")
    else:
        return value
    raise Invalid("invalid", N_("Some fields are missing or invalid."), fields={name: message})


def QueryText(max_length: int) -> Any:
    """The type of a text field of a query model (``TopicQuery.tag``): bounded, no control
    character."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(plain_text)]
