"""The booking rules at their edges, on the service layer (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from accounts.models import Role
from bookings import services
from bookings.forms import ClosureCreate, RoomCreate
from bookings.models import Booking, Room, Series, Status
from tests.bookings.helpers import EVERY_DAY, at, make_room, next_monday
from tests.helpers import make_user, personal_data
from tierslieu import clock, i18n, mail
from tierslieu.errors import Conflict, Forbidden, Invalid, NotFound
from tierslieu.i18n import Message
from tierslieu.models import OutboxMail


def message_ids(error: Invalid) -> list[str]:
    return [text.id if isinstance(text, Message) else text for text in error.fields.values()]


async def test_back_to_back_bookings_are_allowed_and_overlaps_are_409_with_the_time() -> None:
    user, other = await make_user(), await make_user()
    room = await make_room()
    day = next_monday()
    await services.create_booking(user, room.id, at(day, "09:00"), at(day, "10:00"), "Study group")
    await services.create_booking(other, room.id, at(day, "10:00"), at(day, "11:00"), "Tutoring")
    await services.create_booking(other, room.id, at(day, "08:00"), at(day, "09:00"), "Tutoring")
    with pytest.raises(Conflict) as caught:
        await services.create_booking(other, room.id, at(day, "10:45"), at(day, "11:30"), "Late")
    assert caught.value.code == "booking_overlap"
    params = {name: value.text("fr") for name, value in caught.value.params.items()}
    assert params == {"starts": f"{i18n.human_date(day, 'fr')}, 10\u00a0h", "ends": "11\u00a0h"}
    assert await Booking.filter(room_id=room.id).count() == 3


async def test_another_room_or_a_cancelled_booking_does_not_block() -> None:
    user = await make_user()
    room, other_room = await make_room(), await make_room()
    day = next_monday()
    first = await services.create_booking(user, room.id, at(day, "09:00"), at(day, "10:00"), "A")
    await services.create_booking(user, other_room.id, at(day, "09:00"), at(day, "10:00"), "B")
    await services.cancel_booking(user, first.id)
    again = await services.create_booking(user, room.id, at(day, "09:00"), at(day, "10:00"), "C")
    assert again.status == Status.CONFIRMED


async def test_the_database_refuses_overlaps_and_reversed_times_on_its_own() -> None:
    user = await make_user()
    room = await make_room()
    day = next_monday()
    await Booking.create(room=room, user=user, starts_at=at(day, "09:00"), ends_at=at(day, "10:00"), purpose="x")
    await Booking.create(room=room, user=user, starts_at=at(day, "10:00"), ends_at=at(day, "11:00"), purpose="x")
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await Booking.create(
                room=room, user=user, starts_at=at(day, "09:30"), ends_at=at(day, "09:45"), purpose="x"
            )
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await Booking.create(
                room=room, user=user, starts_at=at(day, "12:00"), ends_at=at(day, "12:00"), purpose="x"
            )
    with pytest.raises(IntegrityError):  # no booking lasts more than a day
        async with in_transaction():
            await Booking.create(
                room=room,
                user=user,
                starts_at=at(day, "12:00"),
                ends_at=at(day, "12:15") + timedelta(days=1),
                purpose="x",
                status=Status.CANCELLED,
            )
    # exactly a day is fine, and a live booking the next day just after it is not missed
    long = await Booking.create(
        room=room, user=user, starts_at=at(day, "11:00"), ends_at=at(day, "11:00") + timedelta(days=1), purpose="x"
    )
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await Booking.create(
                room=room,
                user=user,
                starts_at=at(day + timedelta(days=1), "10:00"),
                ends_at=at(day + timedelta(days=1), "10:30"),
                purpose="x",
            )
    await long.delete()
    # a rejected booking may overlap; turning it live again may not
    rejected = await Booking.create(
        room=room,
        user=user,
        starts_at=at(day, "09:30"),
        ends_at=at(day, "10:30"),
        purpose="x",
        status=Status.REJECTED,
    )
    with pytest.raises(IntegrityError):
        async with in_transaction():
            rejected.status = Status.PENDING
            await rejected.save()
    assert await Booking.filter(room_id=room.id, status__in=["pending", "confirmed"]).count() == 2


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("07:45", "09:00", "The room is not open for all of this time."),
        ("19:30", "20:15", "The room is not open for all of this time."),
        ("09:10", "10:00", "Start on a multiple of %(minutes)s minutes."),
        ("09:00", "09:15", "A booking lasts at least %(minutes)s minutes."),
        ("09:00", "17:15", "A booking lasts at most %(minutes)s minutes."),
        ("10:00", "09:00", "The end must come after the start."),
    ],
)
async def test_rules_give_field_messages(start: str, end: str, expected: str) -> None:
    user = await make_user()
    room = await make_room(min_minutes=30)
    day = next_monday()
    with pytest.raises(Invalid) as caught:
        await services.create_booking(user, room.id, at(day, start), at(day, end), "x")
    assert expected in message_ids(caught.value)
    # the edges themselves are fine
    await services.create_booking(user, room.id, at(day, "08:00"), at(day, "08:30"), "x")
    await services.create_booking(user, room.id, at(day, "12:00"), at(day, "20:00"), "x")


async def test_past_advance_limit_and_capacity() -> None:
    user = await make_user()
    room = await make_room(capacity=6, max_advance_days=30)
    now = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
    with pytest.raises(Invalid) as caught:
        await services.create_booking(user, room.id, now - timedelta(hours=1), now, "x", now=now)
    assert "This time is in the past." in message_ids(caught.value)
    limit_day = (now + timedelta(days=30)).date()
    await services.create_booking(user, room.id, at(limit_day, "08:00"), at(limit_day, "09:00"), "x", now=now)
    with pytest.raises(Invalid) as caught:
        late = limit_day + timedelta(days=1)
        await services.create_booking(user, room.id, at(late, "10:00"), at(late, "11:00"), "x", now=now)
    assert "Bookings open %(days)s days ahead." in message_ids(caught.value)
    day = date(2027, 1, 5)
    await services.create_booking(user, room.id, at(day, "10:00"), at(day, "11:00"), "x", people=6, now=now)
    with pytest.raises(Invalid) as caught:
        await services.create_booking(user, room.id, at(day, "12:00"), at(day, "13:00"), "x", people=7, now=now)
    assert caught.value.fields.keys() == {"people"}


async def test_closures_of_the_room_or_the_whole_site() -> None:
    manager = await make_user(roles=(Role.SPACE_MANAGER,))
    user = await make_user()
    room, other = await make_room(), await make_room()
    day = next_monday()
    await services.add_closure(
        manager, ClosureCreate(room_id=room.id, starts_at=at(day, "12:00"), ends_at=at(day, "14:00"), reason="Paint")
    )
    with pytest.raises(Invalid) as caught:
        await services.create_booking(user, room.id, at(day, "13:45"), at(day, "14:30"), "x")
    assert "The room is closed at this time: %(reason)s." in message_ids(caught.value)
    await services.create_booking(user, room.id, at(day, "14:00"), at(day, "15:00"), "x")
    await services.create_booking(user, other.id, at(day, "12:00"), at(day, "13:00"), "x")
    tuesday = day + timedelta(days=1)
    await services.add_closure(
        manager, ClosureCreate(starts_at=at(tuesday, "00:00"), ends_at=at(tuesday, "24:00"), reason="Holiday")
    )
    with pytest.raises(Invalid):
        await services.create_booking(user, other.id, at(tuesday, "09:00"), at(tuesday, "10:00"), "x")
    found = await services.availability(other, at(tuesday, "00:00"), at(tuesday, "24:00"))
    assert found.free == []
    with pytest.raises(Forbidden):
        await services.add_closure(
            user, ClosureCreate(starts_at=at(tuesday, "00:00"), ends_at=at(tuesday, "24:00"), reason="No")
        )


@pytest.mark.parametrize("day", [date(2027, 3, 28), date(2027, 10, 31)])
async def test_dst_sundays_in_paris(day: date) -> None:
    # opening hours are read in the room's zone on the day the clocks change
    user = await make_user()
    room = await make_room(opening_hours={"sun": [["08:00", "12:00"]]}, max_advance_days=730)
    now = datetime(2027, 1, 4, tzinfo=UTC)
    booking = await services.create_booking(user, room.id, at(day, "08:00"), at(day, "12:00"), "x", now=now)
    offset = 2 if day.month == 3 else 1
    assert booking.starts_at == datetime(day.year, day.month, day.day, 8 - offset, tzinfo=UTC)
    with pytest.raises(Invalid):  # one hour earlier in UTC is 07:00 local: closed
        await services.create_booking(
            user, room.id, booking.starts_at - timedelta(hours=1), booking.starts_at, "x", now=now
        )


async def test_night_booking_across_the_spring_gap_counts_real_minutes() -> None:
    user = await make_user()
    room = await make_room(opening_hours={"sun": [["00:00", "06:00"]]}, max_advance_days=730, max_minutes=150)
    now = datetime(2027, 1, 4, tzinfo=UTC)
    day = date(2027, 3, 28)
    # 01:00–04:00 local is only two real hours that night: allowed by a 150-minute limit
    booking = await services.create_booking(user, room.id, at(day, "01:00"), at(day, "04:00"), "x", now=now)
    assert booking.ends_at - booking.starts_at == timedelta(hours=2)


async def test_weekly_quota_boundary_and_managers_exempt() -> None:
    user = await make_user()
    manager = await make_user(roles=(Role.SPACE_MANAGER,))
    room = await make_room(weekly_quota_minutes=180)
    day = next_monday()
    await services.create_booking(user, room.id, at(day, "08:00"), at(day, "10:00"), "x")
    await services.create_booking(
        user, room.id, at(day + timedelta(days=6), "08:00"), at(day + timedelta(days=6), "09:00"), "x"
    )
    with pytest.raises(Invalid) as caught:
        await services.create_booking(user, room.id, at(day, "11:00"), at(day, "11:15"), "x")
    assert "This goes past your quota of %(hours)s hours a week (%(used)s already booked)." in message_ids(caught.value)
    # next local week is a new quota
    await services.create_booking(
        user, room.id, at(day + timedelta(days=7), "08:00"), at(day + timedelta(days=7), "11:00"), "x"
    )
    # cancelled bookings give their time back
    first = await Booking.get(user_id=user.id, starts_at=at(day, "08:00"))
    await services.cancel_booking(user, first.id)
    await services.create_booking(user, room.id, at(day, "11:00"), at(day, "13:00"), "x")
    for hour in ("14:00", "16:00", "18:00"):
        end = f"{int(hour[:2]) + 2}:00"
        await services.create_booking(manager, room.id, at(day, hour), at(day, end), "x")


async def test_approval_flow_notifies_the_requester() -> None:
    user = await make_user()
    manager = await make_user(roles=(Role.SPACE_MANAGER,))
    room = await make_room(requires_approval=True)
    day = next_monday()
    booking = await services.create_booking(user, room.id, at(day, "09:00"), at(day, "10:00"), "Club")
    assert booking.status == Status.PENDING
    # a pending booking holds the slot
    with pytest.raises(Conflict):
        await services.create_booking(manager, room.id, at(day, "09:00"), at(day, "10:00"), "x")
    with pytest.raises(Forbidden):
        await services.decide_booking(user, booking.id, True)
    assert [b.id for b in await services.pending_bookings(manager)] == [booking.id]
    decided = await services.decide_booking(manager, booking.id, True, "Welcome")
    assert decided.status == Status.CONFIRMED
    assert await mail.compose_pending() == 1  # the confirmation is composed when it is sent
    mails = await OutboxMail.filter(user_id=user.id, kind="bookings")
    assert len(mails) == 1
    assert "Welcome" in mails[0].body_text
    assert mails[0].attachments[0]["content_type"] == "text/calendar; method=REQUEST"
    assert "METHOD:REQUEST" in mails[0].attachments[0]["content"]
    with pytest.raises(Conflict):
        await services.decide_booking(manager, booking.id, False)
    second = await services.create_booking(user, room.id, at(day, "10:00"), at(day, "11:00"), "Club")
    rejected = await services.decide_booking(manager, second.id, False, "Room needed for an exam")
    assert rejected.status == Status.REJECTED
    last = await OutboxMail.filter(user_id=user.id).order_by("-id").first()
    assert "Room needed for an exam" in last.body_text
    # a rejected booking frees the slot
    await services.create_booking(manager, room.id, at(day, "10:00"), at(day, "11:00"), "x")


async def test_confirmation_mail_has_an_ics_invitation_in_the_room_zone() -> None:
    user = await make_user(locale="en")
    room = await make_room(timezone="Africa/Douala", opening_hours=EVERY_DAY)
    day = next_monday()
    zone = ZoneInfo("Africa/Douala")
    booking = await services.create_booking(
        user, room.id, at(day, "09:00", zone), at(day, "10:00", zone), "Coding club"
    )
    row = await OutboxMail.get(user_id=user.id)
    assert row.subject == "" and row.composer == "bookings/confirmed"  # written now, composed when sent
    await mail.compose_pending()
    row = await OutboxMail.get(user_id=user.id)
    assert row.subject == f"Booking confirmed: {room.name}"
    content = row.attachments[0]["content"]
    assert "BEGIN:VTIMEZONE" in content and "TZID:Africa/Douala" in content
    assert f"DTSTART;TZID=Africa/Douala:{day:%Y%m%d}T090000" in content
    assert f"UID:booking-{booking.id}@testserver" in content
    assert "ORGANIZER" in content and f"mailto:{user.email}" in content


async def test_only_allowed_roles_book() -> None:
    member = await make_user()
    facilitator = await make_user(roles=(Role.FACILITATOR,))
    room = await make_room(allowed_role="facilitator")
    day = next_monday()
    with pytest.raises(Forbidden):
        await services.create_booking(member, room.id, at(day, "09:00"), at(day, "10:00"), "x")
    await services.create_booking(facilitator, room.id, at(day, "09:00"), at(day, "10:00"), "x")


async def test_check_in_window_and_release_of_no_shows() -> None:
    user = await make_user()
    room = await make_room(checkin_grace_minutes=15)
    day = next_monday()
    early = await services.create_booking(user, room.id, at(day, "09:00"), at(day, "10:00"), "x")
    kept = await services.create_booking(user, room.id, at(day, "10:00"), at(day, "11:00"), "x")
    with pytest.raises(Invalid):
        await services.check_in(user, kept.id, now=at(day, "09:44"))
    await services.check_in(user, kept.id, now=at(day, "09:45"))
    with pytest.raises(Conflict):
        await services.check_in(user, kept.id, now=at(day, "09:50"))
    assert await services.release_no_shows(at(day, "09:14")) == 0
    assert await services.release_no_shows(at(day, "09:15")) == 1
    await early.refresh_from_db()
    assert early.status == Status.CANCELLED and early.cancel_reason == "no_show"
    assert await services.release_no_shows(at(day, "10:30")) == 0
    await kept.refresh_from_db()
    assert kept.status == Status.CONFIRMED
    assert (
        await OutboxMail.filter(user_id=user.id, subject__contains="released").count()
        + await OutboxMail.filter(user_id=user.id, subject__contains="libérée").count()
        == 1
    )
    # the slot is free again
    other = await make_user()
    with pytest.raises(Invalid):  # in the past by now? only relative to `now`
        await services.create_booking(other, room.id, at(day, "09:15"), at(day, "10:00"), "x", now=at(day, "09:20"))
    await services.create_booking(other, room.id, at(day, "09:30"), at(day, "10:00"), "x", now=at(day, "09:20"))


async def test_book_room_for_other_parts_inside_their_transaction() -> None:
    room = await make_room(opening_hours={"mon": [["08:00", "12:00"]]})
    day = next_monday()
    async with in_transaction():
        booking = await services.book_room(room.id, at(day, "08:00"), at(day, "12:00"), "Webinar", origin="event")
        with pytest.raises(Conflict):
            await services.book_room(room.id, at(day, "09:00"), at(day, "10:00"), "Mentoring", origin="mentoring")
        # the caller's transaction still works after the refusal (savepoint)
        assert await Booking.filter(room_id=room.id).count() == 1
    assert booking.origin == "event"
    with pytest.raises(Invalid):  # outside opening hours
        await services.book_room(room.id, at(day, "12:00"), at(day, "13:00"), "x", origin="event")
    always_open = await make_room(opening_hours={d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed")})
    # events book their own times: no 15-minute step for them
    odd = await services.book_room(always_open.id, at(day, "10:05"), at(day, "10:50"), "Session", origin="event")
    assert odd.ends_at - odd.starts_at == timedelta(minutes=45)
    with pytest.raises(Invalid) as caught:  # no booking lasts more than a day
        await services.book_room(
            always_open.id, at(day, "00:00"), at(day, "00:00") + timedelta(hours=25), "x", origin="event"
        )
    assert "A booking lasts at most 24 hours." in message_ids(caught.value)
    # a rolled-back caller leaves nothing behind
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await services.book_room(
                room.id, at(day + timedelta(days=7), "08:00"), at(day + timedelta(days=7), "09:00"), "x", origin="event"
            )
            raise RuntimeError("the event could not be saved")
    assert await Booking.filter(room_id=room.id).count() == 1
    async with in_transaction():
        await services.release_room(booking.id)
    await booking.refresh_from_db()
    assert booking.status == Status.CANCELLED and booking.sequence == 1


async def test_recurring_preview_create_skip_and_cancel_rest() -> None:
    user, other = await make_user(), await make_user()
    manager = await make_user(roles=(Role.SPACE_MANAGER,))
    room = await make_room()
    monday = next_monday()
    await services.create_booking(
        other, room.id, at(monday + timedelta(days=7), "18:30"), at(monday + timedelta(days=7), "19:30"), "x"
    )
    await services.add_closure(
        manager,
        ClosureCreate(
            room_id=room.id,
            starts_at=at(monday + timedelta(days=16), "00:00"),
            ends_at=at(monday + timedelta(days=17), "00:00"),
            reason="Works",
        ),
    )
    preview = await services.preview_series(user, room, ["mon", "wed"], "18:00", "19:00", monday, 3, None)
    assert [item.day for item in preview] == [monday + timedelta(days=d) for d in (0, 2, 7, 9, 14, 16)]
    assert [item.free for item in preview] == [True, True, False, True, True, False]
    assert preview[2].conflict is not None
    assert "The room is closed at this time: %(reason)s." in message_ids(Invalid("x", "x", fields=preview[5].problems))
    # confirming without accepting to skip the taken dates is refused as a whole
    with pytest.raises(Conflict):
        await services.create_series(user, room.id, ["mon", "wed"], "18:00", "19:00", monday, 3, None, "Club")
    assert await Series.all().count() == 0
    skip = [preview[2].day, preview[5].day]
    series, created, skipped = await services.create_series(
        user, room.id, ["mon", "wed"], "18:00", "19:00", monday, 3, None, "Club", 1, skip
    )
    assert len(created) == 4 and [item.day for item in skipped] == skip
    assert {b.series_id for b in created} == {series.id}
    assert await OutboxMail.filter(user_id=user.id).count() == 1  # one mail with every date
    added = await services.add_date(user, created[0].id, monday + timedelta(days=4))
    assert added.series_id == series.id and added.starts_at == at(monday + timedelta(days=4), "18:00")
    with pytest.raises(NotFound):  # another person's series is not even visible
        await services.add_date(other, created[0].id, monday + timedelta(days=5))
    await services.cancel_booking(user, added.id)  # removing a single date
    cancelled = await services.cancel_series_from(user, created[2].id)
    assert cancelled == 2
    assert await Booking.filter(series_id=series.id, status="confirmed").count() == 2
    with pytest.raises(Invalid):
        await services.create_series(user, room.id, ["mon"], "18:00", "19:00", monday, None, None, "x")


async def test_recurring_series_respects_the_weekly_quota() -> None:
    user = await make_user()
    room = await make_room(weekly_quota_minutes=120)
    preview = await services.preview_series(user, room, ["mon", "tue", "wed"], "09:00", "10:00", next_monday(), 1, None)
    assert [item.free for item in preview] == [True, True, False]


async def test_free_slot_finder_filters_by_people_equipment_and_time() -> None:
    user = await make_user()
    small = await make_room(name="Small", capacity=4, equipment=["projector"])
    big = await make_room(name="Big", capacity=12, equipment=["projector", "whiteboard"])
    await make_room(name="Bare", capacity=20)
    day = next_monday() + timedelta(days=3)
    await services.create_booking(user, big.id, at(day, "12:00"), at(day, "15:00"), "x")
    slots = await services.find_free_slots(6, 120, day, "afternoon", ["projector"])
    assert [(s.room.name, s.starts_at) for s in slots] == [("Big", at(day, "15:00"))]
    slots = await services.find_free_slots(2, 120, day, "morning", ["projector"])
    # several slots a room, one after another
    assert [(s.room.name, s.starts_at) for s in slots] == [
        ("Small", at(day, "08:00")),
        ("Small", at(day, "10:00")),
        ("Big", at(day, "08:00")),
        ("Big", at(day, "10:00")),
    ]
    assert small.id


async def test_a_time_taken_comes_with_alternatives_nearby_and_in_other_rooms() -> None:
    user = await make_user()
    room = await make_room(name="Turing", capacity=8)
    other = await make_room(name="Hopper", capacity=8)
    await make_room(name="Cagibi", capacity=2)
    day = next_monday() + timedelta(days=1)
    await services.create_booking(user, room.id, at(day, "14:00"), at(day, "16:00"), "x")
    slots = await services.alternatives(room, 6, at(day, "14:00"), at(day, "15:00"))
    assert [(s.room.name, s.starts_at) for s in slots] == [
        ("Turing", at(day, "13:00")),
        ("Turing", at(day, "16:00")),
        ("Turing", at(day, "12:00")),
        ("Hopper", at(day, "14:00")),
    ]
    assert other.id


async def test_rooms_are_created_by_managers_only() -> None:
    manager = await make_user(roles=(Role.SPACE_MANAGER,))
    member = await make_user()
    data = RoomCreate(name="Salle Ada", capacity=12, opening_hours={"mon": [["08:00", "20:00"]]})
    with pytest.raises(Forbidden):
        await services.create_room(member, data)
    room = await services.create_room(manager, data)
    assert (room.granularity_minutes, room.min_minutes, room.max_minutes) == (15, 15, 480)
    assert (room.max_advance_days, room.weekly_quota_minutes, room.allowed_role) == (90, 1200, "member")
    with pytest.raises(Conflict):
        await services.create_room(manager, data)
    with pytest.raises(NotFound):
        await services.get_room(room.id + 100)


async def test_export_and_erase_cover_bookings() -> None:
    user = await make_user()
    room = await make_room()
    day = next_monday()
    await services.create_booking(user, room.id, at(day, "09:00"), at(day, "10:00"), "Private purpose")
    past = await Booking.create(
        room=room,
        user=user,
        starts_at=at(day, "06:00") - timedelta(days=30),
        ends_at=at(day, "07:00") - timedelta(days=30),
        purpose="Old",
    )
    contributor = personal_data("bookings")
    exported = await contributor.export(user)
    assert [item["purpose"] for item in exported] == ["Old", "Private purpose"]
    async with in_transaction():
        await contributor.erase(user)
    assert await Booking.filter(user_id=user.id).count() == 0
    await past.refresh_from_db()
    assert past.purpose == "" and past.status == Status.CONFIRMED
    future = await Booking.get(room_id=room.id, starts_at=at(day, "09:00"))
    assert future.status == Status.CANCELLED
    assert connections.get("default")
    assert await Room.all().count() == 1


async def test_demo_is_idempotent() -> None:
    from accounts import demo as accounts_demo
    from bookings import demo

    await accounts_demo.run(lambda line: None)
    first = await demo.run(lambda line: None)
    second = await demo.run(lambda line: None)
    assert await Room.filter(name__in=["Salle Ada Lovelace", "Atelier", "Bureau d'accueil"]).count() == 3
    assert "Salle Grace Hopper" in first[0]
    assert await Booking.all().count() >= 3
    assert second[0].endswith("0 past booking(s); 0 new demo booking(s).")
    assert await Booking.filter(ends_at__lt=clock.now() - timedelta(days=8)).count() > 100  # the dashboard's history


async def test_background_sweep_starts_and_stops() -> None:
    stoppers = [start() for start in services.jobs]
    await asyncio.sleep(0)
    for stop in stoppers:
        await stop()


async def test_a_booking_cancelled_before_its_confirmation_leaves_gets_none() -> None:
    user = await make_user()
    room = await make_room(opening_hours=EVERY_DAY)
    day = next_monday()
    kept = await services.create_booking(user, room.id, at(day, "09:00"), at(day, "10:00"), "Club")
    cancelled = await services.create_booking(user, room.id, at(day, "11:00"), at(day, "12:00"), "Club")
    await services.cancel_booking(user, cancelled.id)

    assert await mail.compose_pending() == 1

    rows = {row.params["booking_ids"][0]: row for row in await OutboxMail.filter(user_id=user.id)}
    assert f"/bookings/{kept.id}" in rows[kept.id].body_text
    assert rows[cancelled.id].body_text == "" and rows[cancelled.id].last_error == mail.DROPPED
