"""The Part type: what a part of the platform declares about itself, and the installation.

Each part (``accounts``, ``notifications``, ``forum``, ``bookings``, ``events``…) writes one
manifest, ``<part>/part.py``, holding a single :class:`Part` named ``part``. The
composition root (:mod:`tierslieu.app`) lists the installed parts in order and calls
:func:`install`; every kernel service that serves several parts (routes, background jobs,
CLI commands, personal data, the personal calendar feed, live channels, mail kinds and
composers, notification kinds, error codes, demo content, migrations, home-page panels,
evaluation figures, happenings) then reads :func:`installed`. Nothing registers itself as
a side effect of an import, so a part left out of the list leaves nothing behind.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.routing import BaseRoute

    from tierslieu.background import Start
    from tierslieu.calendar import FeedItem
    from tierslieu.settings import Settings

_NAME = re.compile(r"[a-z][a-z0-9_]{0,30}")
_KIND = re.compile(r"[a-z][a-z0-9_.-]{0,39}")
_CHANNEL_PREFIX = re.compile(r"[a-z][a-z_]{0,31}")

# How a person wants to hear of one kind of notification.
INAPP = "inapp"  # on the notifications page and the unread badge only
IMMEDIATE = "immediate"  # in-app, and a mail at once
DIGEST = "digest"  # in-app, and in one daily mail
NEVER = "never"  # not at all
NOTIFICATION_MODES = (INAPP, IMMEDIATE, DIGEST, NEVER)


# --- what a part may declare ----------------------------------------------------------------


@dataclass(frozen=True)
class DeletionChoice:
    """A question the account deletion form asks for one part ("what becomes of my
    badges?"): the form field ``name``, a ``label`` and the ``options`` as (value, label), the
    labels English message ids; the first option is the default."""

    name: str
    label: str
    options: tuple[tuple[str, str], ...]

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name) or not self.options:
            raise ValueError(f"deletion choice {self.name!r}: a field name and at least one option")


@dataclass(frozen=True)
class PersonalData:
    """``export(user)`` returns JSON-ready data for "download my data", under ``section`` in
    the exported document; ``erase(user)`` runs inside the account deletion's transaction,
    deleting private data and anonymising public contributions. A part that asks the person
    a question first declares it as ``choice``: its ``erase`` is then called as
    ``erase(user, answer)``, the answer one of the choice's option values."""

    section: str
    export: Callable[[Any], Awaitable[Any]]
    erase: Callable[..., Awaitable[None]]
    choice: DeletionChoice | None = None


@dataclass(frozen=True)
class CalendarProvider:
    """``items(user, base_url)``: the person's items of this part in their personal feed
    (cancelled ones of the last 30 days included). ``version(user)``, when given, is a cheap
    summary that changes whenever the items change: with it, an unchanged feed is served
    from the cache without reading the items."""

    items: Callable[[Any, str], Awaitable[list[FeedItem]]]
    version: Callable[[Any], Awaitable[Hashable]] | None = None


ChannelCheck = Callable[[Any, frozenset[str], str], Awaitable[bool]]
"""``can_read(user, roles, id)`` for channels ``{prefix}`` and ``{prefix}:{id}``; ``id`` is
"" for a bare prefix and ``user`` None for an anonymous socket."""


@dataclass(frozen=True)
class MailKind:
    """An optional kind of mail, which a person may turn off (``security`` is the kernel's
    mandatory one). ``label`` is an English message id, translated where it is shown."""

    name: str
    label: str
    modes: tuple[str, ...] = ("immediate", "never")
    default: str = "immediate"
    optional: bool = True

    def __post_init__(self) -> None:
        if not _KIND.fullmatch(self.name):
            raise ValueError(f"invalid mail kind name {self.name!r}")
        if self.default not in self.modes or (self.optional and "never" not in self.modes):
            raise ValueError(f"mail kind {self.name!r}: the default must be a mode and 'never' must be one")


@dataclass(frozen=True)
class NotificationKind:
    """A kind of in-app notification (``forum.mention``, ``events.promoted``…). Each person
    picks one of its ``modes`` on the preferences page; ``default`` holds until they do.
    ``label`` is an English message id naming the kind there. A part that already mails the
    person itself (an event's promotion, with its calendar invitation, under its own mail
    kind) offers only ``(INAPP, NEVER)``, so that nobody gets the news twice."""

    name: str
    label: str
    default: str = IMMEDIATE
    modes: tuple[str, ...] = NOTIFICATION_MODES

    def __post_init__(self) -> None:
        if not _KIND.fullmatch(self.name) or "." not in self.name:
            raise ValueError(f"notification kind {self.name!r} must be '<part>.<what>'")
        if not set(self.modes) <= set(NOTIFICATION_MODES) or NEVER not in self.modes:
            raise ValueError(f"notification kind {self.name!r}: modes among {NOTIFICATION_MODES}, 'never' one of them")
        if self.default not in self.modes:
            raise ValueError(f"notification kind {self.name!r}: the default {self.default!r} is not one of its modes")


@dataclass(frozen=True)
class Command:
    """A ``tierslieu <name>`` sub-command: ``arguments`` adds its options to the parser;
    ``run(args, settings)`` runs with the database connected and migrated, and returns
    the line to print."""

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Settings], Awaitable[str]]


