"""What the bookings part contributes to "download my data" and "delete my account"."""

from __future__ import annotations

from typing import Any

from bookings.models import LIVE, Booking, Series, Status
from tierslieu import clock


async def export_personal_data(user: Any) -> list[dict[str, Any]]:
    rows = await Booking.filter(user_id=user.id).prefetch_related("room").order_by("starts_at")
    return [
        {
            "room": row.room.name,
            "starts_at": row.starts_at.isoformat(),
            "ends_at": row.ends_at.isoformat(),
            "purpose": row.purpose,
            "people": row.people,
            "status": row.status.value,
            "checked_in_at": row.checked_in_at.isoformat() if row.checked_in_at else None,
        }
        for row in rows
    ]


async def erase_personal_data(user: Any) -> None:
    # future bookings are cancelled (the room becomes free); past ones stay as anonymous
    # busy time, without their purpose
    now = clock.now()
    await Booking.filter(user_id=user.id, ends_at__gt=now, status__in=list(LIVE)).update(
        status=Status.CANCELLED, cancelled_at=now, cancel_reason="erased"
    )
    await Booking.filter(user_id=user.id).update(user_id=None, purpose="", decision_message="")
    await Series.filter(user_id=user.id).update(user_id=None, purpose="")
