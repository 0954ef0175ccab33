"""French and English through Babel: catalogues, the viewer's locale, dates in their zone.

The catalogues are the ``.po`` files under ``tierslieu/locale``; they are compiled in
memory at start-up, so no compiled file is kept in the tree.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"
DEFAULT_TIMEZONE = "Europe/Paris"
LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def translations(locale: str) -> Translations:
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return Translations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    if locale == "fr":
        for message in catalog:
            if message.id and message.string:
                message.string = (
                    french_spacing(message.string)
                    if isinstance(message.string, str)
                    else tuple(french_spacing(text) for text in message.string)
                )
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


_BEFORE_MARK = re.compile(r" ([:;!?»])")
_AFTER_QUOTE = re.compile(r"« ")


def french_spacing(text: str) -> str:
    """French typography: a non-breaking space before ":", ";", "!", "?" and "»" and after
    "«", so that a sign never starts a line alone."""
    return _AFTER_QUOTE.sub("«\u00a0", _BEFORE_MARK.sub("\u00a0\\1", text))


current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Render templates (pages, mails) in ``locale`` inside the block."""
    token = current_locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        current_locale.reset(token)


def gettext(locale: str, message: str, **params: object) -> str:
    """Translate ``message`` (an English message id with ``%(name)s`` placeholders). A
    :class:`LocalTime` value is written the reader's way ("mar. 8 déc., 14 h")."""
    text = translations(locale).gettext(message)
    if not params:
        return text
    return text % {
        name: value.text(locale) if isinstance(value, LocalTime) else value for name, value in params.items()
    }


@dataclass(frozen=True)
class LocalTime:
    """An instant for a message, written in ``zone`` once the reader's locale is known
    (``time_only``: "16 h", after a start on the same day)."""

    instant: datetime
    zone: str
    time_only: bool = False

    def text(self, locale: str) -> str:
        if self.time_only:
            return human_time(self.instant, locale, self.zone)
        return human_datetime(self.instant, locale, self.zone)


@dataclass(frozen=True)
class Message:
    """A message id and its values, kept together until the reader's locale is known (a
    field error, a notification). ``params`` are plain values, so it stores as JSON:
    ``Message.from_json(message.to_json())`` gives it back."""

    id: str
    params: Mapping[str, str | int | float] = field(default_factory=dict)

    def text(self, locale: str) -> str:
        return gettext(locale, self.id, **self.params)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "params": dict(self.params)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Message:
        return cls(str(data["id"]), dict(data.get("params") or {}))


def localise(locale: str, text: str | Message) -> str:
    """A message id or a :class:`Message` in ``locale``."""
    return text.text(locale) if isinstance(text, Message) else gettext(locale, text)


