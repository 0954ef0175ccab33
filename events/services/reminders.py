"""The reminder mailed 24 hours before an event, sent once: a periodic sweep claims each
registration by setting ``reminded_at`` where it is still null, in the transaction that
writes the mail, so a restart or a second process never sends it twice. The same sweep
asks attendees for feedback after the event (:mod:`.feedback`), claimed the same way."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from events.models import EventStatus, Registration, RegistrationStatus
from events.services.feedback import ask_for_feedback
from events.services.notices import MAIL_KIND
from tierslieu import clock, mail
from tierslieu.background import Start, periodic

log = logging.getLogger("tierslieu.events")

AHEAD = timedelta(hours=24)
SWEEP_SECONDS = 300
BATCH = 500


async def send_reminders(now: datetime | None = None) -> int:
    """Remind the confirmed registrants of published events starting within 24 hours."""
    now = now or clock.now()
    due = (
        await Registration.filter(
            status=RegistrationStatus.CONFIRMED,
            reminded_at=None,
            event__status=EventStatus.PUBLISHED,
            event__starts_at__gt=now,
            event__starts_at__lte=now + AHEAD,
        )
        .prefetch_related("event", "user")
        .limit(BATCH)
    )
    sent = 0
    for registration in due:
        async with in_transaction():
            claimed = await Registration.filter(
                id=registration.id, reminded_at=None, status=RegistrationStatus.CONFIRMED
            ).update(reminded_at=now)
            if claimed:
                event = registration.event
                await mail.send(
                    registration.user,
                    "events/reminder",
                    {"event": event, "registration": registration, "event_zone": event.timezone},
                    kind=MAIL_KIND,
                )
                sent += 1
    return sent


async def _sweep() -> None:
    count = await send_reminders()
    if count:
        log.info("sent %s event reminder(s)", count)
    asked = await ask_for_feedback()
    if asked:
        log.info("asked %s attendee(s) for feedback", asked)


# Started by the app's lifespan when background tasks run (the manifest lists them).
jobs: list[Start] = [periodic("events-reminders", SWEEP_SECONDS, _sweep, (IntegrityError, OperationalError, OSError))]