@dataclass(frozen=True)
class Panel:
    """A block of the home page: ``template`` (``<part>/_home_….html``) rendered with what
    ``context(user)`` returns; a panel whose context is None is left out."""

    template: str
    context: Callable[[Any], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True)
class NavLink:
    """An entry of the site's main navigation: the page named ``route`` (without parameters),
    its ``label`` (an English message id), marked current under the path ``prefix``."""

    route: str
    label: str
    prefix: str


@dataclass(frozen=True)
class Period:
    """What the evaluation dashboard looks at: from ``start`` (inclusive) to ``end``
    (exclusive), both aware UTC instants."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a period's bounds are aware instants")
        if self.end <= self.start:
            raise ValueError("a period ends after it starts")


@dataclass(frozen=True)
class Figure:
    """One number of the evaluation dashboard: ``label`` is final text in the asked locale;
    ``value`` None means there is not enough data to say (no question to answer…)."""

    label: str
    value: float | int | None


@dataclass(frozen=True)
class Chart:
    """A chart of the evaluation dashboard, drawn by the dashboard as SVG with its data table
    beside it. ``kind`` is ``"bars"`` (one value per row, ``columns`` holding one heading) or
    ``"heatmap"`` (rows by columns, e.g. weekdays by hours); every text is final, in the asked
    locale."""

    title: str
    kind: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[float | int, ...]], ...]

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(f"chart kind {self.kind!r} is not one of {CHART_KINDS}")
        for label, values in self.rows:
            if len(values) != len(self.columns):
                raise ValueError(
                    f"chart {self.title!r}: row {label!r} has {len(values)} values for {len(self.columns)} columns"
                )


CHART_KINDS = ("bars", "heatmap")


@dataclass(frozen=True)
class Figures:
    """What a part shows on the evaluation dashboard for a period."""

    figures: Sequence[Figure] = ()
    charts: Sequence[Chart] = ()


FiguresOf = Callable[[Period, str], Awaitable[Figures]]
"""``figures(period, locale)``: a part's figures over ``period``, its texts in ``locale``."""


@dataclass(frozen=True)
class ResearchRecord:
    """One thing that happened, for the pseudonymised export for researchers. The export
    hashes ``subject`` and never writes ``person``: it groups the records by dataset, subject,
    ISO week and category, and writes how many records and distinct people each group holds
    (a group under 5 of either is suppressed) and the mean of ``measure``. ``category`` is a
    value of a closed list (a kind of event, a status…), never text someone typed."""

    dataset: str  # "<part>.<what>", documented in docs/research-export.md
    day: date  # when it happened (UTC)
    category: str = ""
    subject: str | None = None  # "<kind>:<id>" of the thing it is about (an event, a room)
    person: int | None = None  # whose record it is, counted, never written
    measure: float | int | None = None


ResearchRows = Callable[[Period], Awaitable[Sequence[ResearchRecord]]]
"""``research(period)``: a part's records of what happened in ``period``."""


@dataclass(frozen=True)
class Happening:
    """Something that happened in a part, told to the parts that listen, after commit."""

    name: str  # "<part>.<what>", e.g. "events.attendance_recorded"
    data: Mapping[str, Any]


Listener = Callable[[Happening], Awaitable[None]]
PageHook = Callable[["Request"], Awaitable[Mapping[str, Any]]]
"""What a part adds to every page's context (the unread notification count…), awaited once
per page render; it asks nothing of the database for an anonymous visitor."""
DemoFill = Callable[[Callable[[str], None]], Awaitable[list[str]]]


