"""Sessions of a relationship: inside the mentor's weekly availability, never two of a
mentor's sessions at once (the database refuses it, migration 0002), on site with a room
booked through the bookings part, online with a link; moved or cancelled by either side
with mails carrying the calendar file. Shared session notes, the mentor's private notes and
the goals checklist live here too."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from bookings import services as bookings
from mentoring import hours, permissions
from mentoring.forms import SessionIn
from mentoring.models import Format, Goal, MentorProfile, PrivateNote, Request, RequestStatus, Session, SessionStatus
from mentoring.services import notices
from mentoring.services.common import cancel_session_row, closed_error, get_request, publish_room_changes
from notifications import services as notifications
from tierslieu import clock
from tierslieu.errors import N_, Conflict, Invalid, NotFound

MAX_LENGTH = timedelta(hours=8)


def _overlap(exc: Exception) -> bool:
    text = str(exc).lower()
    return "mentoring_session_no_overlap" in text or "exclusion" in text


def overlap_error() -> Conflict:
    return Conflict("session_overlap", N_("The mentor already has a session at this time: choose another time."))


async def sessions_of(request: Request) -> list[Session]:
    return await Session.filter(request_id=request.id).order_by("starts_at", "id")


async def get_session(actor: Any, request_id: int, session_id: int) -> tuple[Request, Session]:
    request = await get_request(actor, request_id)
    session = await Session.get_or_none(id=session_id, request_id=request.id)
    if session is None or request.accepted_at is None:
        raise NotFound()
    return request, session


def _participant(actor: Any, request: Request) -> None:
    if not (permissions.is_mentee(actor, request) or permissions.is_its_mentor(actor, request)):
        raise NotFound()
    if request.status != RequestStatus.ACTIVE:
        raise closed_error()


async def _check_time(request: Request, data: SessionIn, now: datetime) -> MentorProfile:
    if data.starts_at <= now:
        raise Invalid("invalid", N_("This time is in the past."), fields={"starts_at": N_("This time is in the past.")})
    if data.ends_at - data.starts_at > MAX_LENGTH:
        raise Invalid("invalid", N_("A session lasts at most 8 hours."), fields={"ends_at": N_("At most 8 hours.")})
    profile = await MentorProfile.get(user_id=request.mentor_id)
    if not hours.covers(profile.availability, profile.timezone, data.starts_at, data.ends_at):
        raise Invalid(
            "outside_availability",
            N_("This time is outside the mentor's weekly availability."),
            fields={"starts_at": N_("Outside the mentor's weekly availability.")},
        )
    if data.format == Format.ONSITE and data.room_id is None:
        raise Invalid("invalid", N_("Choose a room for a session on site."), fields={"room_id": N_("Choose a room.")})
    if data.format == Format.ONLINE and not data.link:
        raise Invalid(
            "invalid", N_("Give the link of the online meeting."), fields={"link": N_("Give the meeting link.")}
        )
    return profile


async def _place(session: Session, request: Request, data: SessionIn, actor: Any) -> None:
    """Inside the transaction: book the room (on site) or keep the link (online)."""
    session.format = data.format
    if data.format == Format.ONSITE and data.room_id is not None:
        room = await bookings.get_room(data.room_id)
        booking = await bookings.book_room(
            data.room_id,
            data.starts_at,
            data.ends_at,
            f"Mentoring #{request.id}",
            origin=bookings.Origin.MENTORING,
            user_id=actor.id,
            people=2,
        )
        session.room_id, session.room_name, session.booking_id, session.link = room.id, room.name, booking.id, ""
    else:
        session.room_id, session.room_name, session.booking_id, session.link = None, "", None, data.link


async def schedule_session(actor: Any, request_id: int, data: SessionIn, *, now: datetime | None = None) -> Session:
    request = await get_request(actor, request_id)
    _participant(actor, request)
    now = now or clock.now()
    await _check_time(request, data, now)
    try:
        async with in_transaction():
            request = await Request.select_for_update().get(id=request_id)
            if request.status != RequestStatus.ACTIVE:
                raise closed_error()
            session = Session(
                request_id=request.id,
                mentor_id=request.mentor_id,
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                created_by_id=actor.id,
            )
            await _place(session, request, data, actor)
            await session.save()
            await request.fetch_related("mentee", "mentor")
            await notices.mail_session([request.mentee, request.mentor], session, request, "booked")
            told = await notices.tell(
                [request.mentee_id, request.mentor_id],
                notices.SESSION,
                N_("Mentoring session booked: %(topic)s"),
                request,
                actor.id,
            )
    except (IntegrityError, OperationalError) as exc:
        if not _overlap(exc):
            raise
        raise overlap_error() from None
    await notifications.publish(told)
    await publish_room_changes([session])
    return session


async def reschedule_session(
    actor: Any, request_id: int, session_id: int, data: SessionIn, *, now: datetime | None = None
) -> Session:
    request, session = await get_session(actor, request_id, session_id)
    _participant(actor, request)
    if session.status != SessionStatus.SCHEDULED:
        raise Conflict("conflict", N_("This session is cancelled."))
    now = now or clock.now()
    await _check_time(request, data, now)
    old_room = session.room_id
    try:
        async with in_transaction():
            session = await Session.select_for_update().get(id=session_id)
            if session.status != SessionStatus.SCHEDULED:
                raise Conflict("conflict", N_("This session is cancelled."))
            if session.booking_id is not None:
                await bookings.release_room(session.booking_id)
            session.starts_at, session.ends_at, session.sequence = data.starts_at, data.ends_at, session.sequence + 1
            await _place(session, request, data, actor)
            await session.save()
            await notices.mail_session([request.mentee, request.mentor], session, request, "changed")
            told = await notices.tell(
                [request.mentee_id, request.mentor_id],
                notices.SESSION,
                N_("Mentoring session moved: %(topic)s"),
                request,
                actor.id,
            )
    except (IntegrityError, OperationalError) as exc:
        if not _overlap(exc):
            raise
        raise overlap_error() from None
    await notifications.publish(told)
    await bookings.publish_rooms(old_room, session.room_id)
    return session


async def cancel_session(actor: Any, request_id: int, session_id: int, *, now: datetime | None = None) -> Session:
    request, session = await get_session(actor, request_id, session_id)
    _participant(actor, request)
    now = now or clock.now()
    async with in_transaction():
        session = await Session.select_for_update().get(id=session_id)
        if session.status != SessionStatus.SCHEDULED:
            raise Conflict("conflict", N_("This session is cancelled."))
        await cancel_session_row(session, now)
        await notices.mail_session([request.mentee, request.mentor], session, request, "cancelled")
        told = await notices.tell(
            [request.mentee_id, request.mentor_id],
            notices.SESSION,
            N_("Mentoring session cancelled: %(topic)s"),
            request,
            actor.id,
        )
    await notifications.publish(told)
    await publish_room_changes([session])
    return session


async def save_session_notes(actor: Any, request_id: int, session_id: int, notes: str) -> Session:
    """The notes both sides share about one session."""
    request, session = await get_session(actor, request_id, session_id)
    if not (permissions.is_mentee(actor, request) or permissions.is_its_mentor(actor, request)):
        raise NotFound()
    if request.status != RequestStatus.ACTIVE:
        raise closed_error()
    session.notes = notes
    await session.save(update_fields=["notes", "updated_at"])
    return session


# --- the mentor's private notes -------------------------------------------------------------------


async def private_notes(actor: Any, request: Request) -> str | None:
    """The mentor's own notes; None for anyone else (coordinators included)."""
    if not permissions.can_write_private_notes(actor, request):
        return None
    row = await PrivateNote.get_or_none(request_id=request.id, author_id=actor.id)
    return row.body if row else ""


