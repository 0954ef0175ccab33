"""French and English through Babel: catalogues, the viewer's locale, dates in their zone.

The catalogues are the ``.po`` files under ``tierslieu/locale``; they are compiled in
memory at start-up, so no compiled file is kept in the tree.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import get_timezone_name
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
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


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
    """Translate ``message`` (an English message id with ``%(name)s`` placeholders)."""
    text = translations(locale).gettext(message)
    return text % params if params else text


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
    overflows) is shown in UTC, and failing that as its ISO text."""
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
    return get_timezone_name(zone(timezone), locale=Locale.parse(locale))