@dataclass(frozen=True, kw_only=True)
class Part:
    """A part's manifest. Only ``name`` is required; everything else is what the part has."""

    name: str  # its package, its Tortoise app label and the prefix of its tables
    models: bool = False  # <name>.models and <name>.migrations exist
    routes: Sequence[BaseRoute] = ()  # pages
    api_routes: Sequence[BaseRoute] = ()  # mounted under /api/v1
    jobs: Sequence[Start] = ()  # background tasks the app's lifespan starts
    commands: Sequence[Command] = ()
    personal_data: PersonalData | None = None
    calendar: CalendarProvider | None = None
    channels: Mapping[str, ChannelCheck] = field(default_factory=dict)
    mail_kinds: Sequence[MailKind] = ()
    mail_composers: Mapping[str, Callable[..., Awaitable[Any]]] = field(default_factory=dict)
    notification_kinds: Sequence[NotificationKind] = ()
    error_codes: Mapping[str, str] = field(default_factory=dict)  # API error code -> what it means
    demo: DemoFill | None = None  # idempotent; returns lines to print (logins…)
    navigation: Sequence[NavLink] = ()  # entries of the main navigation, in the parts' order
    home_panels: Sequence[Panel] = ()
    page_hooks: Sequence[PageHook] = ()  # context every page of every part gets
    figures: FiguresOf | None = None  # its figures on the evaluation dashboard, over a period
    research: ResearchRows | None = None  # its records in the pseudonymised export for researchers
    announces: Sequence[str] = ()  # happenings this part tells
    listens: Mapping[str, Listener] = field(default_factory=dict)  # happening -> listener

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"invalid part name {self.name!r}")
        for prefix in self.channels:
            if not _CHANNEL_PREFIX.fullmatch(prefix):
                raise ValueError(f"part {self.name!r}: invalid channel prefix {prefix!r}")
        for name in (*self.announces, *(kind.name for kind in self.notification_kinds)):
            if not name.startswith(f"{self.name}."):
                raise ValueError(f"part {self.name!r} declares {name!r} outside its own name")


# --- the installation -----------------------------------------------------------------------


@dataclass(frozen=True)
class Installation:
    """The installed parts, in order, and the tables built from their manifests."""

    parts: tuple[Part, ...]
    channels: dict[str, ChannelCheck]
    mail_kinds: dict[str, MailKind]
    mail_composers: dict[str, Callable[..., Awaitable[Any]]]
    notification_kinds: dict[str, NotificationKind]
    error_codes: dict[str, str]
    listeners: dict[str, list[Listener]]

    @property
    def names(self) -> list[str]:
        return [part.name for part in self.parts]

    def with_models(self) -> list[str]:
        return [part.name for part in self.parts if part.models]

    def personal_data(self) -> list[PersonalData]:
        return [part.personal_data for part in self.parts if part.personal_data]

    def calendars(self) -> list[tuple[str, CalendarProvider]]:
        return [(part.name, part.calendar) for part in self.parts if part.calendar]

    def navigation(self) -> list[NavLink]:
        return [link for part in self.parts for link in part.navigation]

    def happenings(self) -> set[str]:
        return {name for part in self.parts for name in part.announces}


def _merge(parts: Sequence[Part], what: str, pick: Callable[[Part], Mapping[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in pick(part).items():
            if key in merged and merged[key] != value:
                raise ValueError(f"{what} {key!r} is declared twice (again by {part.name!r})")
            merged[key] = value
    return merged


def build(parts: Sequence[Part]) -> Installation:
    """Check the manifests against each other and build the lookup tables. The kernel's own
    declarations (its tables, pages, ``user`` channel…) come first, as the part ``tierslieu``."""
    every = tuple(parts)
    names = [part.name for part in every]
    if len(set(names)) != len(names):
        raise ValueError(f"a part is installed twice: {names}")
    announced = {name for part in every for name in part.announces}
    listeners: dict[str, list[Listener]] = {}
    for part in every:
        for name, listener in part.listens.items():
            # a listener for a part that is not installed simply never hears anything
            if name.split(".", 1)[0] in names and name not in announced:
                raise ValueError(f"part {part.name!r} listens to {name!r}, which nobody announces")
            listeners.setdefault(name, []).append(listener)
    return Installation(
        parts=every,
        channels=_merge(every, "channel", lambda part: part.channels),
        mail_kinds=_merge(every, "mail kind", lambda part: {kind.name: kind for kind in part.mail_kinds}),
        mail_composers=_merge(every, "mail composer", lambda part: part.mail_composers),
        notification_kinds=_merge(
            every, "notification kind", lambda part: {kind.name: kind for kind in part.notification_kinds}
        ),
        error_codes=_merge(every, "error code", lambda part: part.error_codes),
        listeners=listeners,
    )


_installed: Installation | None = None


def install(installation: Installation) -> Installation | None:
    """Make ``installation`` the one every kernel service reads; returns the previous one."""
    global _installed
    previous, _installed = _installed, installation
    return previous


def installed() -> Installation:
    if _installed is None:
        raise RuntimeError("no parts installed: the composition root calls tierslieu.parts.install() first")
    return _installed
