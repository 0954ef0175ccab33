"""The help desk's share of "download my data" and "delete my account"."""

from __future__ import annotations

from typing import Any

from bookings import services as bookings
from helpdesk.models import Absence, Appointment, Block, Hours, Status, WaitEntry
from helpdesk.services import notices
from tierslieu import clock
from tierslieu.errors import N_


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def export_personal_data(user: Any) -> dict[str, Any]:
    """My appointments as the person (with my need and the follow-ups), the appointments in
    my hours as a helper (without the other people's needs), my hours, absences and waits."""
    mine = await Appointment.filter(person_id=user.id).order_by("starts_at")
    given = await Appointment.filter(helper_id=user.id).order_by("starts_at")
    hours = await Hours.filter(helper_id=user.id).prefetch_related("topics")
    return {
        "appointments": [
            {
                "id": row.id,
                "helper_id": row.helper_id,
                "topic": row.topic_id,
                "starts_at": _when(row.starts_at),
                "ends_at": _when(row.ends_at),
                "format": str(row.format),
                "status": str(row.status),
                "need": row.need,
                "follow_up": row.follow_up,
                "late_cancel": row.late_cancel,
                "cancelled_at": _when(row.cancelled_at),
            }
            for row in mine
        ],
        "appointments_given": [
            {
                "id": row.id,
                "topic": row.topic_id,
                "starts_at": _when(row.starts_at),
                "status": str(row.status),
                "follow_up": row.follow_up,
            }
            for row in given
        ],
        "hours": [
            {
                "id": row.id,
                "weekday": row.weekday,
                "on_date": row.on_date.isoformat() if row.on_date else None,
                "starts": row.starts,
                "ends": row.ends,
                "timezone": row.timezone,
                "format": str(row.format),
                "slot_minutes": row.slot_minutes,
                "buffer_minutes": row.buffer_minutes,
                "languages": row.languages,
                "topics": [topic.skill_id for topic in row.topics],
                "active": row.active,
            }
            for row in hours
        ],
        "absences": [
            {"starts_at": _when(row.starts_at), "ends_at": _when(row.ends_at), "reason": row.reason}
            for row in await Absence.filter(helper_id=user.id).order_by("starts_at")
        ],
        "waiting_for": list(await WaitEntry.filter(person_id=user.id).values_list("topic_id", flat=True)),
    }


async def erase_personal_data(user: Any) -> None:
    """Inside the account deletion's transaction: my appointments (needs and follow-ups
    with them), my waits, my hours with their coming room bookings, and my absences go.
    As a helper, my coming appointments are cancelled (each person is told) and those
    given stay for the desk's figures, without need or follow-up."""
    now = clock.now()
    hours_ids = list(await Hours.filter(helper_id=user.id).values_list("id", flat=True))
    coming = await Block.filter(hours_id__in=hours_ids or [0], starts_at__gt=now)
    for block in coming:
        if block.booking_id is not None:
            await bookings.release_room(block.booking_id)
    await Appointment.filter(person_id=user.id).delete()
    for row in await Appointment.filter(helper_id=user.id, status=Status.BOOKED, starts_at__gt=now).prefetch_related(
        "person"
    ):
        await Appointment.filter(id=row.id).update(
            status=Status.CANCELLED, cancelled_at=now, cancelled_by_id=user.id, sequence=row.sequence + 1
        )
        await row.refresh_from_db()
        await notices.mail_person(row, row.person, "cancelled", reason=N_("the helper left the desk"))
    await Appointment.filter(helper_id=user.id).update(need="", follow_up="")
    await WaitEntry.filter(person_id=user.id).delete()
    # the hours go with their blocks; appointments keep their times (hours_id set to NULL)
    await Block.filter(id__in=[block.id for block in coming] or [0]).delete()
    await Hours.filter(id__in=hours_ids or [0]).delete()
    await Absence.filter(helper_id=user.id).delete()
