"""What the events part shows outside its own pages: its panel of the home page and its
figures on the evaluation dashboard."""

from __future__ import annotations

from typing import Any

from events.labels import KIND_LABELS, MODE_LABELS
from events.models import Attendance, Event, EventStatus, Registration, RegistrationStatus
from tierslieu import clock
from tierslieu.errors import N_
from tierslieu.i18n import gettext
from tierslieu.parts import Chart, Figure, Figures, Period, ResearchRecord

HOME_PANEL_SIZE = 3


async def upcoming_panel(user: Any) -> dict[str, Any] | None:
    """The next published events not over yet, as plain values (one query), or None."""
    found = (
        await Event.filter(status=EventStatus.PUBLISHED, ends_at__gt=clock.now())
        .order_by("starts_at", "id")
        .limit(HOME_PANEL_SIZE * 6)
        .values("id", "title", "starts_at", "mode", "series_key")
    )
    rows, series = [], set()
    for row in found:  # a weekly series shows once, at its next date
        key = row.pop("series_key")
        if key is None or key not in series:
            series.add(key)
            rows.append(row)
    rows = rows[:HOME_PANEL_SIZE]
    if not rows:
        return None
    return {"events": [{**row, "mode_label": MODE_LABELS[row["mode"]]} for row in rows]}


async def my_panel(user: Any) -> dict[str, Any] | None:
    """My next registrations (a place or a waiting list), for the signed-in home page."""
    if user is None:
        return None
    rows = (
        await Registration.filter(
            user_id=user.id,
            status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED],
            event__status=EventStatus.PUBLISHED,
            event__ends_at__gt=clock.now(),
        )
        .order_by("event__starts_at")
        .limit(5)
        .values("status", "event_id", "event__title", "event__starts_at", "event__ends_at")
    )
    return {"registrations": rows}


async def figures(period: Period, locale: str) -> Figures:
    """Over the published events that start in the period, per kind of event: confirmed
    registrations; of the confirmed people of those already over, the share checked in (to
    a session or to the whole event, a rounded percentage) and the no-shows (confirmed, never
    checked in). The rate is None while no such event is over."""
    now = clock.now()
    events = await Event.filter(
        status=EventStatus.PUBLISHED, starts_at__gte=period.start, starts_at__lt=period.end
    ).values_list("id", "kind", "ends_at")
    kind_of = {ident: kind for ident, kind, _ in events}
    over = {ident for ident, _, ends_at in events if ends_at <= now}
    expected = await Registration.filter(event_id__in=list(kind_of), status=RegistrationStatus.CONFIRMED).values_list(
        "event_id", "user_id"
    )
    present = set(await Attendance.filter(event_id__in=list(over)).distinct().values_list("event_id", "user_id"))
    registrations: dict[str, int] = dict.fromkeys(KIND_LABELS, 0)
    due: dict[str, int] = dict.fromkeys(KIND_LABELS, 0)
    came: dict[str, int] = dict.fromkeys(KIND_LABELS, 0)
    for event_id, user_id in expected:
        kind = kind_of[event_id]
        registrations[kind] += 1
        if event_id in over:
            due[kind] += 1
            came[kind] += (event_id, user_id) in present

    def rate(attended: int, total: int) -> int | None:
        return round(100 * attended / total) if total else None

    attended, total_due = sum(came.values()), sum(due.values())
    names = {kind: gettext(locale, label) for kind, label in KIND_LABELS.items()}
    rates = [(names[kind], rate(came[kind], due[kind])) for kind in KIND_LABELS]
    return Figures(
        figures=(
            Figure(gettext(locale, N_("Events held")), len(events)),
            Figure(gettext(locale, N_("Confirmed event registrations")), sum(registrations.values())),
            Figure(
                gettext(locale, N_("Attendance rate of past events (per cent)")),
                rate(sum(came.values()), sum(due.values())),
            ),
            Figure(gettext(locale, N_("No-shows at past events")), total_due - attended),
        ),
        charts=(
            Chart(
                gettext(locale, N_("Confirmed registrations per kind of event")),
                "bars",
                (gettext(locale, N_("Registrations")),),
                tuple((names[kind], (registrations[kind],)) for kind in KIND_LABELS),
            ),
            Chart(
                gettext(locale, N_("Attendance rate per kind of event (per cent)")),
                "bars",
                (gettext(locale, N_("Per cent")),),
                tuple((name, (value,)) for name, value in rates if value is not None),
            ),
            Chart(
                gettext(locale, N_("No-shows per kind of event")),
                "bars",
                (gettext(locale, N_("No-shows")),),
                tuple((names[kind], (due[kind] - came[kind],)) for kind in KIND_LABELS),
            ),
        ),
    )


async def research(period: Period) -> list[ResearchRecord]:
    """``events.registration``: one record per confirmed registration to a published event
    starting in the period; subject the event, category its kind, measure 1 when the person
    was checked in, 0 when not, none while the event is not over."""
    now = clock.now()
    events = await Event.filter(
        status=EventStatus.PUBLISHED, starts_at__gte=period.start, starts_at__lt=period.end
    ).values_list("id", "kind", "starts_at", "ends_at")
    shown = {ident: (kind, starts_at, ends_at) for ident, kind, starts_at, ends_at in events}
    present = set(await Attendance.filter(event_id__in=list(shown)).distinct().values_list("event_id", "user_id"))
    rows = await Registration.filter(event_id__in=list(shown), status=RegistrationStatus.CONFIRMED).values_list(
        "event_id", "user_id"
    )
    records = []
    for event_id, user_id in rows:
        kind, starts_at, ends_at = shown[event_id]
        records.append(
            ResearchRecord(
                dataset="events.registration",
                day=starts_at.date(),
                category=str(kind),
                subject=f"event:{event_id}",
                person=user_id,
                measure=int((event_id, user_id) in present) if ends_at <= now else None,
            )
        )
    return records
