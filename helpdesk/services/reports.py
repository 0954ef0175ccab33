"""What coordinators see: the desk's week (appointments per topic, no-shows, late
cancellations, waiting-list length, share of slots used) and the evaluation figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from helpdesk import permissions
from helpdesk.models import Appointment, Status, WaitEntry
from helpdesk.services.slots import candidate_slots
from skills import services as skills
from tierslieu.errors import N_, Forbidden
from tierslieu.i18n import gettext
from tierslieu.parts import Chart, Figure, Figures, Period, ResearchRecord


@dataclass
class Report:
    start: datetime
    end: datetime
    per_topic: list[tuple[str, int]] = field(default_factory=list)  # (label, appointments held or booked)
    booked: int = 0
    done: int = 0
    no_shows: int = 0
    late_cancellations: int = 0
    cancellations: int = 0
    waiting: int = 0
    slots: int = 0
    slots_used: int = 0
    # person id -> (no-shows, late cancellations), for the people with any
    missed: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def share_used(self) -> float | None:
        return None if not self.slots else self.slots_used / self.slots


async def report(start: datetime, end: datetime, locale: str) -> Report:
    rows = await Appointment.filter(starts_at__gte=start, starts_at__lt=end).values(
        "topic_id", "status", "late_cancel", "person_id"
    )
    labels = await skills.labels(locale)
    result = Report(start=start, end=end)
    topics: Counter[str] = Counter()
    no_shows: Counter[int] = Counter()
    late: Counter[int] = Counter()
    for row in rows:
        status = row["status"]
        if status == Status.CANCELLED:
            result.cancellations += 1
            result.late_cancellations += bool(row["late_cancel"])
            late[row["person_id"]] += bool(row["late_cancel"])
            continue
        no_shows[row["person_id"]] += status == Status.NO_SHOW
        topics[labels.get(row["topic_id"], row["topic_id"])] += 1
        result.booked += 1
        result.done += status == Status.DONE
        result.no_shows += status == Status.NO_SHOW
    result.per_topic = sorted(topics.items(), key=lambda pair: (-pair[1], pair[0]))
    result.missed = {
        person: (no_shows[person], late[person])
        for person in sorted(set(no_shows) | set(late))
        if no_shows[person] or late[person]
    }
    result.waiting = await WaitEntry.all().count()
    offered = [slot for slot in await candidate_slots(start, end) if not slot.away]
    result.slots = len(offered)
    result.slots_used = sum(slot.taken for slot in offered)
    return result


async def week_report(actor: Any, monday: datetime, locale: str) -> Report:
    """The desk's week from ``monday`` (an instant), for coordinators."""
    if not permissions.can_view_week(actor):
        raise Forbidden("forbidden", N_("You may not do this."))
    return await report(monday, monday + timedelta(days=7), locale)


async def figures(period: Period, locale: str) -> Figures:
    """The help desk's figures for the evaluation dashboard."""
    found = await report(period.start, period.end, locale)
    held = found.done + found.no_shows
    no_shows = round(100 * found.no_shows / held, 1) if held else None
    share = round(100 * found.share_used, 1) if found.share_used is not None else None
    return Figures(
        figures=(
            Figure(gettext(locale, "Help-desk appointments booked"), found.booked),
            Figure(gettext(locale, "Help-desk appointments held"), found.done),
            Figure(gettext(locale, "Help-desk no-show rate, in per cent"), no_shows),
            Figure(gettext(locale, "Help-desk late cancellations"), found.late_cancellations),
            Figure(gettext(locale, "Share of help-desk slots used, in per cent"), share),
            Figure(gettext(locale, "People on a help-desk waiting list"), found.waiting),
        ),
        charts=(
            Chart(
                title=gettext(locale, "Help-desk appointments per topic"),
                kind="bars",
                columns=(gettext(locale, "Appointments"),),
                rows=tuple((label, (count,)) for label, count in found.per_topic),
            ),
        )
        if found.per_topic
        else (),
    )


async def research(period: Period) -> list[ResearchRecord]:
    """``helpdesk.appointment``: one record per appointment that starts in the period; no
    subject; category its topic and what became of it (``python/done``, ``python/no_show``,
    ``python/cancelled``, ``python/booked``); measure its length in minutes."""
    rows = await Appointment.filter(starts_at__gte=period.start, starts_at__lt=period.end).values_list(
        "starts_at", "ends_at", "topic_id", "status", "person_id"
    )
    return [
        ResearchRecord(
            dataset="helpdesk.appointment",
            day=starts_at.date(),
            category=f"{topic}/{status}",
            person=person,
            measure=round((ends_at - starts_at).total_seconds() / 60),
        )
        for starts_at, ends_at, topic, status, person in rows
    ]
