"""The help desk's use-cases: duty hours into slots (across DST changes), exceptions,
limits kept by the database, bad input, waiting list, reminders, feeds."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from pydantic import ValidationError
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from accounts.models import UserRole
from accounts.services import load_roles
from bookings import services as bookings
from bookings.models import Booking
from helpdesk import calendar, services
from helpdesk.forms import AbsenceCreate, AppointmentCreate, AppointmentMove
from helpdesk.models import Appointment, Block, BlockProblem, Status, WaitEntry
from notifications.models import Notification
from tests.helpdesk.helpers import at, hours_data, make_coordinator, make_helper, make_hours, make_room, upcoming
from tests.helpers import make_user
from tierslieu.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from tierslieu.models import OutboxMail
from tierslieu.parts import Period


def booking(hours, day: date, hhmm: str, *, topic: str = "python", need: str = "Démarrer Python", format=None):
    return AppointmentCreate(
        helper_id=hours.helper_id,
        slot_starts_at=at(day, hhmm),
        topic=topic,
        need=need,
        format=format or str(hours.format),
    )


async def helper_of(hours):
    return await load_roles(await hours.helper)


async def day_slots(day: date, **filters) -> list[datetime]:
    return [slot.starts_at for slot in await services.free_slots(at(day, "00:00"), at(day, "23:59"), **filters)]


# --- duty hours into slots ----------------------------------------------------------------------


async def test_hours_split_into_slots_with_buffers() -> None:
    await make_hours(starts="14:00", ends="16:00", slot_minutes=40, buffer_minutes=10)
    day = upcoming("wed")
    assert await day_slots(day) == [at(day, "14:00"), at(day, "14:50")]  # 15:40 + 40 > 16:00


async def test_blocks_are_made_eight_weeks_ahead_and_only_once() -> None:
    hours = await make_hours()
    count = await Block.filter(hours_id=hours.id).count()
    assert count in (8, 9)
    assert await services.ensure_blocks(hours) == 0
    assert await services.ensure_all_blocks() == 0
    assert await Block.filter(hours_id=hours.id).count() == count


@pytest.mark.parametrize(
    ("before", "after", "utc_before", "utc_after"),
    [
        # spring forward (Sunday 28 March 2027): 10:00 in Paris is 09:00 UTC, then 08:00 UTC
        (date(2027, 3, 21), date(2027, 3, 28), "09:00", "08:00"),
        # fall back (Sunday 31 October 2027): 10:00 in Paris is 08:00 UTC, then 09:00 UTC
        (date(2027, 10, 24), date(2027, 10, 31), "08:00", "09:00"),
    ],
)
async def test_slots_keep_local_hours_across_a_dst_change(before, after, utc_before, utc_after) -> None:
    helper = await make_helper()
    now = datetime.combine(before - timedelta(days=3), datetime.min.time(), tzinfo=UTC)
    data = hours_data(weekday="sun", starts="10:00", ends="11:00", slot_minutes=30)
    await services.create_hours(helper, data, now=now)
    for day, utc in ((before, utc_before), (after, utc_after)):
        found = await services.candidate_slots(at(day, "00:00"), at(day, "23:59"))
        hour, minute = map(int, utc.split(":"))
        first = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
        assert [slot.starts_at for slot in found] == [first, first + timedelta(minutes=30)]
        assert [slot.starts_at.astimezone(at(day, "10:00").tzinfo) for slot in found]  # aware
        assert all(slot.timezone == "Europe/Paris" for slot in found)


async def test_a_zone_without_dst_keeps_its_utc_hours() -> None:
    helper = await make_helper()
    now = datetime(2027, 3, 18, tzinfo=UTC)
    await services.create_hours(
        helper, hours_data(weekday="sun", timezone="Africa/Dakar", starts="10:00", ends="10:30"), now=now
    )
    for day in (date(2027, 3, 21), date(2027, 3, 28)):
        found = await services.candidate_slots(
            datetime(day.year, day.month, day.day, tzinfo=UTC), datetime(day.year, day.month, day.day, 23, tzinfo=UTC)
        )
        assert [slot.starts_at for slot in found] == [datetime(day.year, day.month, day.day, 10, tzinfo=UTC)]


@pytest.mark.parametrize("minutes", [5, 9, 125, 33, 0, -10])
def test_slot_length_is_10_to_120_in_steps_of_5(minutes: int) -> None:
    with pytest.raises(ValidationError):
        hours_data(slot_minutes=minutes)


@pytest.mark.parametrize("minutes", [10, 15, 45, 120])
def test_valid_slot_lengths(minutes: int) -> None:
    assert hours_data(ends="17:00", slot_minutes=minutes).slot_minutes == minutes


@pytest.mark.parametrize(
    "overrides",
    [
        {"languages": ["xx"]},
        {"languages": []},
        {"topics": []},
        {"timezone": "Mars/Olympus"},
        {"format": "onsite", "room_id": None},
        {"format": "online", "join_url": ""},
        {"starts": "16:00", "ends": "14:00"},
        {"weekday": None},
        {"starts": "25:00"},
    ],
)
def test_hours_refuse_bad_fields(overrides) -> None:
    with pytest.raises(ValidationError):
        hours_data(**overrides)


async def test_unknown_topic_and_non_helpers_are_refused() -> None:
    helper = await make_helper()
    with pytest.raises(Invalid) as caught:
        await services.create_hours(helper, hours_data(topics=["cuisine"]))
    assert caught.value.code == "unknown_skill"
    with pytest.raises(Forbidden):
        await services.create_hours(await make_user(), hours_data())
    await services.create_hours(helper, hours_data())
    with pytest.raises(Invalid) as caught:
        await services.create_hours(helper, hours_data(starts="15:00", ends="17:00"))
    assert caught.value.code == "hours_overlap"


async def test_a_former_helper_offers_no_slots() -> None:
    hours = await make_hours()
    await UserRole.filter(user_id=hours.helper_id).delete()
    assert await day_slots(upcoming("wed")) == []


# --- on site: the room, once per block ----------------------------------------------------------


async def test_onsite_blocks_book_their_room_once_exempt_from_member_rules() -> None:
    # a room with a tiny quota, approval and a short horizon: the desk's blocks skip them all
    room = await make_room(weekly_quota_minutes=30, requires_approval=True, max_advance_days=7, max_minutes=60)
    hours = await make_hours(format="onsite", room_id=room.id, join_url="")
    blocks = await Block.filter(hours_id=hours.id)
    rooms = await Booking.filter(room_id=room.id, status="confirmed", origin="helpdesk")
    assert len(rooms) == len(blocks) >= 8
    assert {block.booking_id for block in blocks} == {row.id for row in rooms}
    assert all(block.problem == BlockProblem.NONE for block in blocks)
    day = upcoming("wed")
    assert len(await day_slots(day)) == 4
    await services.ensure_blocks(hours)
    assert await Booking.filter(room_id=room.id).count() == len(rooms)


async def test_a_week_whose_room_is_taken_offers_no_slots_and_shows_to_the_helper() -> None:
    room = await make_room()
    day = upcoming("wed")
    member = await make_user()
    await bookings.create_booking(member, room.id, at(day, "15:00"), at(day, "15:30"), "Réunion")
    helper = await make_helper()
    hours = await services.create_hours(helper, hours_data(format="onsite", room_id=room.id, join_url=""))
    assert await day_slots(day) == []
    assert len(await day_slots(day + timedelta(weeks=1))) == 4
    blocked = await services.blocked_weeks(helper)
    assert [(block.starts_at, block.problem) for block, _ in blocked] == [(at(day, "14:00"), BlockProblem.ROOM_TAKEN)]
    assert blocked[0][1].id == hours.id


async def test_two_helpers_on_duty_at_once_need_two_rooms() -> None:
    room = await make_room()
    await make_hours(format="onsite", room_id=room.id, join_url="")
    second = await make_hours(format="onsite", room_id=room.id, join_url="")
    assert await Block.filter(hours_id=second.id, problem=BlockProblem.ROOM_TAKEN).count() >= 8
    other_room = await make_room()
    third = await make_hours(format="onsite", room_id=other_room.id, join_url="")
    assert not await Block.filter(hours_id=third.id).exclude(problem=BlockProblem.NONE).exists()


async def test_removing_hours_releases_rooms_and_cancels_appointments() -> None:
    room = await make_room()
    hours = await make_hours(format="onsite", room_id=room.id, join_url="")
    person = await make_user(locale="en")
    day = upcoming("wed")
    appointment = await services.book_appointment(person, booking(hours, day, "14:30"))
    helper = await helper_of(hours)
    assert await services.remove_hours(helper, hours.id) == 1
    assert not await Booking.filter(room_id=room.id, status="confirmed").exists()
    await appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert await day_slots(day) == []
    sent = await OutboxMail.filter(user_id=person.id).order_by("-id").first()
    assert sent.subject == "Help-desk appointment cancelled: Python"


# --- booking ------------------------------------------------------------------------------------


async def test_book_mails_the_person_an_invitation_and_tells_the_helper() -> None:
    hours = await make_hours()
    person = await make_user(locale="en")
    day = upcoming("wed")
    appointment = await services.book_appointment(person, booking(hours, day, "14:30"))
    assert appointment.starts_at == at(day, "14:30") and appointment.ends_at == at(day, "15:00")
    assert appointment.join_url == "https://visio.example.org/desk"
    assert at(day, "14:30") not in await day_slots(day)
    sent = await OutboxMail.get(user_id=person.id)
    assert sent.subject == "Help-desk appointment confirmed: Python"
    (attachment,) = sent.attachments
    assert attachment["content_type"] == "text/calendar; method=REQUEST"
    event = next(c for c in Calendar.from_ical(attachment["content"]).walk("VEVENT"))
    assert str(event["uid"]).startswith(f"helpdesk-{appointment.id}@")
    assert event.decoded("dtstart") == at(day, "14:30")
    assert "https://visio.example.org/desk" in str(event["description"])
    assert await Notification.filter(user_id=hours.helper_id, kind="helpdesk.booked").exists()


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"hhmm": "14:10"}, "outside_hours", "slot_starts_at"),
        ({"hhmm": "18:00"}, "outside_hours", "slot_starts_at"),
        ({"topic": "capes"}, "topic_not_covered", "topic"),
        ({"topic": "cuisine"}, "unknown_skill", "topic"),
        ({"format": "onsite"}, "wrong_format", "format"),
    ],
)
async def test_bad_bookings_say_why(change, code, field) -> None:
    hours = await make_hours()
    day = upcoming("wed")
    data = booking(
        hours, day, change.get("hhmm", "14:00"), topic=change.get("topic", "python"), format=change.get("format")
    )
    with pytest.raises(Invalid) as caught:
        await services.book_appointment(await make_user(), data)
    assert caught.value.code == code
    assert field in caught.value.fields


async def test_a_slot_in_the_past_is_refused() -> None:
    hours = await make_hours()
    day = upcoming("wed")
    with pytest.raises(Invalid) as caught:
        await services.book_appointment(await make_user(), booking(hours, day, "14:00"), now=at(day, "14:05"))
    assert caught.value.code == "slot_past"


def test_an_empty_need_is_refused() -> None:
    with pytest.raises(ValidationError):
        AppointmentCreate(helper_id=1, slot_starts_at=datetime.now(UTC), topic="python", need="  \n ", format="online")


async def test_a_taken_slot_is_a_409_with_the_next_free_slots() -> None:
    hours = await make_hours()
    day = upcoming("wed")
    # that morning: the next free slots are the ones after it that day (from a Tuesday, the
    # next Wednesday's would come first)
    morning = at(day, "08:00")
    await services.book_appointment(await make_user(), booking(hours, day, "14:00"), now=morning)
    with pytest.raises(services.SlotTaken) as caught:
        await services.book_appointment(await make_user(), booking(hours, day, "14:00"), now=morning)
    assert caught.value.status == 409
    assert [slot.starts_at for slot in caught.value.next_slots] == [at(day, t) for t in ("14:30", "15:00", "15:30")]


async def test_a_helper_cannot_book_their_own_hours() -> None:
    hours = await make_hours()
    helper = await (await hours.helper)
    with pytest.raises(Invalid):
        await services.book_appointment(helper, booking(hours, upcoming("wed"), "14:00"))


async def test_at_most_two_upcoming_appointments() -> None:
    hours = await make_hours()
    person = await make_user()
    day = upcoming("wed")
    await services.book_appointment(person, booking(hours, day, "14:00"))
    await services.book_appointment(person, booking(hours, day, "14:30"))
    with pytest.raises(Invalid) as caught:
        await services.book_appointment(person, booking(hours, day, "15:00"))
    assert caught.value.code == "too_many_appointments"
    # a past one does not count
    first = await Appointment.filter(person_id=person.id).order_by("starts_at").first()
    await services.cancel_appointment(person, first.id)
    await services.book_appointment(person, booking(hours, day, "15:00"))


async def test_the_database_keeps_one_appointment_per_slot_and_two_upcoming() -> None:
    hours = await make_hours()
    day = upcoming("wed")
    person, other = await make_user(), await make_user()
    first = await services.book_appointment(person, booking(hours, day, "14:00"))
    values = {
        "helper_id": hours.helper_id,
        "hours_id": hours.id,
        "topic_id": "python",
        "timezone": "Europe/Paris",
        "format": "online",
        "need": "x",
    }
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await Appointment.create(person_id=other.id, starts_at=first.starts_at, ends_at=first.ends_at, **values)
    await Appointment.create(person_id=person.id, starts_at=at(day, "14:30"), ends_at=at(day, "15:00"), **values)
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await Appointment.create(
                person_id=person.id, starts_at=at(day, "15:00"), ends_at=at(day, "15:30"), **values
            )
    # a past appointment does not count: the person then holds one upcoming and may add one
    await Appointment.filter(id=first.id).update(starts_at=at(day, "14:00") - timedelta(weeks=5))
    await Appointment.create(person_id=person.id, starts_at=at(day, "15:00"), ends_at=at(day, "15:30"), **values)
    await Appointment.filter(id=first.id).update(starts_at=at(day, "14:00"))
    # a cancelled appointment frees its slot
    await services.cancel_appointment(person, first.id)
    await Appointment.create(person_id=other.id, starts_at=first.starts_at, ends_at=first.ends_at, **values)


# --- cancel, move, outcome, follow-up -----------------------------------------------------------


async def test_cancel_late_is_counted_and_only_by_the_person_or_the_helper() -> None:
    hours = await make_hours()
    day = upcoming("wed")
    person = await make_user()
    early = await services.book_appointment(person, booking(hours, day, "14:00"))
    late = await services.book_appointment(person, booking(hours, day, "15:00"))
    with pytest.raises(NotFound):
        await services.cancel_appointment(await make_user(), early.id)
    with pytest.raises(Forbidden):
        await services.cancel_appointment(await make_coordinator(), early.id)
    await services.cancel_appointment(person, early.id, now=at(day, "11:00"))
    await services.cancel_appointment(person, late.id, now=at(day, "14:00"))
    rows = {row.id: row for row in await Appointment.filter(person_id=person.id)}
    assert not rows[early.id].late_cancel and rows[late.id].late_cancel
    sent = await OutboxMail.filter(user_id=person.id).order_by("-id").first()
    assert sent.attachments[0]["content_type"] == "text/calendar; method=CANCEL"
    with pytest.raises(Conflict):
        await services.cancel_appointment(person, early.id)


async def test_move_until_two_hours_before_and_only_my_own() -> None:
    hours = await make_hours()
    day = upcoming("wed")
    person = await make_user()
    appointment = await services.book_appointment(person, booking(hours, day, "14:00"))
    with pytest.raises(NotFound):
        await services.move_appointment(
            await make_user(), appointment.id, AppointmentMove(slot_starts_at=at(day, "15:00"))
        )
    helper = await helper_of(hours)
    with pytest.raises(Forbidden):
        await services.move_appointment(helper, appointment.id, AppointmentMove(slot_starts_at=at(day, "15:00")))
    with pytest.raises(Invalid) as caught:
        await services.move_appointment(
            person, appointment.id, AppointmentMove(slot_starts_at=at(day, "15:00")), now=at(day, "12:30")
        )
    assert caught.value.code == "too_late"
    moved = await services.move_appointment(person, appointment.id, AppointmentMove(slot_starts_at=at(day, "15:00")))
    assert moved.starts_at == at(day, "15:00") and moved.sequence == 1
    assert at(day, "14:00") in await day_slots(day) and at(day, "15:00") not in await day_slots(day)
    sent = await OutboxMail.filter(user_id=person.id).order_by("-id").first()
    assert sent.attachments[0]["content_type"] == "text/calendar; method=REQUEST"
    with pytest.raises(Invalid):
        await services.move_appointment(person, appointment.id, AppointmentMove(slot_starts_at=at(day, "15:10")))


async def test_outcome_and_follow_up_by_the_helper_only() -> None:
    hours = await make_hours()
    day = upcoming("wed")
    person = await make_user()
    appointment = await services.book_appointment(person, booking(hours, day, "14:00"))
    helper = await helper_of(hours)
    with pytest.raises(Invalid):
        await services.record_outcome(helper, appointment.id, "done")  # not started
    with pytest.raises(Forbidden):
        await services.record_outcome(person, appointment.id, "done", now=at(day, "14:10"))
    with pytest.raises(NotFound):
        await services.record_outcome(await make_helper(), appointment.id, "done", now=at(day, "14:10"))
    done = await services.record_outcome(helper, appointment.id, "no_show", now=at(day, "14:10"))
    assert done.status == Status.NO_SHOW
    await services.write_follow_up(helper, appointment.id, "Installer Thonny.")
    seen = await services.get_appointment(person, appointment.id)
    assert seen.follow_up == "Installer Thonny." and seen.status == Status.NO_SHOW
    assert await Notification.filter(user_id=person.id, kind="helpdesk.follow_up").exists()


# --- exceptions ---------------------------------------------------------------------------------


async def test_an_absence_cancels_its_appointments_tells_each_person_and_offers_next_slots() -> None:
    helper = await make_helper()
    hours = await services.create_hours(helper, hours_data())
    other = await make_hours()  # another helper, same topics: where the next slots are
    day = upcoming("wed")
    person = await make_user(locale="en")
    appointment = await services.book_appointment(person, booking(hours, day, "14:30"))
    kept = await services.book_appointment(await make_user(), booking(hours, day + timedelta(weeks=1), "14:30"))
    absence, cancelled = await services.add_absence(helper, AbsenceCreate(first_day=day, last_day=day, reason="Congés"))
    assert cancelled == 1
    await appointment.refresh_from_db()
    await kept.refresh_from_db()
    assert appointment.status == Status.CANCELLED and kept.status == Status.BOOKED
    sent = await OutboxMail.filter(user_id=person.id).order_by("-id").first()
    assert sent.subject == "Help-desk appointment cancelled: Python"
    assert "the helper is away" in sent.body_text
    assert f"helper={other.helper_id}" in sent.body_text
    assert await Notification.filter(user_id=person.id, kind="helpdesk.changed").exists()
    # the helper offers no slot that day any more
    assert {slot.helper_id for slot in await services.free_slots(at(day, "00:00"), at(day, "23:59"))} == {
        other.helper_id
    }
    with pytest.raises(Invalid) as caught:
        await services.book_appointment(await make_user(), booking(hours, day, "15:00"))
    assert caught.value.code == "helper_away"
    await services.remove_absence(helper, absence.id)
    assert len(await day_slots(day, helper_id=helper.id)) == 4  # the cancelled one's slot too


async def test_one_off_extra_hours() -> None:
    helper = await make_helper()
    day = upcoming("sat")
    await services.create_hours(helper, hours_data(weekday=None, on_date=day, starts="10:00", ends="11:00"))
    assert await day_slots(day) == [at(day, "10:00"), at(day, "10:30")]
    assert await day_slots(day + timedelta(weeks=1)) == []
    with pytest.raises(Invalid):
        await services.create_hours(helper, hours_data(weekday=None, on_date=date(2020, 1, 1)))


# --- waiting list -------------------------------------------------------------------------------


async def test_a_freed_earlier_slot_is_offered_to_the_waiting_list_first_to_confirm_gets_it() -> None:
    hours = await make_hours(starts="13:30")
    day = upcoming("wed")
    booker, waiting_later, waiting_none, waiting_earlier = [await make_user() for _ in range(4)]
    early = await services.book_appointment(booker, booking(hours, day, "14:00"))
    await services.book_appointment(waiting_earlier, booking(hours, day, "13:30"))
    for slot in ("14:30", "15:00", "15:30"):
        await services.book_appointment(await make_user(), booking(hours, day, slot))
    later = await services.book_appointment(waiting_later, booking(hours, day + timedelta(weeks=1), "14:00"))
    for person in (waiting_later, waiting_none, waiting_earlier):
        await services.join_waiting_list(person, "python")
    await services.join_waiting_list(waiting_none, "python")  # twice: once
    assert await WaitEntry.filter(topic_id="python").count() == 3
    await services.cancel_appointment(booker, early.id)
    told = set(await Notification.filter(kind="helpdesk.slot_freed").values_list("user_id", flat=True))
    assert told == {waiting_later.id, waiting_none.id}
    mailed = await OutboxMail.filter(user_id=waiting_none.id).order_by("-id").first()
    assert "/helpdesk/book?" in mailed.body_text
    # the first to confirm gets it: a move for one, a booking for the other
    await services.move_appointment(waiting_later, later.id, AppointmentMove(slot_starts_at=at(day, "14:00")))
    with pytest.raises(services.SlotTaken):
        await services.book_appointment(waiting_none, booking(hours, day, "14:00"))
    assert not await WaitEntry.filter(person_id=waiting_later.id).exists()


# --- reminders, feeds, figures ------------------------------------------------------------------


async def test_the_reminder_goes_once_the_day_before() -> None:
    hours = await make_hours()
    day = upcoming("wed")
    person = await make_user()
    await services.book_appointment(person, booking(hours, day, "14:00"))
    assert await services.send_reminders(now=at(day, "14:00") - timedelta(hours=30)) == 0
    assert await services.send_reminders(now=at(day, "14:00") - timedelta(hours=20)) == 1
    assert await services.send_reminders(now=at(day, "14:00") - timedelta(hours=19)) == 0
    assert await OutboxMail.filter(user_id=person.id, subject__contains="Python").count() == 2
    # the subject says when, not "tomorrow" (the sweep may send it a few hours before)
    reminder = await OutboxMail.get(user_id=person.id, subject__startswith="Rappel")
    assert "demain" not in reminder.subject and re.search(r"\b14\s?h\b", reminder.subject), reminder.subject


async def test_both_personal_feeds_hold_the_appointment() -> None:
    hours = await make_hours()
    day = upcoming("wed")
    person = await make_user()
    appointment = await services.book_appointment(person, booking(hours, day, "14:00"))
    helper = await (await hours.helper)
    mine = await calendar.personal_items(person, "http://testserver")
    theirs = await calendar.personal_items(helper, "http://testserver")
    assert [item.uid for item in mine] == [item.uid for item in theirs] == [f"helpdesk-{appointment.id}@testserver"]
    assert person.display_name in theirs[0].summary
    version = await calendar.personal_version(person)
    await services.cancel_appointment(person, appointment.id)
    assert await calendar.personal_version(person) != version
    (cancelled,) = await calendar.personal_items(person, "http://testserver")
    assert cancelled.status == "CANCELLED" and cancelled.sequence == 1


async def test_week_report_and_figures() -> None:
    hours = await make_hours()
    day = upcoming("wed")
    people = [await make_user() for _ in range(3)]
    booked = [
        await services.book_appointment(p, booking(hours, day, t))
        for p, t in zip(people, ("14:00", "14:30", "15:00"), strict=True)
    ]
    await services.cancel_appointment(people[2], booked[2].id, now=at(day, "13:30"))
    helper = await helper_of(hours)
    await services.record_outcome(helper, booked[0].id, "no_show", now=at(day, "14:10"))
    await services.join_waiting_list(people[2], "reseaux")
    monday = at(day - timedelta(days=day.weekday()), "00:00")
    with pytest.raises(Forbidden):
        await services.week_report(people[0], monday, "fr")
    report = await services.week_report(await make_coordinator(), monday, "fr")
    assert report.per_topic == [("Python", 2)]
    assert (report.booked, report.no_shows, report.late_cancellations, report.waiting) == (2, 1, 1, 1)
    assert (report.slots, report.slots_used) == (4, 2)
    assert report.missed == {people[0].id: (1, 0), people[2].id: (0, 1)}
    found = await services.figures(Period(monday, monday + timedelta(days=7)), "en")
    values = {figure.label: figure.value for figure in found.figures}
    assert values["Share of help-desk slots used, in per cent"] == 50.0
    assert values["Help-desk no-show rate, in per cent"] == 100.0
    assert found.charts[0].rows == (("Python", (2,)),)


async def test_export_and_erasure() -> None:
    hours = await make_hours()
    day = upcoming("wed")
    person = await make_user()
    await services.book_appointment(person, booking(hours, day, "14:00", need="Mon besoin privé"))
    data = await services.export_personal_data(person)
    assert data["appointments"][0]["need"] == "Mon besoin privé"
    helper = await (await hours.helper)
    given = await services.export_personal_data(helper)
    assert given["appointments_given"] and "need" not in given["appointments_given"][0]
    await services.erase_personal_data(person)
    assert not await Appointment.filter(person_id=person.id).exists()
    assert len(await day_slots(day)) == 4


async def test_errors_are_domain_errors() -> None:
    assert issubclass(services.SlotTaken, DomainError)


async def test_research_records_name_no_one_and_count_every_appointment() -> None:
    hours = await make_hours()
    person = await make_user()
    starts = at(upcoming("wed"), "14:00")
    await services.book_appointment(person, booking(hours, upcoming("wed"), "14:00"))
    records = await services.research(Period(starts - timedelta(days=1), starts + timedelta(days=1)))
    assert [(r.dataset, r.category, r.person, r.measure, r.subject) for r in records] == [
        ("helpdesk.appointment", "python/booked", person.id, hours.slot_minutes, None)
    ]
