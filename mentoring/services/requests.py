"""Requests and relationships: asked, offered to one mentor at a time, accepted or
declined, closed with feedback, or ended by a block.

The capacity rule: an acceptance locks the mentor's profile row (``SELECT … FOR UPDATE``
on PostgreSQL; SQLite runs one write transaction at a time), checks and raises its count
of active mentees in the same transaction; the database refuses a count above the maximum
(migration 0002) as the backstop. Announcements and live updates go out after commit.

``offer``, ``accept``, ``renew``, ``close`` and ``block`` return the request as they left
it, its mentee and mentor loaded: all that its view (contact details included) needs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from accounts.services import User, load_roles
from mentoring import permissions
from mentoring.forms import RequestIn
from mentoring.models import (
    OPEN_STATUSES,
    Block,
    MentorProfile,
    Offer,
    OfferOutcome,
    Request,
    RequestSkill,
    RequestStatus,
    Session,
)
from mentoring.services import notices, ranking
from mentoring.services.common import cancel_future_sessions, closed_error, get_request, publish_room_changes
from mentoring.services.profiles import is_paused
from notifications import services as notifications
from skills import services as skills
from tierslieu import clock, happenings
from tierslieu.errors import N_, Conflict, Invalid, NotFound

MAX_OPEN = 3
EXPIRES_AFTER = timedelta(days=30)
COMPLETED = "mentoring.completed"


async def create_request(actor: Any, data: RequestIn, *, now: datetime | None = None) -> Request:
    slugs = await skills.check(data.skills)
    now = now or clock.now()
    async with in_transaction():
        # lock the person's open requests, so two at once cannot pass the limit together
        open_ids = await Request.filter(mentee_id=actor.id, status__in=list(OPEN_STATUSES)).select_for_update()
        if len(open_ids) >= MAX_OPEN:
            raise Conflict(
                "too_many_requests_open",
                N_("You already have %(count)s open requests: withdraw one before asking again."),
                count=MAX_OPEN,
            )
        request = await Request.create(
            mentee_id=actor.id,
            topic=data.topic,
            goal=data.goal,
            background=data.background,
            languages=data.languages,
            format=data.format,
            timezone=data.timezone,
            availability=data.availability or {},
            expires_at=now + EXPIRES_AFTER,
        )
        for slug in slugs:
            await RequestSkill.create(request_id=request.id, skill_id=slug)
    return request


async def request_skills(request: Request) -> list[str]:
    return await ranking.request_skills(request)


async def my_requests(user: Any) -> list[Request]:
    return await Request.filter(mentee_id=user.id).prefetch_related("mentor").order_by("-created_at", "-id")


async def mentor_requests(user: Any) -> list[Request]:
    """Offered to me, or mine as mentor (closed ones included)."""
    return (
        await Request.filter(mentor_id=user.id)
        .exclude(status=RequestStatus.OPEN)
        .prefetch_related("mentee")
        .order_by("-updated_at", "-id")
    )


async def all_requests(actor: Any, status: str | None = None) -> list[Request]:
    if not permissions.is_coordinator(actor):
        raise NotFound()
    query = Request.all()
    if status in set(RequestStatus):
        query = query.filter(status=status)
    return await query.prefetch_related("mentee", "mentor").order_by("-created_at", "-id").limit(200)


async def suggestions(actor: Any, request_id: int, locale: str) -> list[ranking.Suggestion]:
    request = await get_request(actor, request_id)
    if not (permissions.is_mentee(actor, request) or permissions.is_coordinator(actor)):
        raise NotFound()
    if request.status != RequestStatus.OPEN:
        return []
    return await ranking.suggestions_for(request, locale)


async def withdraw(actor: Any, request_id: int) -> Request:
    request = await get_request(actor, request_id)
    if not permissions.is_mentee(actor, request) and not permissions.is_coordinator(actor):
        raise NotFound()
    told: list[Any] = []
    async with in_transaction():
        request = await Request.select_for_update().get(id=request_id)
        if request.status not in OPEN_STATUSES:
            raise Conflict("conflict", N_("Only a request that is not matched yet can be withdrawn."))
        mentor_id = request.mentor_id
        await Offer.filter(request_id=request.id, outcome=OfferOutcome.PENDING).update(
            outcome=OfferOutcome.WITHDRAWN, answered_at=clock.now()
        )
        request.status, request.mentor_id, request.closed_at = RequestStatus.WITHDRAWN, None, clock.now()
        await request.save()
        if mentor_id is not None:
            text = N_("A request offered to you was withdrawn: %(topic)s")
            told = await notices.tell([mentor_id], notices.DECLINED, text, request, actor.id, path="/mentoring")
    await notifications.publish(told)
    return request


async def renew(actor: Any, request_id: int, *, now: datetime | None = None) -> Request:
    """Another 30 days for a request not matched yet: once."""
    request = await get_request(actor, request_id)
    if not permissions.is_mentee(actor, request):
        raise NotFound()
    now = now or clock.now()
    async with in_transaction():
        request = await Request.select_for_update().get(id=request_id)
        if not permissions.can_renew(actor, request):
            if request.renewed_at is not None:
                raise Conflict("already_renewed", N_("This request has already been renewed once."))
            raise Conflict("conflict", N_("Only a request that is not matched yet can be renewed."))
        if request.status == RequestStatus.EXPIRED:
            count = await Request.filter(mentee_id=actor.id, status__in=list(OPEN_STATUSES)).count()
            if count >= MAX_OPEN:
                raise Conflict(
                    "too_many_requests_open",
                    N_("You already have %(count)s open requests: withdraw one before asking again."),
                    count=MAX_OPEN,
                )
            request.status, request.closed_at = RequestStatus.OPEN, None
        request.expires_at, request.renewed_at, request.expiry_reminded_at = now + EXPIRES_AFTER, now, None
        await request.save()
    await request.fetch_related("mentee", "mentor")
    return request


# --- offers ------------------------------------------------------------------------------------


async def _mentor_unavailable(mentor_id: int, request: Request, today: Any) -> None:
    """Raise the clear refusal of offering ``request`` to this mentor, if there is one."""
    person = await User.get_or_none(id=mentor_id, deleted_at=None, suspended_at=None)
    profile = await MentorProfile.get_or_none(user_id=mentor_id)
    if person is None or profile is None or not permissions.is_mentor(await load_roles(person)):
        raise Invalid(
            "not_a_mentor", N_("This person is not an active mentor."), fields={"mentor_id": N_("Not a mentor.")}
        )
    if mentor_id == request.mentee_id:
        raise Invalid("invalid", N_("You cannot mentor yourself."), fields={"mentor_id": N_("Not a mentor.")})
    if is_paused(profile, today):
        raise Conflict(
            "mentor_paused",
            N_("This mentor is taking a break until %(day)s: choose another mentor."),
            day=profile.paused_until.isoformat() if profile.paused_until else "",
        )
    if profile.active_count >= profile.max_mentees:
        raise Conflict("mentor_full", N_("This mentor has no free place at the moment: choose another mentor."))
    if mentor_id in await ranking.excluded_mentors(request):
        raise Conflict("mentor_unavailable", N_("This mentor cannot take this request: choose another mentor."))
    slugs = await ranking.request_skills(request)
    candidate = ranking.candidate_of(profile, person, [])
    wanted = await ranking.wanted_of(request)
    wanted.skills = slugs
    if not set(candidate.languages) & set(wanted.languages):
        raise Conflict("mentor_unavailable", N_("This mentor speaks none of the languages of the request."))
    if not ranking.passes(candidate, wanted, today):
        raise Conflict("mentor_unavailable", N_("This mentor's format or weekly times do not fit the request."))


async def offer(actor: Any, request_id: int, mentor_id: int, *, now: datetime | None = None) -> Request:
    """The mentee (or a coordinator on the mentee's behalf) offers the request to one mentor."""
    request = await get_request(actor, request_id)
    if not (permissions.is_mentee(actor, request) or permissions.is_coordinator(actor)):
        raise NotFound()
    now = now or clock.now()
    async with in_transaction():
        request = await Request.select_for_update().get(id=request_id)
        if request.status == RequestStatus.OFFERED:
            raise Conflict("already_offered", N_("This request is already offered to a mentor: wait for the answer."))
        if request.status != RequestStatus.OPEN:
            raise Conflict("conflict", N_("This request can no longer be offered."))
        await _mentor_unavailable(mentor_id, request, now.date())
        await Offer.create(request_id=request.id, mentor_id=mentor_id, offered_by_id=actor.id, offered_at=now)
        request.status, request.mentor_id = RequestStatus.OFFERED, mentor_id
        await request.save()
        text = N_("A mentoring request is offered to you: %(topic)s")
        told = await notices.tell([mentor_id], notices.OFFERED, text, request, actor.id, excerpt=request.goal)
        if actor.id != request.mentee_id:
            text = N_("A coordinator offered your request to a mentor: %(topic)s")
            told += await notices.tell([request.mentee_id], notices.OFFERED, text, request, actor.id)
    await notifications.publish(told)
    await request.fetch_related("mentee", "mentor")
    return request


async def _pending_offer(request: Request) -> Offer:
    found = await Offer.get_or_none(request_id=request.id, outcome=OfferOutcome.PENDING)
    if found is None:
        raise Conflict("already_answered", N_("This offer has already been answered."))
    return found


async def accept(actor: Any, request_id: int, message: str = "", *, now: datetime | None = None) -> Request:
    """The offered mentor accepts: a place is taken, both see each other's contact details."""
    request = await get_request(actor, request_id)
    if not permissions.is_its_mentor(actor, request):
        raise NotFound()
    now = now or clock.now()
    try:
        async with in_transaction():
            profile = await MentorProfile.select_for_update().get(user_id=actor.id)
            request = await Request.select_for_update().get(id=request_id)
            if request.status != RequestStatus.OFFERED or request.mentor_id != actor.id:
                raise Conflict("already_answered", N_("This offer has already been answered."))
            if profile.active_count >= profile.max_mentees:
                raise Conflict(
                    "mentor_full", N_("You have no free place left: close a relationship or raise your maximum.")
                )
            pending = await _pending_offer(request)
            profile.active_count += 1
            await profile.save(update_fields=["active_count", "updated_at"])
            pending.outcome, pending.answered_at, pending.message = OfferOutcome.ACCEPTED, now, message
            await pending.save()
            request.status, request.accepted_at = RequestStatus.ACTIVE, now
            await request.save()
            text = N_("Your mentoring request is accepted: %(topic)s")
            told = await notices.tell([request.mentee_id], notices.ACCEPTED, text, request, actor.id, excerpt=message)
    except (IntegrityError, OperationalError) as exc:
        if "capacity" not in str(exc).lower():
            raise
        raise Conflict(
            "mentor_full", N_("You have no free place left: close a relationship or raise your maximum.")
        ) from None
    await notifications.publish(told)
    await request.fetch_related("mentee", "mentor")
    return request


async def decline(actor: Any, request_id: int, message: str = "", *, now: datetime | None = None) -> Request:
    request = await get_request(actor, request_id)
    if not permissions.is_its_mentor(actor, request):
        raise NotFound()
    now = now or clock.now()
    async with in_transaction():
        request = await Request.select_for_update().get(id=request_id)
        if request.status != RequestStatus.OFFERED or request.mentor_id != actor.id:
            raise Conflict("already_answered", N_("This offer has already been answered."))
        pending = await _pending_offer(request)
        pending.outcome, pending.answered_at, pending.message = OfferOutcome.DECLINED, now, message
        await pending.save()
        request.status, request.mentor_id = RequestStatus.OPEN, None
        await request.save()
        text = N_("A mentor declined your request; see the next suggestions: %(topic)s")
        told = await notices.tell([request.mentee_id], notices.DECLINED, text, request, actor.id, excerpt=message)
    await notifications.publish(told)
    return request


# --- closing -------------------------------------------------------------------------------------


async def _end(request: Request, status: RequestStatus, actor_id: int | None, now: datetime) -> list[Session]:
    """Inside the caller's transaction, the request row locked and active: free the mentor's
    place and cancel the sessions still to come. Returns those sessions."""
    profile = await MentorProfile.select_for_update().get_or_none(user_id=request.mentor_id)
    if profile is not None and profile.active_count > 0:
        profile.active_count -= 1
        await profile.save(update_fields=["active_count", "updated_at"])
    request.status, request.closed_at, request.closed_by_id = status, now, actor_id
    await request.save()
    return await cancel_future_sessions(request, now)


async def close(
    actor: Any, request_id: int, outcome: str, rating: int, comment: str = "", *, now: datetime | None = None
) -> Request:
    """Close an active relationship as completed or cancelled, with feedback (1–5 and a
    comment); the mentor's place is free again."""
    request = await get_request(actor, request_id)
    if not (permissions.is_mentee(actor, request) or permissions.is_its_mentor(actor, request)):
        if not permissions.is_coordinator(actor):
            raise NotFound()
    now = now or clock.now()
    status = RequestStatus.COMPLETED if outcome == "completed" else RequestStatus.CANCELLED
    async with in_transaction():
        request = await Request.select_for_update().get(id=request_id)
        if request.status != RequestStatus.ACTIVE:
            raise closed_error()
        request.rating, request.feedback = rating, comment
        cancelled = await _end(request, status, actor.id, now)
        await request.fetch_related("mentee", "mentor")
        await notices_for_cancelled(cancelled, request)
        if status == RequestStatus.COMPLETED:
            text = N_("Mentoring completed: %(topic)s")
        else:
            text = N_("Mentoring cancelled: %(topic)s")
        told = await notices.tell(
            [request.mentee_id, request.mentor_id], notices.CLOSED, text, request, actor.id, excerpt=comment
        )
    await notifications.publish(told)
    await _after_sessions(cancelled)
    if status == RequestStatus.COMPLETED:
        await happenings.announce(
            COMPLETED,
            relationship_id=request.id,
            mentee_id=request.mentee_id,
            mentor_id=request.mentor_id,
            skills=await ranking.request_skills(request),
        )
    return request


async def notices_for_cancelled(cancelled: list[Session], request: Request) -> None:
    for session in cancelled:
        await notices.mail_session([request.mentee, request.mentor], session, request, "cancelled")


async def _after_sessions(cancelled: list[Session]) -> None:
    await publish_room_changes(cancelled)


async def block(actor: Any, request_id: int, *, now: datetime | None = None) -> Request:
    """Either side blocks the other: the relationship ends (cancelled) and they are never
    suggested to each other again."""
    request = await get_request(actor, request_id)
    if not (permissions.is_mentee(actor, request) or permissions.is_its_mentor(actor, request)):
        raise NotFound()
    now = now or clock.now()
    other_id = request.mentor_id if actor.id == request.mentee_id else request.mentee_id
    async with in_transaction():
        request = await Request.select_for_update().get(id=request_id)
        if request.status != RequestStatus.ACTIVE:
            raise closed_error()
        if not await Block.filter(blocker_id=actor.id, blocked_id=other_id).exists():
            await Block.create(blocker_id=actor.id, blocked_id=other_id)
        cancelled = await _end(request, RequestStatus.CANCELLED, actor.id, now)
        await request.fetch_related("mentee", "mentor")
        await notices_for_cancelled(cancelled, request)
        told = await notices.tell([other_id], notices.CLOSED, N_("Mentoring cancelled: %(topic)s"), request, actor.id)
    await notifications.publish(told)
    await _after_sessions(cancelled)
    return request


def contacts(actor: Any, request: Request) -> dict[str, str] | None:
    """The other side's name and address, once the request is accepted."""
    if not permissions.can_see_contacts(actor, request):
        return None
    other = request.mentor if permissions.is_mentee(actor, request) else request.mentee
    if other is None:
        return None
    return {"display_name": other.display_name, "email": other.email}
