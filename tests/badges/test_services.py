"""Badges: creating classes, awarding by hand (who may), on attendance (the happening of
events), through a completed mentoring relationship, revoking, sharing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tortoise.exceptions import IntegrityError

from accounts.services import Role
from badges import services
from badges.forms import AwardCreate, ClassCreate, EventLinkCreate
from badges.models import Award, ClassSkill, MentorGrant
from events import services as events
from events.forms import SessionCreate
from mentoring import services as mentoring_services
from notifications.models import Notification
from tests.badges.helpers import make_class, make_creator
from tests.events.helpers import make_event, soon
from tests.helpers import make_user
from tests.mentoring.helpers import make_relationship
from tierslieu.errors import Conflict, DomainError, Forbidden, Invalid
from tierslieu.models import OutboxMail
from tierslieu.parts import Happening


async def test_a_class_by_a_facilitator_with_skills_and_a_drawn_image() -> None:
    badge_class = await make_class()
    assert badge_class.image.startswith(b"\x89PNG\r\n\x1a\n") and badge_class.image_generated
    assert await services.skills_of(badge_class) == ["nsi", "python"]
    with pytest.raises(Invalid) as unknown:
        await make_class(skills=["python", "cuisine"])
    assert unknown.value.code == "unknown_skill"
    with pytest.raises(Forbidden):
        await make_class(await make_user())
    assert await make_class(await make_user(roles=(Role.COORDINATOR,)))
    with pytest.raises(Invalid):
        await make_class(image=b"not an image at all")
    assert await ClassSkill.filter(badge_class_id=badge_class.id).count() == 2


async def test_manual_award_permissions() -> None:
    creator = await make_creator()
    badge_class = await make_class(creator)
    recipient = await make_user()
    member, other_facilitator = await make_user(), await make_creator()
    coordinator = await make_user(roles=(Role.COORDINATOR,))
    for outsider in (member, other_facilitator, recipient):
        with pytest.raises(Forbidden):
            await services.award_badge(outsider, badge_class.id, AwardCreate(user_id=recipient.id))
    award = await services.award_badge(creator, badge_class.id, AwardCreate(user_id=recipient.id, evidence="Projet"))
    assert award.origin == "manual" and award.awarded_by_id == creator.id
    with pytest.raises(Conflict):  # one live award per person and class
        await services.award_badge(coordinator, badge_class.id, AwardCreate(user_id=recipient.id))
    assert await services.award_badge(coordinator, badge_class.id, AwardCreate(user_id=member.id))
    # a facilitator of an event linked to the class may award it
    event = await make_event(other_facilitator)
    await services.link_event(other_facilitator, badge_class.id, EventLinkCreate(event_id=event.id))
    assert await services.award_badge(other_facilitator, badge_class.id, AwardCreate(user_id=other_facilitator.id))
    # the recipient is told in-app and by mail, with the share link
    assert await Notification.filter(user_id=recipient.id, kind="badges.awarded").count() == 1
    mail = await OutboxMail.filter(to_address=recipient.email).order_by("-id").first()
    assert mail is not None and f"/badges/s/{award.share_token}" in mail.body_text
    assert badge_class.name in mail.subject


async def test_the_database_keeps_one_live_award_per_person() -> None:
    badge_class = await make_class()
    person = await make_user()
    await services.award_badge(badge_class.creator, badge_class.id, AwardCreate(user_id=person.id))
    with pytest.raises(IntegrityError):
        await Award.create(
            badge_class_id=badge_class.id,
            recipient_id=person.id,
            identity_hash="sha256$0",
            salt="x",
            origin="manual",
            issued_at=badge_class.created_at,
            share_token="another-token",
        )


async def test_revocation_by_the_creator_or_a_coordinator_with_a_reason() -> None:
    creator = await make_creator()
    badge_class = await make_class(creator)
    person = await make_user()
    award = await services.award_badge(creator, badge_class.id, AwardCreate(user_id=person.id))
    for outsider in (person, await make_creator()):
        with pytest.raises(Forbidden):
            await services.revoke(outsider, award.id, "Erreur")
    revoked = await services.revoke(creator, award.id, "Attribué par erreur")
    assert revoked.revoked_at is not None and revoked.revocation_reason == "Attribué par erreur"
    with pytest.raises(Conflict):
        await services.revoke(await make_user(roles=(Role.COORDINATOR,)), award.id, "Encore")
    # once revoked, the badge may be awarded again
    assert await services.award_badge(creator, badge_class.id, AwardCreate(user_id=person.id))


async def _week_with_sessions(facilitator=None):
    start = soon(10)
    event = await make_event(
        facilitator, kind="intensive_week", capacity=5, starts_at=start, ends_at=start + timedelta(days=3)
    )
    sessions = []
    for day in range(3):
        start = event.starts_at + timedelta(days=day)
        sessions.append(
            await events.add_session(
                event.facilitator,
                event.id,
                SessionCreate(title=f"Jour {day + 1}", starts_at=start, ends_at=start + timedelta(hours=1)),
            )
        )
    return event, sessions


async def test_awarded_automatically_once_the_required_sessions_are_attended() -> None:
    event, sessions = await _week_with_sessions()
    facilitator = event.facilitator
    badge_class = await make_class(facilitator)
    link = await services.link_event(facilitator, badge_class.id, EventLinkCreate(event_id=event.id))
    assert link.required_session_ids == []  # all of them
    everything, partly, whole = await make_user(), await make_user(), await make_user()
    for person in (everything, partly, whole):
        await events.register(person, event.id)
    for session in sessions:
        await events.record_attendance(facilitator, event.id, everything.id, session.id)
    for session in sessions[:2]:
        await events.record_attendance(facilitator, event.id, partly.id, session.id)
    await events.record_attendance(facilitator, event.id, whole.id)  # checked in for the whole event
    holders = set(await Award.filter(badge_class_id=badge_class.id).values_list("recipient_id", flat=True))
    assert holders == {everything.id, whole.id}
    award = await Award.get(recipient_id=everything.id)
    assert award.origin == "event" and award.event_id == event.id
    assert sorted(award.session_ids) == sorted(session.id for session in sessions)
    # the facilitator marks the first two sessions only as required: the next check-in awards
    await services.set_required_sessions(facilitator, link.id, [sessions[0].id, sessions[1].id])
    late = await make_user()
    await events.register(late, event.id)
    await events.record_attendance(facilitator, event.id, late.id, sessions[0].id)
    assert not await Award.exists(recipient_id=late.id)
    await events.record_attendance(facilitator, event.id, late.id, sessions[1].id)
    assert await Award.exists(recipient_id=late.id, badge_class_id=badge_class.id)
    # recording again awards nothing twice
    await events.record_attendance(facilitator, event.id, everything.id, sessions[0].id)
    assert await Award.filter(recipient_id=everything.id).count() == 1


async def test_only_the_event_s_facilitators_link_it_and_choose_its_sessions() -> None:
    event, sessions = await _week_with_sessions()
    badge_class = await make_class()
    with pytest.raises(DomainError) as refused:
        await services.link_event(await make_creator(), badge_class.id, EventLinkCreate(event_id=event.id))
    assert refused.value.status == 403
    with pytest.raises(Invalid):
        await services.link_event(
            event.facilitator, badge_class.id, EventLinkCreate(event_id=event.id, required_session_ids=[999999])
        )
    link = await services.link_event(
        event.facilitator, badge_class.id, EventLinkCreate(event_id=event.id, required_session_ids=[sessions[2].id])
    )
    assert link.required_session_ids == [sessions[2].id]
    with pytest.raises(Conflict):
        await services.link_event(event.facilitator, badge_class.id, EventLinkCreate(event_id=event.id))
    assert [event.id] == [run.id for run in await services.linkable_events(event.facilitator)]


async def test_a_completed_mentoring_relationship_lets_the_mentor_award_the_mentee() -> None:
    badge_class = await make_class()
    mentor, mentee, stranger = await make_user(roles=(Role.MENTOR,)), await make_user(), await make_user()
    with pytest.raises(Forbidden):
        await services.award_badge(mentor, badge_class.id, AwardCreate(user_id=mentee.id))
    happening = Happening(
        services.MENTORING_COMPLETED,
        {"relationship_id": 41, "mentee_id": mentee.id, "mentor_id": mentor.id, "skills": ["python"]},
    )
    await services.on_mentoring_completed(happening)
    await services.on_mentoring_completed(happening)  # told twice: one grant
    assert await MentorGrant.filter(relationship_id=41).count() == 1
    with pytest.raises(Forbidden):  # only for that mentee
        await services.award_badge(mentor, badge_class.id, AwardCreate(user_id=stranger.id))
    award = await services.award_badge(mentor, badge_class.id, AwardCreate(user_id=mentee.id, evidence="Suivi"))
    assert award.origin == "mentoring" and award.relationship_id == 41
    assert (await services.evidence_summary(award))["mentoring"] is True


async def test_sharing_is_the_recipient_s_choice() -> None:
    badge_class = await make_class()
    person = await make_user()
    award = await services.award_badge(badge_class.creator, badge_class.id, AwardCreate(user_id=person.id))
    assert not award.shared
    with pytest.raises(DomainError):
        await services.shared_award(award.share_token)
    with pytest.raises(DomainError):
        await services.set_shared(badge_class.creator, award.id, True)
    await services.set_shared(person, award.id, True)
    shown, _ = await services.shared_award(award.share_token)
    assert shown.id == award.id


async def test_class_texts_are_validated() -> None:
    with pytest.raises(Exception):  # noqa: B017 - pydantic's ValidationError
        ClassCreate.model_validate({"name": " ", "description": "x", "criteria": "y"})


async def test_closing_a_relationship_as_completed_reaches_badges_through_the_happening() -> None:
    """The installed manifests wire mentoring's happening to badges: no part imports the other."""
    mentor, mentee, request = await make_relationship()
    await mentoring_services.close(mentee, request.id, "completed", 5, "Merci pour tout")
    grant = await MentorGrant.get(relationship_id=request.id)
    assert (grant.mentor_id, grant.mentee_id) == (mentor.id, mentee.id)  # type: ignore[attr-defined]
    _, cancelled_mentee, cancelled = await make_relationship()
    await mentoring_services.close(cancelled_mentee, cancelled.id, "cancelled", 2, "Pas le temps")
    assert not await MentorGrant.exists(relationship_id=cancelled.id)
