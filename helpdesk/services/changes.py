"""What several use-cases share: the live update of the open slot lists, the cancellation
of appointments by the desk (hours stopped, a helper away), and the offer of a freed slot
to the waiting list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from helpdesk.models import Appointment, Status, WaitEntry
from helpdesk.services import notices
from helpdesk.services.slots import find_slot, next_free
from notifications import services as notifications
from tierslieu import clock, realtime
from tierslieu.errors import N_

CHANNEL = "helpdesk"
EVENT = "helpdesk.slots"


async def publish_slots(**data: Any) -> None:
    """Tell open slot lists that slots were taken or freed (after the commit)."""
    await realtime.publish(CHANNEL, EVENT, **data)


async def cancel_for_helper(rows: Sequence[Appointment], actor: Any, *, reason: str) -> int:
    """The desk cancels these booked appointments; each person is mailed the cancellation
    with the next free slots of the same topic, and told in-app."""
    told: list[Any] = []
    count = 0
    for row in rows:
        now = clock.now()
        async with in_transaction():
            updated = await Appointment.filter(id=row.id, status=Status.BOOKED).update(
                status=Status.CANCELLED, cancelled_at=now, cancelled_by_id=actor.id, sequence=row.sequence + 1
            )
            if not updated:
                continue
            await row.refresh_from_db()
            await row.fetch_related("person")
            offered = await next_free(row.topic_id, exclude=[(row.helper_id, row.starts_at)])
            await notices.mail_person(row, row.person, "cancelled", reason=reason, next_slots=offered)
            told += await notices.tell_person(
                row, notices.CHANGED, N_("Your help-desk appointment was cancelled by the desk."), actor.id
            )
        count += 1
    await notifications.publish(told)
    return count


async def offer_freed(helper_id: int, starts_at: datetime, *, now: datetime | None = None) -> int:
    """A slot was freed: the people waiting for one of its topics, with no appointment of that
    topic before it, are told (the first to confirm gets it). Returns how many."""
    now = now or clock.now()
    slot = await find_slot(helper_id, starts_at)
    if slot is None or slot.taken or slot.away or slot.starts_at <= now:
        return 0
    await publish_slots(helper_id=helper_id, starts_at=starts_at.isoformat(), free=True)
    told: list[Any] = []
    for topic in slot.topics:
        waiting = (
            await WaitEntry.filter(topic_id=topic).exclude(person_id=helper_id).values_list("person_id", flat=True)
        )
        if not waiting:
            continue
        earlier = set(
            await Appointment.filter(
                person_id__in=list(waiting),
                topic_id=topic,
                status=Status.BOOKED,
                starts_at__gt=now,
                starts_at__lte=starts_at,
            ).values_list("person_id", flat=True)
        )
        wanted = [person for person in waiting if person not in earlier]
        if wanted:
            async with in_transaction():
                told += await notices.tell_freed(wanted, slot, topic)
                await WaitEntry.filter(topic_id=topic, person_id__in=wanted).update(notified_at=now)
    await notifications.publish(told)
    return len(told)