def ngettext(locale: str, singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(locale).ngettext(singular, plural, n)
    return text % {"num": n, **params}


def current_gettext(message: str) -> str:
    """``message`` in the locale of the block (:func:`use_locale`): what templates call."""
    return translations(current_locale.get()).gettext(message)


def current_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ngettext(singular, plural, n)


def negotiate(accept_language: str | None) -> str | None:
    """The best of our locales for an Accept-Language header, or None."""
    if not accept_language:
        return None
    choices = []
    for index, item in enumerate(accept_language.split(",")):
        tag, _, q = item.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        choices.append((-weight, index, tag.strip().lower()))
    for _, _, tag in sorted(choices):
        primary = tag.split("-", 1)[0]
        if primary in LOCALES:
            return primary
    return None


@cache
def timezone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def is_timezone(name: str) -> bool:
    return name in timezone_names()


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def format_datetime(value: datetime, locale: str, timezone: str | None, fmt: str = "medium") -> str:
    """A UTC instant shown in the viewer's zone, the way their language writes it. It never
    raises, whatever is stored: an instant the zone cannot show (near year 1 or 9999 an offset
    overflows) is shown in UTC, and failing that as its ISO text.

    ``short`` and ``full`` are the short human form of :func:`human_datetime` ("mar. 8 déc.,
    18 h"): one way to write a time on every page and in every mail."""
    if fmt in ("short", "full"):
        return human_datetime(value, locale, timezone)
    try:
        return babel_format_datetime(value, fmt, tzinfo=zone(timezone), locale=locale)
    except (OverflowError, ValueError):
        pass
    try:
        return babel_format_datetime(value, fmt, tzinfo=UTC, locale=locale)
    except (OverflowError, ValueError):
        return value.isoformat()


def in_zone(value: datetime, tz: tzinfo) -> datetime:
    """``value`` in ``tz`` for display, feeds and mail; as it is (UTC below the template layer)
    when the zone cannot show it (an offset past year 1 or 9999 overflows)."""
    try:
        return value.astimezone(tz)
    except (OverflowError, ValueError):
        return value


def timezone_label(timezone: str, locale: str) -> str:
    """A zone the way people say it ("heure de Paris"), not Babel's "heure d'Europe centrale"."""
    return zone_phrase(timezone, locale)


# --- short, human times: one way to write them everywhere ---------------------------------------
# "mar. 8 déc., 18 h", "mar. 8 déc., 18 h – 19 h (heure de Paris)"; in English "Tue 8 Dec,
# 18:00". The year shows only when it is not the current one; seconds never show.


def _local(value: datetime, timezone: str | None) -> datetime | None:
    try:
        return value.astimezone(zone(timezone))
    except (OverflowError, ValueError):
        return None


def human_time(value: datetime, locale: str, timezone: str | None) -> str:
    """The time of day: "18 h", "18 h 30" in French, "18:00" in English."""
    return _clock(_local(value, timezone) or value, locale)


def _clock(local: datetime, locale: str) -> str:
    if locale == "fr":
        return f"{local.hour}\u00a0h" + (f"\u00a0{local.minute:02d}" if local.minute else "")
    return f"{local.hour:02d}:{local.minute:02d}"


def human_day(value: datetime, locale: str, timezone: str | None, *, now: datetime | None = None) -> str:
    """The day: "mar. 8 déc." ("mar. 8 déc. 2027" another year); "Tue 8 Dec" in English."""
    local = _local(value, timezone)
    return value.date().isoformat() if local is None else _day(local, locale, now)


def _day(local: datetime, locale: str, now: datetime | None) -> str:
    this_year = (now or datetime.now(UTC)).astimezone(local.tzinfo).year
    try:
        return _day_text(local.date(), local.year != this_year, locale)
    except (OverflowError, ValueError):
        return local.date().isoformat()


def human_date(day: date, locale: str) -> str:
    """A calendar day: "lun. 7 déc.", "Mon 7 Dec" (the year when not the current one)."""
    return _day_text(day, day.year != datetime.now(UTC).year, locale)


@lru_cache(maxsize=4096)
def _day_text(day: date, with_year: bool, locale: str) -> str:
    # Babel finds the pattern of a skeleton anew at each call (tens of microseconds, for every
    # time a page shows); the text depends on the day alone, so it is kept: a page of posts
    # written over a few days formats each day once.
    babel_locale = "en_GB" if locale == "en" else locale
    skeleton = "yMMMEd" if with_year else "MMMEd"
    return format_skeleton(skeleton, datetime.combine(day, time(12)), locale=babel_locale).replace(",", "")


def human_datetime(value: datetime, locale: str, timezone: str | None, *, now: datetime | None = None) -> str:
    """ "mar. 8 déc., 18 h" (the viewer's or the given zone)."""
    local = _local(value, timezone)
    if local is None:
        return f"{value.date().isoformat()}, {_clock(value, locale)}"
    return f"{_day(local, locale, now)}, {_clock(local, locale)}"


def human_range(
    starts: datetime, ends: datetime, locale: str, timezone: str | None, *, now: datetime | None = None
) -> str:
    """ "mar. 8 déc., 18 h – 19 h" on one day; "sam. 12 déc., 10 h – dim. 13 déc., 12 h" else."""
    first, last = _local(starts, timezone), _local(ends, timezone)
    if first is not None and last is not None and first.date() == last.date():
        return f"{human_datetime(starts, locale, timezone, now=now)} – {human_time(ends, locale, timezone)}"
    return f"{human_datetime(starts, locale, timezone, now=now)} – {human_datetime(ends, locale, timezone, now=now)}"


def zone_phrase(timezone: str, locale: str) -> str:
    """A zone named the way people say it: "heure de Paris", "Dakar time"."""
    city = timezone.rsplit("/", 1)[-1].replace("_", " ")
    return gettext(locale, "%(city)s time", city=city)
