"""The rules of registration: capacity, FIFO waiting list, promotion, windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from events import services
from events.forms import EventChange
from events.models import Event, Registration
from tests.events.helpers import make_event, make_facilitator, soon
from tests.helpers import make_user, personal_data
from tierslieu.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from tierslieu.models import OutboxMail


async def test_capacity_then_fifo_waiting_list_and_promotion() -> None:
    event = await make_event(capacity=2)
    people = [await make_user() for _ in range(5)]
    results = [await services.register(person, event.id) for person in people]
    assert [r.status for r in results] == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert [r.position for r in results] == [None, None, 1, 2, 3]
    promoted = await services.cancel_registration(people[0], event.id)
    assert [row.user_id for row in promoted] == [people[2].id]
    fresh = await Event.get(id=event.id)
    assert fresh.confirmed_count == 2
    assert await services.position(await Registration.get(event_id=event.id, user_id=people[3].id)) == 1
    subjects = [row.subject for row in await OutboxMail.filter(user_id=people[2].id).order_by("id")]
    assert len(subjects) == 2  # waiting list, then promotion
    # a waiting person leaving promotes nobody and shifts the queue
    assert await services.cancel_registration(people[3], event.id) == []
    assert await services.position(await Registration.get(event_id=event.id, user_id=people[4].id)) == 1


async def test_one_registration_per_person_and_re_registering_goes_to_the_end() -> None:
    event = await make_event(capacity=1)
    first, second, third = await make_user(), await make_user(), await make_user()
    await services.register(first, event.id)
    with pytest.raises(Conflict) as caught:
        await services.register(first, event.id)
    assert caught.value.code == "already_registered"
    await services.register(second, event.id)
    await services.register(third, event.id)
    await services.cancel_registration(second, event.id)
    again = await services.register(second, event.id)
    assert (again.status, again.position) == ("waitlisted", 2)


async def test_raising_the_capacity_promotes_in_order_and_lowering_below_confirmed_is_refused() -> None:
    event = await make_event(capacity=1)
    people = [await make_user() for _ in range(4)]
    for person in people:
        await services.register(person, event.id)
    await services.change_event(event.facilitator, event.id, EventChange(capacity=3))
    _, rows = await services.registrants(event.facilitator, event.id)
    assert [(row.user_id, row.status, row.position) for row in rows] == [
        (people[0].id, "confirmed", None),
        (people[1].id, "confirmed", None),
        (people[2].id, "confirmed", None),
        (people[3].id, "waitlisted", 1),
    ]
    with pytest.raises(Invalid):
        await services.change_event(event.facilitator, event.id, EventChange(capacity=2))
    assert (await Event.get(id=event.id)).sequence == 1


async def test_the_database_refuses_more_confirmed_than_capacity() -> None:
    event = await make_event(capacity=1)
    with pytest.raises(Exception) as caught:
        await Event.filter(id=event.id).update(confirmed_count=2)
    assert "events_event_seats" in str(caught.value)


async def test_registration_window_and_status() -> None:
    person = await make_user()
    not_yet = await make_event(registration_opens_at=soon(days=2))
    closed = await make_event(registration_closes_at=soon(days=-1))
    for event in (not_yet, closed):
        with pytest.raises(Invalid) as caught:
            await services.register(person, event.id)
        assert caught.value.code == "registration_closed"
    draft = await make_event(status="draft")
    with pytest.raises(NotFound):
        await services.register(person, draft.id)
    cancelled = await make_event()
    await services.cancel_event(cancelled.facilitator, cancelled.id)
    with pytest.raises(Conflict):
        await services.register(person, cancelled.id)


async def test_hybrid_places_are_counted_apart() -> None:
    event = await make_event(mode="hybrid", capacity=1, online_capacity=1)
    a, b, c = await make_user(), await make_user(), await make_user()
    assert (await services.register(a, event.id, "onsite")).status == "confirmed"
    assert (await services.register(b, event.id, "online")).status == "confirmed"
    waiting = await services.register(c, event.id, "online")
    assert (waiting.status, waiting.position) == ("waitlisted", 1)
    promoted = await services.cancel_registration(a, event.id)
    assert promoted == []  # an on-site place does not go to someone waiting online


async def test_only_facilitators_create_and_run_events() -> None:
    member = await make_user()
    with pytest.raises(Forbidden):
        await make_event(facilitator=member)
    event = await make_event()
    other = await make_facilitator()
    with pytest.raises(Forbidden):
        await services.registrants(other, event.id)
    with pytest.raises(DomainError):
        await services.change_event(member, event.id, EventChange(capacity=50))


async def test_co_facilitators_must_hold_the_role() -> None:
    member = await make_user()
    with pytest.raises(Invalid):
        await make_event(facilitator_ids=[member.id])
    colleague = await make_facilitator()
    event = await make_event(facilitator_ids=[colleague.id])
    _, rows = await services.registrants(colleague, event.id)
    assert rows == []


async def test_reminders_are_sent_once_24_hours_before() -> None:

    from events.services import send_reminders

    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=20)
    tomorrow = await make_event(capacity=1, starts_at=starts)
    later = await make_event(starts_at=starts + timedelta(days=3))
    confirmed, waiting = await make_user(), await make_user()
    for event in (tomorrow, later):
        await services.register(confirmed, event.id)
    await services.register(waiting, tomorrow.id)
    assert await send_reminders() == 1
    assert await send_reminders() == 0  # once, even when the sweep runs again (after a restart)
    reminders = await OutboxMail.filter(user_id=confirmed.id, subject__contains="Tomorrow").count()
    reminders += await OutboxMail.filter(user_id=confirmed.id, subject__contains="Demain").count()
    assert reminders == 1
    assert await Registration.get(event_id=tomorrow.id, user_id=confirmed.id).values_list("reminded_at", flat=True)


async def test_export_and_erasure() -> None:
    event = await make_event(capacity=1)
    leaving, next_one = await make_user(), await make_user()
    await services.register(leaving, event.id)
    await services.register(next_one, event.id)
    contributor = personal_data("events")
    exported = await contributor.export(leaving)
    assert [row["status"] for row in exported["registrations"]] == ["confirmed"]
    await contributor.erase(leaving)
    assert not await Registration.exists(user_id=leaving.id)
    assert (await Registration.get(event_id=event.id, user_id=next_one.id)).status == "confirmed"
    assert (await Event.get(id=event.id)).confirmed_count == 1


async def test_changes_that_matter_are_mailed_with_an_update() -> None:
    event = await make_event(capacity=1)
    person = await make_user()
    await services.register(person, event.id)
    before = await OutboxMail.filter(user_id=person.id).count()
    await services.change_event(event.facilitator, event.id, EventChange(capacity=5))
    assert await OutboxMail.filter(user_id=person.id).count() == before  # more places: nothing to tell
    await services.change_event(event.facilitator, event.id, EventChange(title="Nouveau titre"))
    changed = await OutboxMail.filter(user_id=person.id).order_by("-id").first()
    assert changed is not None and "Nouveau titre" in changed.subject
    assert "METHOD:REQUEST" in changed.attachments[0]["content"]


async def test_moving_an_event_keeps_its_sessions_inside() -> None:
    from events.forms import SessionCreate

    event = await make_event()
    await services.add_session(
        event.facilitator,
        event.id,
        SessionCreate(title="Ouverture", starts_at=event.starts_at, ends_at=event.starts_at + timedelta(hours=1)),
    )
    # the programme moves with the start; an end that would leave a session out is refused
    with pytest.raises(Invalid) as refused:
        await services.change_event(
            event.facilitator, event.id, EventChange(starts_at=event.starts_at + timedelta(minutes=90))
        )
    assert "ends_at" in refused.value.fields
    moved = await services.change_event(
        event.facilitator, event.id, EventChange(ends_at=event.ends_at + timedelta(hours=1))
    )
    assert moved.ends_at == event.ends_at + timedelta(hours=1)
