"""Awarding badges (by hand, on attendance, by a mentor), telling the person, revoking, and
the share page the person may switch on."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from accounts import services as accounts
from badges import permissions
from badges.forms import AwardCreate
from badges.models import Award, BadgeClass, EventLink, MentorGrant, Origin
from badges.services.classes import forbidden, get_class
from events import services as events
from notifications import services as notifications
from tierslieu import clock, mail
from tierslieu.errors import N_, Conflict, Invalid, NotFound
from tierslieu.i18n import Message
from tierslieu.parts import Happening
from tierslieu.urls import path_for

MAIL_KIND = "badges"
AWARDED = "badges.awarded"
MENTORING_COMPLETED = "mentoring.completed"  # data: relationship_id, mentee_id, mentor_id, skills


def identity_hash(email: str, salt: str) -> str:
    """Open Badges 2.0 IdentityObject: "sha256$" and the hex SHA-256 of the address then the salt."""
    return "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()


async def mentor_may_award(mentor_id: int, mentee_id: int) -> bool:
    return await MentorGrant.exists(mentor_id=mentor_id, mentee_id=mentee_id)


async def _live_award(badge_class_id: int, user_id: int) -> Award | None:
    return await Award.get_or_none(badge_class_id=badge_class_id, recipient_id=user_id, revoked_at=None)


async def _give(
    badge_class: BadgeClass,
    recipient: Any,
    *,
    origin: Origin,
    awarded_by_id: int | None,
    note: str = "",
    event_id: int | None = None,
    session_ids: list[int] | None = None,
    relationship_id: int | None = None,
    tell: bool = True,
    issued_at: datetime | None = None,
) -> Award:
    """Store the award, tell the person in-app and by mail (same transaction), publish after;
    ``tell`` False (the demo content) writes no notification and no mail."""
    salt = secrets.token_hex(16)
    try:
        async with in_transaction():
            award = await Award.create(
                badge_class_id=badge_class.id,
                recipient_id=recipient.id,
                identity_hash=identity_hash(recipient.email, salt),
                salt=salt,
                origin=origin,
                awarded_by_id=awarded_by_id,
                evidence_note=note,
                event_id=event_id,
                session_ids=session_ids or [],
                relationship_id=relationship_id,
                issued_at=issued_at or clock.now(),
                share_token=secrets.token_urlsafe(32),
            )
            if not tell:
                return award
            page = path_for("badges:award", award_id=award.id)
            created = await notifications.notify(
                [recipient.id],
                AWARDED,
                Message(N_("You earned the badge “%(name)s”"), {"name": badge_class.name}),
                url=page,
                actor_id=None,
            )
            await mail.send(
                recipient,
                "badges/awarded",
                {
                    "badge_class": badge_class,
                    "user": recipient,
                    "page_url": mail.base_url() + page,
                    "share_url": mail.base_url() + path_for("badges:share", token=award.share_token),
                },
                kind=MAIL_KIND,
            )
    except IntegrityError:
        raise Conflict("already_awarded", N_("This person already holds this badge.")) from None
    await notifications.publish(created)
    return award


async def award_badge(
    actor: Any, badge_class_id: int, data: AwardCreate, *, tell: bool = True, issued_at: datetime | None = None
) -> Award:
    """An award by hand: by the class's creator, a facilitator of an event linked to it, a
    coordinator, or a mentor for a mentee whose relationship completed."""
    badge_class = await get_class(badge_class_id)
    recipient = await accounts.find_active(data.user_id)
    if recipient is None:
        raise Invalid(
            "invalid", N_("Some fields are missing or invalid."), fields={"user_id": N_("Nobody has this number.")}
        )
    grant = await MentorGrant.filter(mentor_id=actor.id, mentee_id=recipient.id).order_by("-id").first()
    if not permissions.can_award(actor, badge_class, mentor_may=grant is not None):
        raise forbidden()
    if await _live_award(badge_class.id, recipient.id) is not None:
        raise Conflict("already_awarded", N_("This person already holds this badge."))
    by_hand = permissions.can_award(actor, badge_class)
    return await _give(
        badge_class,
        recipient,
        origin=Origin.MANUAL if by_hand else Origin.MENTORING,
        awarded_by_id=actor.id,
        note=data.evidence.strip(),
        relationship_id=None if by_hand or grant is None else grant.relationship_id,
        tell=tell,
        issued_at=issued_at,
    )


# --- what the parts below tell ---------------------------------------------------------------


async def _attended_everything(link: EventLink, event: Any, user_id: int) -> tuple[bool, list[int]]:
    """Whether the person attended the link's required sessions (a check-in for the whole
    event counts for every session), and the sessions they attended."""
    sessions = [session.id for session in await events.sessions_of(event)]
    whole = user_id in await events.attended(event.id, None)
    present = [session_id for session_id in sessions if user_id in await events.attended(event.id, session_id)]
    if not sessions:
        return whole, []
    required = set(link.required_session_ids) or set(sessions)
    return whole or required <= set(present), present


async def on_attendance_recorded(happening: Happening) -> None:
    """``events.attendance_recorded``: award the badges of the event's links whose required
    sessions the people checked in have now all attended."""
    await award_for_attendance(happening.data["event_id"], happening.data.get("user_ids", ()))


async def award_for_attendance(
    event_id: int, user_ids: Iterable[int], *, tell: bool = True, issued_at: datetime | None = None
) -> list[Award]:
    """Award the badges linked to the event to those of these people who attended its
    required sessions and do not hold them yet."""
    links = await EventLink.filter(event_id=event_id).prefetch_related("badge_class")
    if not links:
        return []
    try:
        event = await events.get_event(None, event_id)
    except NotFound:
        return []
    given = []
    for user_id in user_ids:
        recipient = await accounts.find_active(user_id)
        if recipient is None:
            continue
        for link in links:
            if link.badge_class.archived_at is not None or await _live_award(link.badge_class_id, user_id):
                continue
            done, present = await _attended_everything(link, event, user_id)
            if not done:
                continue
            try:
                given.append(
                    await _give(
                        link.badge_class,
                        recipient,
                        origin=Origin.EVENT,
                        awarded_by_id=None,
                        event_id=event.id,
                        session_ids=present,
                        tell=tell,
                        issued_at=issued_at,
                    )
                )
            except Conflict:
                continue  # given meanwhile by another check-in
    return given


async def on_mentoring_completed(happening: Happening) -> None:
    """``mentoring.completed``: the mentor may now award badges to the mentee, with the
    relationship as evidence."""
    data = happening.data
    try:
        async with in_transaction():
            await MentorGrant.create(
                relationship_id=data["relationship_id"],
                mentor_id=data["mentor_id"],
                mentee_id=data["mentee_id"],
                skills=list(data.get("skills") or []),
            )
    except IntegrityError:
        return  # told twice, or one of them is gone


# --- revocation, sharing, reading ------------------------------------------------------------


async def get_award(award_id: int) -> tuple[Award, BadgeClass]:
    award = await Award.get_or_none(id=award_id)
    if award is None:
        raise NotFound()
    return award, await get_class(award.badge_class_id)


async def visible_award(actor: Any, award_id: int) -> tuple[Award, BadgeClass]:
    """An award as its recipient or a revoker sees it; 404 for anyone else."""
    award, badge_class = await get_award(award_id)
    if not permissions.can_view_award(actor, award, badge_class):
        raise NotFound()
    return award, badge_class


async def revoke(actor: Any, award_id: int, reason: str) -> Award:
    """Revoke an award (the class's creator or a coordinator); verifiers then read the reason."""
    award, badge_class = await get_award(award_id)
    if not permissions.can_revoke(actor, badge_class):
        raise forbidden()
    if award.revoked_at is not None:
        raise Conflict("already_revoked", N_("This badge is already revoked."))
    award.revoked_at, award.revocation_reason, award.revoked_by_id = clock.now(), reason, actor.id
    await award.save(update_fields=["revoked_at", "revocation_reason", "revoked_by_id"])
    return award


async def set_shared(actor: Any, award_id: int, shared: bool) -> Award:
    """The recipient switches the public share page on or off."""
    award, _ = await get_award(award_id)
    if actor is None or award.recipient_id != actor.id:
        raise NotFound()
    award.shared = shared
    await award.save(update_fields=["shared"])
    return award


async def shared_award(token: str) -> tuple[Award, BadgeClass]:
    """The award behind a share link, while its recipient shares it (revoked ones too, shown
    as such); 404 otherwise."""
    award = await Award.get_or_none(share_token=token, shared=True)
    if award is None:
        raise NotFound()
    return award, await get_class(award.badge_class_id)


async def my_awards(user: Any) -> list[Award]:
    return await Award.filter(recipient_id=user.id).order_by("-issued_at", "-id").prefetch_related("badge_class")


async def class_awards(actor: Any, badge_class: BadgeClass) -> list[dict[str, Any]]:
    """The awards of a class with their recipients' names, for those who may revoke them."""
    if not permissions.can_revoke(actor, badge_class):
        return []
    awards = await Award.filter(badge_class_id=badge_class.id).order_by("-issued_at", "-id")
    people = {
        person.id: person for person in await accounts.active_users([a.recipient_id for a in awards if a.recipient_id])
    }
    return [{"award": award, "person": people.get(award.recipient_id)} for award in awards]


async def evidence_summary(award: Award) -> dict[str, Any]:
    """What the award rests on: the event and the sessions attended, a mentoring relationship,
    the note."""
    summary: dict[str, Any] = {"note": award.evidence_note, "event": None, "sessions": [], "mentoring": False}
    if award.event_id is not None:
        try:
            event = await events.get_event(None, award.event_id)
        except NotFound:
            event = None
        if event is not None:
            summary["event"] = event
            wanted = set(award.session_ids)
            summary["sessions"] = [s for s in await events.sessions_of(event) if s.id in wanted]
    summary["mentoring"] = award.relationship_id is not None
    return summary


async def is_mentor_of_someone(user: Any) -> bool:
    return await MentorGrant.exists(mentor_id=user.id)


async def holder_name(award: Award) -> str | None:
    """The name of an award's holder, while their account exists."""
    if award.recipient_id is None:
        return None
    person = await accounts.find_active(award.recipient_id)
    return person.display_name if person is not None else None
