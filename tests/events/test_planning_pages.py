"""The facilitators' pages: plan an event in local time (DST refused, not shifted),
change it (a higher capacity promotes), edit the programme, cancel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from events.models import Event, Registration, Session
from tests.bookings.helpers import make_room, next_monday
from tests.events.helpers import make_event, make_facilitator
from tests.helpers import login, make_user, post_form, text_of


def _last_sunday(year: int, month: int):
    from datetime import date

    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


async def test_plan_an_event_in_local_time(client) -> None:
    member = await make_user()
    await login(client, member.email)
    assert (await client.get("/events/new")).status_code == 403
    facilitator = await make_facilitator()
    await login(client, facilitator.email)
    form = await client.get("/events/new")
    assert form.status_code == 200
    year = datetime.now(UTC).year + 1
    data = {
        "title": "Atelier Dakar",
        "kind": "workshop",
        "mode": "online",
        "language": "fr",
        "timezone": "Africa/Dakar",
        "starts_at": f"{year}-07-07T10:00",
        "ends_at": f"{year}-07-07T12:00",
        "capacity": "20",
    }
    created = await post_form(client, "/events/new", data, from_page="/events/new")
    assert created.status_code == 303, created.text[:2000]
    event = await Event.get(title="Atelier Dakar")
    assert event.starts_at == datetime(year, 7, 7, 10, tzinfo=ZoneInfo("Africa/Dakar"))
    assert created.headers["location"] == f"/events/{event.id}/edit?done=created"
    # a local time skipped by the spring change is refused with the zone named, not shifted
    spring = _last_sunday(year, 3).isoformat()
    skipped = {
        **data,
        "title": "Nuit",
        "timezone": "Europe/Paris",
        "starts_at": f"{spring}T02:30",
        "ends_at": f"{spring}T04:00",
    }
    refused = await post_form(client, "/events/new", skipped, from_page="/events/new")
    assert refused.status_code == 422
    assert "Europe/Paris" in text_of(refused.text)
    assert not await Event.exists(title="Nuit")
    missing = await post_form(client, "/events/new", {**data, "starts_at": ""}, from_page="/events/new")
    assert missing.status_code == 422


async def test_manage_capacity_programme_and_cancel(client) -> None:
    event = await make_event(capacity=1, mode="onsite", join_url="")
    people = [await make_user() for _ in range(2)]
    from events import services

    for person in people:
        await services.register(person, event.id)
    other = await make_facilitator()
    await login(client, other.email)
    assert (await client.get(f"/events/{event.id}/edit")).status_code == 403
    await login(client, event.facilitator.email)
    page = f"/events/{event.id}/edit"
    assert (await client.get(page)).status_code == 200
    raised = await post_form(client, page, {"title": event.title, "capacity": "2"}, from_page=page)
    assert raised.status_code == 303
    assert await Registration.filter(event_id=event.id, status="confirmed").count() == 2
    lowered = await post_form(client, page, {"title": event.title, "capacity": "1"}, from_page=page)
    assert lowered.status_code == 422

    room = await make_room()
    day = next_monday()
    await event.refresh_from_db()
    local_day = event.starts_at.astimezone(ZoneInfo("Europe/Paris")).date()
    start = event.starts_at.astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M")
    end = (event.starts_at + timedelta(hours=1)).astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M")
    session = {
        "session_title": "Ouverture",
        "session_starts_at": f"{local_day}T{start}",
        "session_ends_at": f"{local_day}T{end}",
        "room_id": str(room.id),
    }
    added = await post_form(client, f"/events/{event.id}/sessions", session, from_page=page)
    assert added.status_code == 303, added.text[:1000]
    row = await Session.get(event_id=event.id)
    assert row.booking_id is not None and day
    outside = {
        **session,
        "session_starts_at": f"{local_day + timedelta(days=3)}T{start}",
        "session_ends_at": f"{local_day + timedelta(days=3)}T{end}",
    }
    assert (await post_form(client, f"/events/{event.id}/sessions", outside, from_page=page)).status_code == 422
    removed = await post_form(client, f"/events/{event.id}/sessions/{row.id}/delete", from_page=page)
    assert removed.status_code == 303 and not await Session.exists(id=row.id)

    cancelled = await post_form(client, page, {"action": "cancel"}, from_page=page)
    assert cancelled.status_code == 303
    assert (await Event.get(id=event.id)).status == "cancelled"


async def test_reschedule_an_event_from_its_edit_page(client) -> None:
    """Date, time, zone, format and room change on the edit page; the programme and its room
    booking move with the start; the registrants get the new time; the feeds show it."""
    from events import services
    from tierslieu.models import OutboxMail

    room = await make_room(name="Salle Lovelace")
    event = await make_event(mode="onsite", room_id=room.id, join_url="", title="Atelier graphes")
    session = await Session.get(event_id=event.id)
    person = await make_user(email="inscrite@example.org")
    await services.register(person, event.id)
    await login(client, event.facilitator.email)
    page = f"/events/{event.id}/edit"
    form = text_of((await client.get(page)).text)
    for label in ("Fuseau horaire de l’événement", "Début (heure locale de l’événement)", "Format"):
        assert label.replace("’", "'") in form.replace("’", "'"), label
    paris = ZoneInfo("Europe/Paris")
    new_day = (event.starts_at + timedelta(days=7)).astimezone(paris).date()
    data = {
        "title": event.title,
        "capacity": "10",
        "timezone": "Europe/Paris",
        "starts_at": f"{new_day}T14:00",
        "ends_at": f"{new_day}T16:30",
        "mode": "onsite",
        "room_id": str(room.id),
    }
    moved = await post_form(client, page, data, from_page=page)
    assert moved.status_code == 303, text_of(moved.text)[:1500]
    await event.refresh_from_db()
    assert event.starts_at == datetime.combine(new_day, datetime.min.time().replace(hour=14), paris)
    assert event.ends_at - event.starts_at == timedelta(hours=2, minutes=30)
    await session.refresh_from_db()
    assert (session.starts_at, session.ends_at) == (event.starts_at, event.ends_at)
    assert session.booking_id is not None
    mail = await OutboxMail.filter(to_address=person.email).order_by("-id").first()
    assert mail is not None and mail.subject == "Événement modifié : Atelier graphes"
    assert "14\u00a0h" in mail.body_text
    feed = (await client.get(f"/events/{event.id}.ics")).text
    assert new_day.strftime("%Y%m%d") + "T140000" in feed
    # end before start: the message sits under the end field
    wrong = await post_form(client, page, {**data, "ends_at": f"{new_day}T13:00"}, from_page=page)
    assert wrong.status_code == 422
    assert 'id="f-ends_at-error"' in wrong.text
    assert "La fin doit venir après le début." in text_of(wrong.text)


async def test_a_past_date_is_refused_at_creation_under_its_field(client) -> None:
    facilitator = await make_facilitator()
    await login(client, facilitator.email)
    last_year = datetime.now(UTC).year - 1
    data = {
        "title": "Trop tard",
        "kind": "workshop",
        "mode": "online",
        "language": "fr",
        "timezone": "Europe/Paris",
        "starts_at": f"{last_year}-07-07T10:00",
        "ends_at": f"{last_year}-07-07T12:00",
        "capacity": "20",
    }
    refused = await post_form(client, "/events/new", data, from_page="/events/new")
    assert refused.status_code == 422
    assert 'id="f-starts_at-error"' in refused.text
    assert not await Event.exists(title="Trop tard")
    year = datetime.now(UTC).year + 1
    backwards = {**data, "starts_at": f"{year}-07-07T10:00", "ends_at": f"{year}-07-07T09:00"}
    refused = await post_form(client, "/events/new", backwards, from_page="/events/new")
    assert refused.status_code == 422
    assert 'id="f-ends_at-error"' in refused.text
