"""The event pages without JavaScript: list, detail with seats left, register and cancel
forms (CSRF), the registrants list and its CSV for the people running the event."""

from __future__ import annotations

from accounts.models import Role
from events.models import Registration
from tests.events.helpers import make_event, make_facilitator
from tests.helpers import csrf_token, login, make_user, post_form, text_of


async def test_list_and_detail_pages(client) -> None:
    event = await make_event(capacity=3, description="**Graphes** et parcours")
    draft = await make_event(status="draft", title="Secret draft")
    listing = await client.get("/events")
    assert listing.status_code == 200
    assert event.title in listing.text and "Secret draft" not in listing.text
    assert '/events/feed.ics"' in listing.text
    detail = await client.get(f"/events/{event.id}")
    assert detail.status_code == 200
    text = text_of(detail.text)
    assert "<strong>Graphes</strong>" in detail.text
    assert "3 places restantes" in text  # the default locale is French
    assert "room-secret" not in detail.text
    assert f'data-live-channel="event:{event.id}"' in detail.text
    assert (await client.get(f"/events/{draft.id}")).status_code == 404
    assert (await client.get("/events/12345")).status_code == 404


async def test_register_and_cancel_through_the_forms(client) -> None:
    event = await make_event(capacity=1)
    person = await make_user(email="person@example.org")
    await login(client, person.email)
    page = f"/events/{event.id}"
    refused = await client.post(f"/events/{event.id}/register", data={})
    assert refused.status_code == 403  # no CSRF token
    done = await post_form(client, f"/events/{event.id}/register", from_page=page)
    assert done.status_code == 303 and done.headers["location"] == f"/events/{event.id}?done=confirmed"
    detail = await client.get(done.headers["location"])
    assert "room-secret" in detail.text  # the join link, for a confirmed place only
    again = await post_form(client, f"/events/{event.id}/register", from_page=page)
    assert again.status_code == 409
    cancelled = await post_form(client, f"/events/{event.id}/cancel", from_page=page)
    assert cancelled.status_code == 303
    assert (await Registration.get(event_id=event.id, user_id=person.id)).status == "cancelled"
    assert "room-secret" not in (await client.get(page)).text


async def test_waiting_list_position_shown(client, other_client) -> None:
    event = await make_event(capacity=1)
    first, second = await make_user(), await make_user(locale="en")
    await login(client, first.email)
    await post_form(client, f"/events/{event.id}/register", from_page=f"/events/{event.id}")
    await login(other_client, second.email)
    response = await post_form(other_client, f"/events/{event.id}/register", from_page=f"/events/{event.id}")
    assert response.headers["location"].endswith("?done=waitlisted")
    text = text_of((await other_client.get(f"/events/{event.id}")).text)
    assert "You are number 1 on the waiting list." in text
    assert "room-secret" not in text


async def test_anonymous_is_sent_to_login(client) -> None:
    event = await make_event()
    token = await csrf_token(client)
    response = await client.post(f"/events/{event.id}/register", data={"csrf_token": token})
    assert response.status_code == 401
    assert (await client.get(f"/events/{event.id}/registrants")).status_code == 303


async def test_registrants_page_and_csv_for_the_people_running_the_event(client) -> None:
    event = await make_event(capacity=1)
    for name in ("=cmd|calc", "Bob"):
        person = await make_user(display_name=name)
        await login(client, person.email)
        await post_form(client, f"/events/{event.id}/register", from_page=f"/events/{event.id}")
    await make_facilitator(email="other@example.org")
    await make_user(email="admin@example.org", roles=(Role.ADMIN,))
    for email, status in (
        ("other@example.org", 403),
        (event.facilitator.email, 200),
        ("admin@example.org", 200),
    ):
        await login(client, email)
        page = await client.get(f"/events/{event.id}/registrants")
        assert page.status_code == status, email
        exported = await client.get(f"/events/{event.id}/registrants.csv")
        assert exported.status_code == status, email
    assert "Bob" in page.text
    assert exported.headers["content-type"].startswith("text/csv")
    # semicolons by default (French spreadsheets split on them), a BOM for UTF-8
    assert exported.text.startswith("\ufeff")
    lines = exported.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "Nom;Adresse électronique;Statut;Place;Position" or lines[0].startswith("Nom;")
    assert lines[1].startswith("'=cmd|calc;")  # no formula injection
    assert lines[2].startswith("Bob;") and lines[2].endswith(";1")
    commas = await client.get(f"/events/{event.id}/registrants.csv?sep=comma")
    assert commas.text.lstrip("\ufeff").splitlines()[2].startswith("Bob,")


