"""``db.insert``: the hot-path twin of ``Model.create`` writes the same rows, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from bookings.models import Booking, Origin, Status
from tests.bookings.helpers import at, make_room, next_monday
from tests.helpers import make_user
from tierslieu import db
from tierslieu.models import OutboxMail

ALWAYS_DIFFERENT = {"id", "created_at", "updated_at"}


async def _same_rows(model, first_id: int, second_id: int) -> None:
    first, second = [await model.get(id=ident).values() for ident in (first_id, second_id)]
    differing = {key for key in first if first[key] != second[key]}
    assert differing <= ALWAYS_DIFFERENT, differing


async def test_a_booking_row_is_the_one_create_writes():
    room, user = await make_room(), await make_user()
    monday = next_monday()
    values = {"room_id": room.id, "user_id": user.id, "purpose": "Atelier Python", "people": 3}
    made = await Booking.create(starts_at=at(monday, "09:00"), ends_at=at(monday, "10:00"), **values)
    tuesday = monday + timedelta(days=1)
    fast = await db.insert(Booking, starts_at=at(tuesday, "09:00"), ends_at=at(tuesday, "10:00"), **values)
    stored = await Booking.get(id=fast.id)
    for name in Booking._meta.db_fields:
        if name not in ALWAYS_DIFFERENT:
            assert getattr(fast, name) == getattr(stored, name), name
    assert fast.status is Status.CONFIRMED and fast.origin is Origin.MEMBER and fast.sequence == 0
    assert fast.created_at == stored.created_at and fast.created_at.utcoffset() is not None
    await Booking.filter(id=made.id).update(starts_at=stored.starts_at, ends_at=stored.ends_at, status="cancelled")
    await Booking.filter(id=fast.id).update(status="cancelled")
    await _same_rows(Booking, made.id, fast.id)


async def test_json_columns_and_defaults_of_an_outbox_row():
    user = await make_user()
    values = {"user_id": user.id, "to_address": "a@example.org", "kind": "bookings", "subject": "", "body_text": ""}
    extra = {"composer": "bookings/confirmed", "params": {"booking_ids": [1, 2], "message": "À demain"}}
    made = await OutboxMail.create(send_after=datetime.now(UTC), **values, **extra)
    fast = await db.insert(OutboxMail, send_after=made.send_after, **values, **extra)
    assert fast.params == {"booking_ids": [1, 2], "message": "À demain"}
    assert fast.headers == {} and fast.attachments == [] and fast.attempts == 0 and fast.sent_at is None
    await _same_rows(OutboxMail, made.id, fast.id)


async def test_unknown_and_missing_columns_are_programming_errors():
    with pytest.raises(TypeError, match="no column"):
        await db.insert(OutboxMail, to_address="a@example.org", colour="blue")
    with pytest.raises(TypeError, match="required"):
        await db.insert(OutboxMail, to_address="a@example.org")
    assert not await OutboxMail.exists()


async def test_the_database_still_guards_the_row_and_the_transaction_holds_it():
    room = await make_room()
    monday = next_monday()
    slot = {"room_id": room.id, "starts_at": at(monday, "09:00"), "ends_at": at(monday, "10:00"), "purpose": "x"}
    await db.insert(Booking, **slot)
    with pytest.raises((IntegrityError, OperationalError), match=r"booking_overlap|no_overlap|exclusion"):
        await db.insert(Booking, **{**slot, "starts_at": at(monday, "09:30"), "ends_at": at(monday, "10:30")})
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await db.insert(Booking, **{**slot, "starts_at": at(monday, "11:00"), "ends_at": at(monday, "12:00")})
            raise RuntimeError("rolled back")
    assert await Booking.filter(room_id=room.id).count() == 1
