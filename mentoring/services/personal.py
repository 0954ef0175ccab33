"""Mentoring data in "download my data", its erasure with the account, and the sessions in
the personal calendar feed."""

from __future__ import annotations

from typing import Any

from mentoring.models import (
    Block,
    Goal,
    MentorProfile,
    MentorSkill,
    Message,
    Offer,
    OfferOutcome,
    PrivateNote,
    Request,
    RequestSkill,
    RequestStatus,
    Session,
)
from mentoring.services import notices
from mentoring.services.common import cancel_future_sessions
from tierslieu import calendar, clock, db, i18n
from tierslieu.calendar import FeedItem
from tierslieu.errors import N_


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def export_personal_data(user: Any) -> dict[str, Any]:
    profile = await MentorProfile.get_or_none(user_id=user.id)
    mine = await Request.filter(mentee_id=user.id).order_by("id")
    mentored = await Request.filter(mentor_id=user.id).exclude(status=RequestStatus.OPEN).order_by("id")

    async def request_data(request: Request, as_mentor: bool) -> dict[str, Any]:
        data = {
            "id": request.id,
            "role": "mentor" if as_mentor else "mentee",
            "topic": request.topic,
            "goal": request.goal,
            "background": request.background,
            "languages": request.languages,
            "format": str(request.format),
            "skills": list(await RequestSkill.filter(request_id=request.id).values_list("skill_id", flat=True)),
            "availability": request.availability,
            "status": str(request.status),
            "created_at": _when(request.created_at),
            "accepted_at": _when(request.accepted_at),
            "closed_at": _when(request.closed_at),
            "rating": request.rating if request.closed_by_id == user.id else None,
            "feedback": request.feedback if request.closed_by_id == user.id else "",
            "goals": [{"title": goal.title, "done": goal.done} for goal in await Goal.filter(request_id=request.id)],
            "sessions": [
                {
                    "starts_at": _when(row.starts_at),
                    "ends_at": _when(row.ends_at),
                    "format": str(row.format),
                    "room": row.room_name,
                    "link": row.link,
                    "status": str(row.status),
                    "notes": row.notes,
                }
                for row in await Session.filter(request_id=request.id).order_by("starts_at")
            ],
            "my_messages": [
                {"body": row.body, "created_at": _when(row.created_at)}
                for row in await Message.filter(request_id=request.id, author_id=user.id).order_by("id")
            ],
        }
        if as_mentor:
            note = await PrivateNote.get_or_none(request_id=request.id, author_id=user.id)
            data["private_notes"] = note.body if note else ""
        return data

    return {
        "mentor_profile": None
        if profile is None
        else {
            "bio": profile.bio,
            "motivation": profile.motivation,
            "languages": profile.languages,
            "formats": profile.formats,
            "max_mentees": profile.max_mentees,
            "timezone": profile.timezone,
            "availability": profile.availability,
            "paused_until": _when(profile.paused_until),
            "skills": list(await MentorSkill.filter(profile_id=profile.id).values_list("skill_id", flat=True)),
            "applied_at": _when(profile.applied_at),
        },
        "requests": [await request_data(row, False) for row in mine],
        "mentoring": [await request_data(row, True) for row in mentored],
        "offers_received": [
            {"request_id": row.request_id, "outcome": str(row.outcome), "offered_at": _when(row.offered_at)}
            for row in await Offer.filter(mentor_id=user.id).order_by("id")
        ],
        "blocked_people": await Block.filter(blocker_id=user.id).count(),
    }


async def erase_personal_data(user: Any) -> None:
    """Inside the account deletion's transaction: the person's requests (with their threads,
    sessions and goals) are deleted; relationships they mentor end, the mentees keep their
    requests, open again when nothing was agreed yet; their messages, notes and profile go."""
    now = clock.now()
    for request in await Request.filter(mentee_id=user.id, status=RequestStatus.ACTIVE):
        profile = await MentorProfile.select_for_update().get_or_none(user_id=request.mentor_id)
        if profile is not None and profile.active_count > 0:
            profile.active_count -= 1
            await profile.save(update_fields=["active_count", "updated_at"])
        await cancel_future_sessions(request, now)
    await Request.filter(mentee_id=user.id).delete()
    for request in await Request.filter(mentor_id=user.id):
        if request.status == RequestStatus.ACTIVE:
            await cancel_future_sessions(request, now)
            request.status, request.closed_at = RequestStatus.CANCELLED, now
        elif request.status == RequestStatus.OFFERED:
            request.status = RequestStatus.OPEN
        request.mentor_id = None
        await request.save()
    await Offer.filter(mentor_id=user.id, outcome=OfferOutcome.PENDING).update(
        outcome=OfferOutcome.WITHDRAWN, answered_at=now
    )
    await Offer.filter(mentor_id=user.id).delete()
    await Offer.filter(offered_by_id=user.id).update(offered_by_id=None)
    await Request.filter(closed_by_id=user.id).update(closed_by_id=None)
    await Message.filter(author_id=user.id).delete()
    await Message.filter(reported_by_id=user.id).update(reported_by_id=None)
    await PrivateNote.filter(author_id=user.id).delete()
    await Session.filter(created_by_id=user.id).update(created_by_id=None)
    await Block.filter(blocker_id=user.id).delete()
    await Block.filter(blocked_id=user.id).delete()
    await MentorProfile.filter(user_id=user.id).delete()


# --- the personal calendar feed ------------------------------------------------------------------


async def _sessions(user: Any) -> list[Session]:
    since = clock.now() - calendar.KEEP_CANCELLED
    mentee = await Session.filter(ends_at__gt=since, request__mentee_id=user.id).prefetch_related("request")
    mentor = await Session.filter(ends_at__gt=since, mentor_id=user.id).prefetch_related("request")
    found = {row.id: row for row in [*mentee, *mentor]}
    return sorted(found.values(), key=lambda row: (row.starts_at, row.id))


async def personal_items(user: Any, base_url: str) -> list[FeedItem]:
    """My mentoring sessions, as mentee or mentor; cancelled ones of the last 30 days kept."""
    return [
        notices.feed_item(
            row, row.request, base_url, i18n.gettext(user.locale, N_("Mentoring: %(topic)s"), topic=row.request.topic)
        )
        for row in await _sessions(user)
    ]


_VERSION = """
SELECT count(s.id), max(s.updated_at), sum(s.sequence) FROM mentoring_session s
JOIN mentoring_request r ON r.id = s.request_id
WHERE (r.mentee_id = $1 OR s.mentor_id = $1) AND s.ends_at > $2
"""


async def personal_version(user: Any) -> tuple:
    """Changes whenever my items change (one prepared query, asked at every feed request): a
    new, moved or cancelled session bumps a sequence and the latest change, one leaving the
    30-day window changes the count; the titles are in my language."""
    since = clock.now() - calendar.KEEP_CANCELLED
    (row,) = await db.rows(_VERSION, [user.id, since])
    return (user.locale, *map(str, row))