async def test_check_in_at_the_door(client) -> None:
    from events.models import Attendance

    event = await make_event(capacity=2)
    people = [await make_user(display_name=name) for name in ("Zoé", "Amir")]
    for person in people:
        await login(client, person.email)
        await post_form(client, f"/events/{event.id}/register", from_page=f"/events/{event.id}")
    assert (await client.get(f"/events/{event.id}/checkin")).status_code == 403
    await login(client, event.facilitator.email)
    page = await client.get(f"/events/{event.id}/checkin")
    assert page.status_code == 200
    assert page.text.index("Amir") < page.text.index("Zoé")  # by name, for a quick scan
    done = await post_form(
        client, f"/events/{event.id}/checkin", {"user_id": str(people[0].id)}, from_page=f"/events/{event.id}/checkin"
    )
    assert done.status_code == 303 and done.headers["location"].endswith(f"#p-{people[0].id}")
    assert await Attendance.filter(event_id=event.id, user_id=people[0].id, session_id=None).exists()
    assert "1 présent" in text_of((await client.get(f"/events/{event.id}/checkin")).text) or "1 present" in text_of(
        (await client.get(f"/events/{event.id}/checkin")).text
    )


async def test_write_to_the_registrants(client) -> None:
    from tierslieu.models import OutboxMail

    event = await make_event(capacity=1)
    confirmed, waiting = await make_user(), await make_user()
    for person in (confirmed, waiting):
        await login(client, person.email)
        await post_form(client, f"/events/{event.id}/register", from_page=f"/events/{event.id}")
    assert (await client.get(f"/events/{event.id}/message")).status_code == 403
    await login(client, event.facilitator.email)
    page = f"/events/{event.id}/message"
    empty = await post_form(client, page, {"subject": " ", "body": ""}, from_page=page)
    assert empty.status_code == 422
    sent = await post_form(client, page, {"subject": "Salle changée", "body": "Rendez-vous salle B."}, from_page=page)
    assert sent.status_code == 200
    assert await OutboxMail.filter(user_id=confirmed.id, subject__contains="Salle changée").count() == 1
    assert await OutboxMail.filter(user_id=waiting.id, subject__contains="Salle changée").count() == 0


async def test_attendance_certificate(client) -> None:
    from events import services

    event = await make_event(title="Semaine NSI – graphes")
    person = await make_user(display_name="Zoé Œuvray")
    stranger = await make_user()
    await services.register(person, event.id)
    await login(client, person.email)
    assert (await client.get(f"/events/{event.id}/certificate.pdf")).status_code == 404
    await services.record_attendance(event.facilitator, event.id, person.id)
    detail = await client.get(f"/events/{event.id}")
    assert "/certificate.pdf" in detail.text
    pdf = await client.get(f"/events/{event.id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    await login(client, stranger.email)
    assert (await client.get(f"/events/{event.id}/certificate.pdf")).status_code == 404


async def test_feedback_after_the_event_from_attendees_only(client) -> None:
    from datetime import UTC, datetime, timedelta

    from events import services
    from events.models import Event, Feedback
    from tierslieu.models import OutboxMail

    event = await make_event()
    attendee, absent = await make_user(), await make_user()
    for person in (attendee, absent):
        await services.register(person, event.id)
    await services.record_attendance(event.facilitator, event.id, attendee.id)
    await login(client, attendee.email)
    page = f"/events/{event.id}"
    early = await post_form(client, f"/events/{event.id}/feedback", {"rating": "5"}, from_page=page)
    assert early.status_code == 422  # not over yet
    past = datetime.now(UTC) - timedelta(hours=1)
    await Event.filter(id=event.id).update(starts_at=past - timedelta(hours=2), ends_at=past)
    assert await services.ask_for_feedback() == 1
    assert await services.ask_for_feedback() == 0  # once
    assert await OutboxMail.filter(user_id=absent.id, subject__icontains="feedback").count() == 0
    assert 'id="feedback"' in (await client.get(page)).text
    wrong = await post_form(client, f"/events/{event.id}/feedback", {"rating": "9"}, from_page=page)
    assert wrong.status_code == 422
    done = await post_form(
        client, f"/events/{event.id}/feedback", {"rating": "4", "comment": "Très utile"}, from_page=page
    )
    assert done.status_code == 303
    await post_form(client, f"/events/{event.id}/feedback", {"rating": "5"}, from_page=page)
    assert [(row.rating, row.comment) for row in await Feedback.filter(event_id=event.id)] == [(5, "")]
    await login(client, absent.email)
    refused = await post_form(client, f"/events/{event.id}/feedback", {"rating": "1"}, from_page=page)
    assert refused.status_code == 422
    await login(client, event.facilitator.email)
    assert "5.0 / 5" in text_of((await client.get(f"/events/{event.id}/registrants")).text)


async def test_my_registrations_on_the_list(client) -> None:
    from events import services

    full = await make_event(capacity=1, title="Complet")
    open_event = await make_event(title="Ouvert")
    me, other = await make_user(locale="en"), await make_user()
    await services.register(other, full.id)
    await services.register(me, full.id)
    await services.register(me, open_event.id)
    await login(client, me.email)
    text = text_of((await client.get("/events")).text)
    assert "My registrations" in text
    assert "You are number 1 on the waiting list." in text and "Confirmed" in text
