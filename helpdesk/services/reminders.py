"""The reminder mailed the day before an appointment, sent once: a periodic sweep claims
each appointment by setting ``reminded_at`` where it is still null, in the transaction
that writes the mail, so a restart or a second process never sends it twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from helpdesk.models import Appointment, Status
from helpdesk.services import notices
from tierslieu import clock
from tierslieu.background import Start, periodic

log = logging.getLogger("tierslieu.helpdesk")

AHEAD = timedelta(hours=24)
SWEEP_SECONDS = 300
BATCH = 500


async def send_reminders(now: datetime | None = None) -> int:
    """Remind the people whose appointment starts within 24 hours."""
    now = now or clock.now()
    due = (
        await Appointment.filter(status=Status.BOOKED, reminded_at=None, starts_at__gt=now, starts_at__lte=now + AHEAD)
        .prefetch_related("person")
        .limit(BATCH)
    )
    sent = 0
    for appointment in due:
        async with in_transaction():
            claimed = await Appointment.filter(id=appointment.id, reminded_at=None, status=Status.BOOKED).update(
                reminded_at=now
            )
            if claimed:
                await notices.mail_person(appointment, appointment.person, "reminder")
                sent += 1
    return sent


async def _sweep() -> None:
    count = await send_reminders()
    if count:
        log.info("help desk: %s reminders sent", count)


jobs: list[Start] = [periodic("helpdesk-reminders", SWEEP_SECONDS, _sweep, (OperationalError, IntegrityError))]
