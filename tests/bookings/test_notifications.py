"""Bookings notify in-app as well as by mail: a manager's decision, a release for want of
check-in; the person who booked hears of it, nobody else, unless they chose 'never'."""

from __future__ import annotations

from accounts.models import Role
from bookings import services
from notifications import services as notifications
from tests.bookings.helpers import at, make_room, next_monday
from tests.helpers import make_user
from tierslieu import mail
from tierslieu.models import OutboxMail


async def notes(user) -> list[tuple[str, str, str]]:
    listing = await notifications.list_notifications(user)
    return [(row.kind, row.url, message.text("en")) for row, message in listing.items]


async def test_decisions_are_told_to_the_requester_only() -> None:
    user, other = await make_user(), await make_user()
    manager = await make_user(roles=(Role.SPACE_MANAGER,))
    room = await make_room(name="Salle Hopper", requires_approval=True)
    day = next_monday()
    approved = await services.create_booking(user, room.id, at(day, "09:00"), at(day, "10:00"), "Club")
    refused = await services.create_booking(user, room.id, at(day, "10:00"), at(day, "11:00"), "Club")
    await services.create_booking(other, room.id, at(day, "11:00"), at(day, "12:00"), "Club")
    await services.decide_booking(manager, approved.id, True, "Bienvenue")
    await services.decide_booking(manager, refused.id, False)
    assert await notes(user) == [
        ("bookings.decided", f"/bookings/{refused.id}", "Booking not accepted: Salle Hopper"),
        ("bookings.decided", f"/bookings/{approved.id}", "Booking confirmed: Salle Hopper"),
    ]
    assert await notes(other) == [] and await notes(manager) == []
    # the mails are written as before: the confirmation (composed when sent) and the refusal
    assert await mail.compose_pending() == 1
    assert await OutboxMail.filter(user_id=user.id, kind="bookings").count() == 2


async def test_a_release_for_want_of_check_in_is_told_to_the_owner() -> None:
    user, other = await make_user(), await make_user()
    room = await make_room(name="Atelier", checkin_grace_minutes=15)
    day = next_monday()
    missed = await services.create_booking(user, room.id, at(day, "09:00"), at(day, "10:00"), "x")
    attended = await services.create_booking(other, room.id, at(day, "10:00"), at(day, "11:00"), "x")
    await services.check_in(other, attended.id, now=at(day, "09:50"))
    assert await services.release_no_shows(at(day, "10:30")) == 1
    assert await notes(user) == [("bookings.released", f"/bookings/{missed.id}", "Room released: Atelier")]
    assert await notes(other) == []
    assert await OutboxMail.filter(user_id=user.id, subject="Salle libérée : Atelier").count() == 1


async def test_never_silences_the_notification_but_not_the_mail() -> None:
    user = await make_user()
    manager = await make_user(roles=(Role.SPACE_MANAGER,))
    room = await make_room(requires_approval=True)
    day = next_monday()
    await notifications.set_preferences(user, {"bookings.decided": "never"})
    booking = await services.create_booking(user, room.id, at(day, "09:00"), at(day, "10:00"), "Club")
    await services.decide_booking(manager, booking.id, False, "Salle prise")
    assert await notes(user) == []
    assert await OutboxMail.filter(user_id=user.id, kind="bookings").count() == 1