async def save_private_notes(actor: Any, request_id: int, body: str) -> None:
    request = await get_request(actor, request_id)
    if not permissions.can_write_private_notes(actor, request):
        raise NotFound()
    if request.status != RequestStatus.ACTIVE:
        raise closed_error()
    async with in_transaction():
        row = await PrivateNote.select_for_update().get_or_none(request_id=request.id, author_id=actor.id)
        if row is None:
            await PrivateNote.create(request_id=request.id, author_id=actor.id, body=body)
        else:
            row.body = body
            await row.save()


# --- goals ----------------------------------------------------------------------------------------


MAX_GOALS = 30


async def goals_of(request: Request) -> list[Goal]:
    return await Goal.filter(request_id=request.id).order_by("id")


def progress(goals: list[Goal]) -> int | None:
    """The share of goals done, in per cent; None without goals."""
    return round(100 * sum(goal.done for goal in goals) / len(goals)) if goals else None


async def add_goal(actor: Any, request_id: int, title: str) -> Goal:
    request = await get_request(actor, request_id)
    _participant(actor, request)
    if await Goal.filter(request_id=request.id).count() >= MAX_GOALS:
        raise Invalid("invalid", N_("At most 30 goals."), fields={"title": N_("At most 30 goals.")})
    return await Goal.create(request_id=request.id, title=title)


async def set_goal(
    actor: Any, request_id: int, goal_id: int, *, done: bool | None = None, delete: bool = False
) -> None:
    request = await get_request(actor, request_id)
    _participant(actor, request)
    goal = await Goal.get_or_none(id=goal_id, request_id=request.id)
    if goal is None:
        raise NotFound()
    if delete:
        await goal.delete()
        return
    if done is not None:
        goal.done = done
        await goal.save(update_fields=["done"])
