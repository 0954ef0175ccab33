"""What the request, session and thread use-cases share: loading a request the actor may
see, the refusal on a closed relationship, and the sessions a closure cancels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bookings import services as bookings
from mentoring import permissions
from mentoring.models import Request, Session, SessionStatus
from tierslieu.errors import N_, Conflict, NotFound


def closed_error() -> Conflict:
    return Conflict("relationship_closed", N_("This mentoring relationship is closed."))


async def get_request(actor: Any, request_id: int) -> Request:
    """A request the actor may see; 404 for anyone else."""
    request = await Request.get_or_none(id=request_id).prefetch_related("mentee", "mentor")
    if request is None or not permissions.can_view_request(actor, request):
        raise NotFound()
    return request


async def cancel_session_row(session: Session, now: datetime) -> None:
    """Inside the caller's transaction: the session is cancelled and its room released."""
    session.status, session.cancelled_at, session.sequence = SessionStatus.CANCELLED, now, session.sequence + 1
    await session.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    if session.booking_id is not None:
        await bookings.release_room(session.booking_id)


async def cancel_future_sessions(request: Request, now: datetime) -> list[Session]:
    """Inside the caller's transaction: the scheduled sessions not started yet are cancelled."""
    rows = await Session.filter(request_id=request.id, status=SessionStatus.SCHEDULED, starts_at__gt=now)
    for row in rows:
        await cancel_session_row(row, now)
    return rows


async def publish_room_changes(sessions: list[Session]) -> None:
    await bookings.publish_rooms(*(row.room_id for row in sessions if row.room_id is not None))
