"""What the events part contributes to "download my data" and "delete my account"."""

from __future__ import annotations

from typing import Any

from events.models import Attendance, Event, Facilitator, Feedback, Registration, RegistrationStatus
from events.services.registrations import free_place


async def export_personal_data(user: Any) -> dict[str, Any]:
    rows = await Registration.filter(user_id=user.id).prefetch_related("event").order_by("created_at")
    attended = await Attendance.filter(user_id=user.id).prefetch_related("event", "session").order_by("checked_at")
    running = await Facilitator.filter(user_id=user.id).prefetch_related("event")
    opinions = await Feedback.filter(user_id=user.id).prefetch_related("event").order_by("created_at")
    return {
        "registrations": [
            {
                "event": row.event.title,
                "event_starts_at": row.event.starts_at.isoformat(),
                "status": str(row.status),
                "place": str(row.place),
                "registered_at": row.created_at.isoformat(),
                "cancelled_at": row.cancelled_at.isoformat() if row.cancelled_at else None,
            }
            for row in rows
        ],
        "attendance": [
            {
                "event": row.event.title,
                "session": row.session.title if row.session else None,
                "checked_at": row.checked_at.isoformat(),
            }
            for row in attended
        ],
        "facilitated_events": [row.event.title for row in running],
        "feedback": [
            {
                "event": row.event.title,
                "rating": row.rating,
                "comment": row.comment,
                "given_at": row.created_at.isoformat(),
            }
            for row in opinions
        ],
    }


async def erase_personal_data(user: Any) -> None:
    # runs inside the deletion transaction: a confirmed place is given to the next
    # person waiting, then every registration and attendance of the person goes
    live = await Registration.filter(
        user_id=user.id, status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
    )
    for row in live:
        event = await Event.select_for_update().get(id=row.event_id)
        await Registration.filter(id=row.id).delete()
        if row.status == RegistrationStatus.CONFIRMED:
            # the promoted people's notifications show on their next page: the deletion's
            # transaction is not committed here, so nothing is published live
            await free_place(event, row.place)
    await Registration.filter(user_id=user.id).delete()
    await Attendance.filter(user_id=user.id).delete()
    await Facilitator.filter(user_id=user.id).delete()
    await Event.filter(created_by_id=user.id).update(created_by_id=None)
