"""The mentoring flow through its services: apply, ask, offer, accept, sessions, thread,
close; bad input; lapse and expiry with their reminders; the daily purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from tortoise.exceptions import IntegrityError, OperationalError

from accounts.models import Role
from accounts.services import load_roles
from bookings.models import Booking
from mentoring import services
from mentoring.forms import MentorProfileIn, RequestIn, SessionIn
from mentoring.models import Goal, MentorProfile, Message, Offer, PrivateNote, Request, Session
from notifications.models import Notification
from tests.bookings.helpers import make_room
from tests.helpers import make_user
from tests.mentoring.helpers import at, make_mentor, make_relationship, make_request, next_weekday
from tierslieu import clock, parts
from tierslieu.errors import DomainError, NotFound
from tierslieu.models import OutboxMail


async def kinds_for(user) -> list[str]:
    return list(await Notification.filter(user_id=user.id).order_by("id").values_list("kind", flat=True))


async def test_an_application_waits_for_the_mentor_role() -> None:
    coordinator = await make_user(roles=(Role.COORDINATOR,))
    applicant = await make_user()
    data = MentorProfileIn(skills=["nsi", "capes"], languages=["fr"], formats=["online"], max_mentees=2)
    _profile, created = await services.save_profile(applicant, data)
    assert created
    queue = await services.applications(await load_roles(coordinator))
    assert [person.id for _, person, _ in queue] == [applicant.id]
    assert await kinds_for(coordinator) == ["mentoring.application"]
    # not a mentor yet: nobody can offer them a request
    mentee, request = await make_request()
    with pytest.raises(DomainError) as refused:
        await services.offer(mentee, request.id, applicant.id)
    assert refused.value.code == "not_a_mentor"
    with pytest.raises(NotFound):
        await services.applications(applicant)


async def test_unknown_skill_and_language_are_clear_422() -> None:
    user = await make_user()
    with pytest.raises(DomainError) as refused:
        await services.create_request(user, RequestIn(topic="x", skills=["cobol"], languages=["fr"]))
    assert refused.value.status == 422 and refused.value.code == "unknown_skill"
    with pytest.raises(ValidationError):
        RequestIn(topic="x", languages=["french"])


async def test_at_most_three_open_requests() -> None:
    mentee = await make_user()
    for _ in range(3):
        await make_request(mentee)
    with pytest.raises(DomainError) as refused:
        await make_request(mentee)
    assert refused.value.status == 409 and refused.value.code == "too_many_requests_open"


async def test_the_whole_flow(monkeypatch) -> None:
    heard = []

    async def listener(happening):
        heard.append(happening)

    installation = parts.installed()
    monkeypatch.setitem(installation.listeners, services.COMPLETED, [listener])
    mentor = await make_mentor(email="mentor.flow@example.org")
    mentee, request = await make_request(skills=["nsi", "python"])
    found = await services.suggestions(mentee, request.id, "fr")
    assert [s.mentor_id for s in found] == [mentor.id]
    assert services.contacts(mentee, await services.get_request(mentee, request.id)) is None
    await services.offer(mentee, request.id, mentor.id)
    assert await kinds_for(mentor) == ["mentoring.offered"]
    # the mentor sees the request, but not the mentee's address yet
    seen = await services.get_request(mentor, request.id)
    assert services.contacts(mentor, seen) is None
    await services.accept(mentor, request.id, "Avec plaisir")
    assert (await MentorProfile.get(user_id=mentor.id)).active_count == 1
    seen = await services.get_request(mentee, request.id)
    assert services.contacts(mentee, seen) == {"display_name": mentor.display_name, "email": mentor.email}
    assert await kinds_for(mentee) == ["mentoring.accepted"]
    # a second acceptance is a clear 409
    with pytest.raises(DomainError) as refused:
        await services.accept(mentor, request.id)
    assert refused.value.status == 409 and refused.value.code == "already_answered"
    # thread, goals, notes
    await services.post_message(mentee, request.id, "Bonjour")
    assert "mentoring.message" in await kinds_for(mentor)
    goal = await services.add_goal(mentee, request.id, "Écrire une séquence")
    await services.add_goal(mentor, request.id, "Passer l'oral blanc")
    await services.set_goal(mentor, request.id, goal.id, done=True)
    assert services.progress(await services.goals_of(request)) == 50
    await services.save_private_notes(mentor, request.id, "Très motivée")
    assert await services.private_notes(mentee, request) is None
    assert await services.private_notes(mentor, seen) == "Très motivée"
    # an on-site session books a room; the mail carries the calendar file
    room = await make_room()
    day = next_weekday(1)
    session = await services.schedule_session(
        mentee,
        request.id,
        SessionIn(starts_at=at(day, "18:30"), ends_at=at(day, "19:30"), format="onsite", room_id=room.id),
    )
    booking = await Booking.get(id=session.booking_id)
    assert booking.origin == "mentoring" and booking.room_id == room.id
    mails = await OutboxMail.filter(to_address__in=[mentee.email, mentor.email], kind="mentoring")
    assert len(mails) == 2 and all("BEGIN:VCALENDAR" in m.attachments[0]["content"] for m in mails)
    feed = await services.personal_items(mentor, "http://testserver")
    assert [item.uid.split("@")[0] for item in feed] == [f"mentoring-session-{session.id}"]
    assert len(await services.personal_items(mentee, "http://testserver")) == 1
    # the feeds' version (what their cache is kept by) follows every change of a session
    versions = [await services.personal_version(mentee)]
    assert versions[0] == await services.personal_version(mentor) != (mentee.locale,)
    # moved, then cancelled: the room follows
    moved = await services.reschedule_session(
        mentor,
        request.id,
        session.id,
        SessionIn(starts_at=at(day, "19:00"), ends_at=at(day, "20:00"), format="onsite", room_id=room.id),
    )
    assert moved.sequence == 1
    assert (await Booking.get(id=booking.id)).status == "cancelled"
    versions.append(await services.personal_version(mentee))
    await services.cancel_session(mentee, request.id, session.id)
    assert (await Booking.get(id=moved.booking_id)).status == "cancelled"
    versions.append(await services.personal_version(mentor))
    assert len(set(versions)) == 3, versions
    # closure frees the place and is announced after commit
    await services.close(mentee, request.id, "completed", 5, "Merci !")
    assert (await MentorProfile.get(user_id=mentor.id)).active_count == 0
    assert [h.data for h in heard] == [
        {"relationship_id": request.id, "mentee_id": mentee.id, "mentor_id": mentor.id, "skills": ["nsi", "python"]}
    ]
    # acting on a closed relationship: clear 409
    for attempt in (
        services.post_message(mentee, request.id, "encore"),
        services.add_goal(mentee, request.id, "x"),
        services.close(mentor, request.id, "cancelled", 1),
    ):
        with pytest.raises(DomainError) as refused:
            await attempt
        assert refused.value.status == 409 and refused.value.code == "relationship_closed"


async def test_offering_to_a_paused_or_full_mentor_is_refused() -> None:
    paused = await make_mentor(paused_until=(clock.now() + timedelta(days=10)).date())
    full = await make_mentor(max_mentees=1)
    await make_relationship(mentor=full)
    mentee, request = await make_request()
    for mentor, code in ((paused, "mentor_paused"), (full, "mentor_full")):
        with pytest.raises(DomainError) as refused:
            await services.offer(mentee, request.id, mentor.id)
        assert refused.value.status == 409 and refused.value.code == code
    assert await services.suggestions(mentee, request.id, "fr") == []


async def test_sessions_outside_availability_in_the_past_or_overlapping() -> None:
    mentor, mentee, request = await make_relationship()
    day = next_weekday(1)
    cases = [
        (at(day, "10:00"), at(day, "11:00"), "outside_availability"),  # mornings are not the mentor's
        (clock.now() - timedelta(days=2), clock.now() - timedelta(days=2) + timedelta(hours=1), "invalid"),
    ]
    for starts, ends, code in cases:
        with pytest.raises(DomainError) as refused:
            await services.schedule_session(
                mentee, request.id, SessionIn(starts_at=starts, ends_at=ends, format="online", link="https://x.org/a")
            )
        assert refused.value.status == 422 and refused.value.code == code
    online = SessionIn(starts_at=at(day, "18:00"), ends_at=at(day, "19:00"), format="online", link="https://x.org/a")
    await services.schedule_session(mentee, request.id, online)
    # another mentee of the same mentor cannot take the same hour
    _, other, second = await make_relationship(mentor=mentor)
    overlapping = SessionIn(
        starts_at=at(day, "18:30"), ends_at=at(day, "19:30"), format="online", link="https://x.org/b"
    )
    with pytest.raises(DomainError) as refused:
        await services.schedule_session(other, second.id, overlapping)
    assert refused.value.status == 409 and refused.value.code == "session_overlap"


async def test_the_database_refuses_overlapping_sessions_and_overfull_mentors() -> None:
    mentor, _, request = await make_relationship()
    day = next_weekday(2)
    await Session.create(
        request_id=request.id,
        mentor_id=mentor.id,
        starts_at=at(day, "18:00"),
        ends_at=at(day, "19:00"),
        format="online",
    )
    with pytest.raises((IntegrityError, OperationalError)):
        await Session.create(
            request_id=request.id,
            mentor_id=mentor.id,
            starts_at=at(day, "18:30"),
            ends_at=at(day, "20:00"),
            format="online",
        )
    with pytest.raises((IntegrityError, OperationalError)):
        await MentorProfile.filter(user_id=mentor.id).update(active_count=5)


async def test_decline_shows_the_next_suggestions() -> None:
    first = await make_mentor(skills=["nsi"])
    second = await make_mentor(skills=["python"])
    mentee, request = await make_request(skills=["nsi"])
    assert [s.mentor_id for s in await services.suggestions(mentee, request.id, "en")] == [first.id, second.id]
    await services.offer(mentee, request.id, first.id)
    await services.decline(first, request.id, "Pas de place ce trimestre")
    assert (await Request.get(id=request.id)).status == "open"
    assert [s.mentor_id for s in await services.suggestions(mentee, request.id, "en")] == [second.id]
    note = await Notification.get(user_id=mentee.id, kind="mentoring.declined")
    assert note.excerpt == "Pas de place ce trimestre"
    # the mentor who declined no longer sees the request
    with pytest.raises(NotFound):
        await services.get_request(first, request.id)


async def test_an_offer_lapses_after_7_days_with_a_reminder_on_day_5(monkeypatch) -> None:
    mentor = await make_mentor()
    mentee, request = await make_request()
    start = clock.now()
    await services.offer(mentee, request.id, mentor.id, now=start)
    assert await services.sweep(start + timedelta(days=4, hours=23)) == dict.fromkeys(
        ("offers_reminded", "offers_lapsed", "requests_reminded", "requests_expired", "relationships_purged"), 0
    )
    done = await services.sweep(start + timedelta(days=5, hours=1))
    assert done["offers_reminded"] == 1
    assert await kinds_for(mentor) == ["mentoring.offered", "mentoring.reminder"]
    assert (await services.sweep(start + timedelta(days=6)))["offers_reminded"] == 0  # once
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=7, hours=1))
    done = await services.sweep()
    assert done["offers_lapsed"] == 1
    assert (await Offer.get(request_id=request.id)).outcome == "lapsed"
    assert (await Request.get(id=request.id)).status == "open"
    assert "mentoring.declined" in await kinds_for(mentee)
    # the mentor who let it lapse is not suggested again
    assert await services.suggestions(mentee, request.id, "fr") == []


async def test_a_request_expires_after_30_days_with_reminders_on_day_23_and_renews_once(monkeypatch) -> None:
    coordinator = await make_user(roles=(Role.COORDINATOR,))
    mentee = await make_user()
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start)
    _, request = await make_request(mentee)
    assert (await services.sweep(start + timedelta(days=22, hours=23)))["requests_reminded"] == 0
    assert (await services.sweep(start + timedelta(days=23, hours=1)))["requests_reminded"] == 1
    assert await kinds_for(mentee) == ["mentoring.reminder"]
    assert await kinds_for(coordinator) == ["mentoring.reminder"]
    assert (await services.sweep(start + timedelta(days=29)))["requests_reminded"] == 0
    assert (await services.sweep(start + timedelta(days=30, hours=1)))["requests_expired"] == 1
    assert (await Request.get(id=request.id)).status == "expired"
    assert "mentoring.expiry" in await kinds_for(mentee)
    later = start + timedelta(days=31)
    renewed = await services.renew(mentee, request.id, now=later)
    assert renewed.status == "open" and renewed.expires_at == later + timedelta(days=30)
    with pytest.raises(DomainError) as refused:
        await services.renew(mentee, request.id, now=later)
    assert refused.value.code == "already_renewed"


async def test_threads_and_notes_are_deleted_12_months_after_closure() -> None:
    mentor, mentee, request = await make_relationship()
    await services.post_message(mentee, request.id, "Bonjour")
    await services.save_private_notes(mentor, request.id, "Notes")
    await services.close(mentor, request.id, "cancelled", 3, "Plus disponible")
    closed = (await Request.get(id=request.id)).closed_at
    assert (await services.sweep(closed + timedelta(days=364)))["relationships_purged"] == 0
    assert (await services.sweep(closed + timedelta(days=366)))["relationships_purged"] == 1
    assert not await Message.filter(request_id=request.id).exists()
    assert not await PrivateNote.filter(request_id=request.id).exists()
    assert await Goal.filter(request_id=request.id).count() == 0


async def test_block_ends_the_relationship_and_the_suggestions() -> None:
    mentor, mentee, request = await make_relationship()
    await services.block(mentee, request.id)
    assert (await Request.get(id=request.id)).status == "cancelled"
    assert (await MentorProfile.get(user_id=mentor.id)).active_count == 0
    _, again = await make_request(mentee)
    assert await services.suggestions(mentee, again.id, "fr") == []


async def test_a_coordinator_offers_on_the_mentees_behalf_and_handles_reports() -> None:
    coordinator = await load_roles(await make_user(roles=(Role.COORDINATOR,)))
    mentor = await make_mentor()
    mentee, request = await make_request()
    await services.offer(coordinator, request.id, mentor.id)
    assert (await Offer.get(request_id=request.id)).offered_by_id == coordinator.id
    await services.accept(mentor, request.id)
    message = await services.post_message(mentor, request.id, "Un message déplacé")
    await services.report_message(mentee, request.id, message.id, "Déplacé")
    assert [m.id for m in await services.reported_messages(coordinator)] == [message.id]
    await services.handle_report(coordinator, message.id, remove=True)
    assert (await Message.get(id=message.id)).body == ""
    assert await services.reported_messages(coordinator) == []
