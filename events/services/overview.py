"""What the events part shows outside its own pages: its panel of the home page and its
figures on the evaluation dashboard."""

from __future__ import annotations

from typing import Any

from events.labels import MODE_LABELS
from events.models import Attendance, Event, EventStatus, Registration, RegistrationStatus
from tierslieu import clock
from tierslieu.errors import N_
from tierslieu.parts import Figure

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


async def figures() -> list[Figure]:
    """Confirmed registrations, and the share of the confirmed people of past events who
    were checked in (to a session or to the whole event), as a rounded percentage."""
    confirmed = Registration.filter(status=RegistrationStatus.CONFIRMED)
    past = {"event__status": EventStatus.PUBLISHED, "event__ends_at__lte": clock.now()}
    expected = set(await confirmed.filter(**past).values_list("event_id", "user_id"))
    present = set(await Attendance.filter(**past).distinct().values_list("event_id", "user_id"))
    rate = round(100 * len(expected & present) / len(expected)) if expected else 0
    return [
        Figure(N_("Confirmed event registrations"), await confirmed.count()),
        Figure(N_("Attendance rate of past events (per cent)"), rate),
    ]
