"""Attendance: the people running an event check registrants in, per session or for
the whole event; the rows stay for micro-certificates, and the parts above hear of each
new one (the happening ``events.attendance_recorded``)."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from events.models import Attendance, Registration, RegistrationStatus, Session
from events.services.events import managed_event
from tierslieu import happenings
from tierslieu.errors import N_, Invalid, NotFound

ATTENDANCE_RECORDED = "events.attendance_recorded"  # data: event_id, session_id, user_ids


async def record_attendance(actor: Any, event_id: int, user_id: int, session_id: int | None = None) -> Attendance:
    """Record that a confirmed registrant attended; recording twice changes nothing (and
    is announced once)."""
    event = await managed_event(actor, event_id)
    if session_id is not None and not await Session.exists(id=session_id, event_id=event.id):
        raise NotFound()
    registered = await Registration.exists(event_id=event.id, user_id=user_id, status=RegistrationStatus.CONFIRMED)
    if not registered:
        raise Invalid(
            "invalid",
            N_("Some fields are missing or invalid."),
            fields={"user_id": N_("Only people with a confirmed place can be checked in.")},
        )
    existing = await Attendance.get_or_none(event_id=event.id, session_id=session_id, user_id=user_id)
    if existing is not None:
        return existing
    try:
        async with in_transaction():
            row = await Attendance.create(
                event_id=event.id, session_id=session_id, user_id=user_id, checked_by_id=actor.id
            )
    except IntegrityError:
        found = await Attendance.get_or_none(event_id=event.id, session_id=session_id, user_id=user_id)
        if found is None:
            raise
        return found
    await happenings.announce(ATTENDANCE_RECORDED, event_id=event.id, session_id=session_id, user_ids=[user_id])
    return row


async def attended(event_id: int, session_id: int | None = None) -> set[int]:
    """The user ids checked in for a session (or the whole event)."""
    rows = await Attendance.filter(event_id=event_id, session_id=session_id).values_list("user_id", flat=True)
    return set(rows)


async def door_list(
    actor: Any, event_id: int, session_id: int | None
) -> tuple[Any, list[Session], list[Any], set[int]]:
    """For the check-in page: the event, its sessions, the confirmed registrants (by
    name) and who is already checked in for the chosen session."""
    event = await managed_event(actor, event_id)
    sessions = await Session.filter(event_id=event.id).order_by("starts_at", "id")
    if session_id is not None and session_id not in {session.id for session in sessions}:
        raise NotFound()
    rows = await Registration.filter(event_id=event.id, status=RegistrationStatus.CONFIRMED).prefetch_related("user")
    rows.sort(key=lambda row: row.user.display_name.casefold())
    return event, sessions, rows, await attended(event.id, session_id)
