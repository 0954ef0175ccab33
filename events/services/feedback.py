"""Feedback: once an event is over, the people checked in to it are asked (once, by mail)
what they thought; each gives one rating (1 to 5) and a comment, and may change it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from events.models import Attendance, Event, EventStatus, Feedback, Registration, RegistrationStatus
from events.services.events import get_event, managed_event
from events.services.notices import MAIL_KIND
from tierslieu import clock, mail
from tierslieu.errors import N_, Invalid

ASK_WITHIN = timedelta(days=7)  # after this, an event is too old to ask about
BATCH = 500


async def can_give_feedback(user: Any, event: Event, *, now: datetime | None = None) -> bool:
    now = now or clock.now()
    if user is None or event.ends_at > now or event.status == EventStatus.CANCELLED:
        return False
    return await Attendance.exists(event_id=event.id, user_id=user.id)


async def my_feedback(user: Any, event: Event) -> Feedback | None:
    return None if user is None else await Feedback.get_or_none(event_id=event.id, user_id=user.id)


async def give_feedback(user: Any, event_id: int, rating: int, comment: str) -> Feedback:
    event = await get_event(user, event_id)
    if not await can_give_feedback(user, event):
        raise Invalid("invalid", N_("Feedback is open to attendees once the event is over."))
    async with in_transaction():
        found = await Feedback.select_for_update().get_or_none(event_id=event.id, user_id=user.id)
        if found is None:
            return await Feedback.create(event_id=event.id, user_id=user.id, rating=rating, comment=comment)
        found.rating, found.comment = rating, comment
        await found.save(update_fields=["rating", "comment"])
        return found


async def feedback_summary(actor: Any, event_id: int) -> tuple[int, float | None, list[str]]:
    """For the people running the event: how many answered, the average, the comments."""
    event = await managed_event(actor, event_id)
    rows = await Feedback.filter(event_id=event.id).order_by("created_at")
    average = round(sum(row.rating for row in rows) / len(rows), 1) if rows else None
    return len(rows), average, [row.comment for row in rows if row.comment]


async def ask_for_feedback(now: datetime | None = None) -> int:
    """Mail the attendees of events that ended in the last week, once each."""
    now = now or clock.now()
    due = (
        await Registration.filter(
            status=RegistrationStatus.CONFIRMED,
            feedback_requested_at=None,
            event__status=EventStatus.PUBLISHED,
            event__ends_at__lte=now,
            event__ends_at__gt=now - ASK_WITHIN,
        )
        .prefetch_related("event", "user")
        .limit(BATCH)
    )
    sent = 0
    for registration in due:
        if not await Attendance.exists(event_id=registration.event_id, user_id=registration.user_id):
            continue
        async with in_transaction():
            claimed = await Registration.filter(id=registration.id, feedback_requested_at=None).update(
                feedback_requested_at=now
            )
            if claimed:
                await mail.send(
                    registration.user,
                    "events/feedback",
                    {"event": registration.event, "event_zone": registration.event.timezone},
                    kind=MAIL_KIND,
                )
                sent += 1
    return sent
