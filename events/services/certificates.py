"""The attendance certificate (PDF) an attendee downloads: the event, the sessions they
were checked in to, and the hours, in their language and the event's time zone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fpdf import FPDF

from events.models import Attendance, Event, Session
from events.services.events import get_event
from tierslieu import i18n
from tierslieu.errors import NotFound

# the PDF core fonts read Latin-1: a few typographic signs get their plain equivalent
_PLAIN = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "œ": "oe", "Œ": "OE", "…": "..."})


def _latin1(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


async def attended_sessions(user: Any, event: Event) -> tuple[bool, list[Session]]:
    """(checked in at all, the sessions checked in to)."""
    rows = await Attendance.filter(event_id=event.id, user_id=user.id).prefetch_related("session")
    sessions = sorted((row.session for row in rows if row.session is not None), key=lambda s: s.starts_at)
    return bool(rows), sessions


async def certificate(user: Any, event_id: int) -> tuple[Event, bytes]:
    """The certificate of a person checked in to the event; 404 for anyone else."""
    event = await get_event(user, event_id)
    attended, sessions = await attended_sessions(user, event)
    if not attended:
        raise NotFound()
    locale = user.locale

    def _(message: str, **params: Any) -> str:
        return _latin1(i18n.gettext(locale, message, **params))

    def when(value: Any, fmt: str = "long") -> str:
        return i18n.format_datetime(value, locale, event.timezone, fmt)

    spans = [(s.starts_at, s.ends_at) for s in sessions] or [(event.starts_at, event.ends_at)]
    total = sum((end - start for start, end in spans), timedelta())
    hours = round(total.total_seconds() / 3600, 1)

    pdf = FPDF(format="A4")
    pdf.set_title(_("Certificate of attendance"))
    pdf.set_author("Tiers-lieu")
    pdf.add_page()

    def line(height: float, text: str) -> None:
        pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    pdf.set_font("Helvetica", "B", 22)
    pdf.cell(0, 20, _("Certificate of attendance"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 13)
    line(8, _("This certifies that %(name)s attended %(title)s.", name=user.display_name, title=event.title))
    pdf.ln(2)
    line(8, _("From %(start)s to %(end)s", start=when(event.starts_at), end=when(event.ends_at)))
    line(8, _("Event time zone: %(zone)s", zone=event.timezone))
    line(8, _("Hours attended: %(hours)s", hours=hours))
    if sessions:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 13)
        pdf.cell(0, 8, _("Sessions attended"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        for session in sessions:
            line(7, _latin1(f"- {when(session.starts_at, 'short')}: {session.title}"))
    return event, bytes(pdf.output())
