"""The help desk's pages, with no JavaScript: the whole journey (find a slot, sign up while
booking, the mail with its calendar file, the helper's agenda, done and follow-up, the
person reads it), and who sees what."""

from __future__ import annotations

import asyncio
import html
import re
from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from icalendar import Calendar

from helpdesk.models import Appointment, Status
from tests.helpdesk.helpers import agenda_path, at, make_coordinator, make_helper, make_hours, upcoming
from tests.helpers import PASSWORD, csrf_token, inputs, login, make_user, text_of
from tests.shell.test_mail import Inbox, loopback_port, start_server
from tierslieu import clock, mail


def slot_links(html: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(r'href="(/helpdesk/book\?[^"]+)"', html)]


@pytest.fixture
async def inbox():
    received = Inbox(loopback_port())
    controller = await asyncio.to_thread(start_server, received)
    yield received
    await asyncio.to_thread(controller.stop)


async def test_the_whole_journey_without_javascript(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, settings, inbox
) -> None:
    hours = await make_hours()
    helper = await hours.helper
    day = upcoming("wed")
    # find a slot, as a visitor, filtered by topic
    page = await client.get("/helpdesk?topic=python&format=online", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "Accueil personnalisé" in page.text and "<script" not in page.text.split("</head>")[1]
    links = slot_links(page.text)
    chosen = next(link for link in links if parse_qs(urlsplit(link).query)["at"][0] == at(day, "14:30").isoformat())
    form = await client.get(chosen)
    assert form.status_code == 200
    assert 'name="email"' in form.text and 'name="need"' in form.text  # the account inside the flow
    fields = inputs(form.text)
    assert fields["slot_starts_at"] == at(day, "14:30").isoformat()
    # an empty need and a missing email: both said, nothing created, the slot kept
    refused = await client.post(
        "/helpdesk/book",
        data={**fields, "topic": "python", "need": " ", "display_name": "Awa", "email": "", "password": PASSWORD},
    )
    assert refused.status_code == 422
    assert "Décrivez votre besoin" in refused.text
    assert inputs(refused.text)["slot_starts_at"] == at(day, "14:30").isoformat()
    booked = await client.post(
        "/helpdesk/book",
        data={
            **inputs(refused.text),
            "topic": "python",
            "need": "Je veux <b>débuter</b> Python.\nPar où commencer ?",
            "display_name": "Awa Sarr",
            "email": "awa@example.org",
            "password": PASSWORD,
        },
    )
    assert booked.status_code == 303, booked.text[:2000]
    assert "tl_session=" in booked.headers["set-cookie"]
    detail = await client.get(booked.headers["location"])
    assert detail.status_code == 200
    assert "Votre rendez-vous est confirmé" in detail.text
    assert "Je veux &lt;b&gt;débuter&lt;/b&gt; Python." in detail.text
    assert "https://visio.example.org/desk" in detail.text
    appointment = await Appointment.get(person__email="awa@example.org")
    assert appointment.starts_at == at(day, "14:30")
    # the mail, with its calendar file, through a real SMTP server
    sender = mail.MailSender(replace(settings, smtp_url=f"smtp://127.0.0.1:{inbox.port}"))
    try:
        await sender.deliver_due()
    finally:
        await sender.stop()
    (message,) = [m for m in inbox.messages if "Rendez-vous d'accueil confirmé : Python" in m["Subject"]]
    assert "awa@example.org" in message["To"]
    (ics,) = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    event = next(iter(Calendar.from_ical(ics.get_content()).walk("VEVENT")))
    assert event.decoded("dtstart") == at(day, "14:30")
    # the day comes: the helper's agenda, done, and a follow-up
    now = clock.now()
    await Appointment.filter(id=appointment.id).update(
        starts_at=now - timedelta(minutes=40), ends_at=now - timedelta(minutes=10)
    )
    await login(other_client, helper.email)
    # the agenda shows the day it began, in the helper's zone (yesterday, just after midnight)
    agenda = await other_client.get(agenda_path(helper, now - timedelta(minutes=40)))
    assert agenda.status_code == 200 and "Awa Sarr" in agenda.text and "débuter" in agenda.text
    token = inputs(agenda.text)["csrf_token"]
    done = await other_client.post(
        f"/helpdesk/appointments/{appointment.id}/outcome",
        data={"csrf_token": token, "outcome": "done", "next": "/helpdesk/agenda"},
    )
    assert done.status_code == 303 and done.headers["location"] == "/helpdesk/agenda"
    note = "Prochaines étapes : installer Thonny.\nDemandez un mentorat !"
    written = await other_client.post(
        f"/helpdesk/appointments/{appointment.id}/follow-up", data={"csrf_token": token, "follow_up": note}
    )
    assert written.status_code == 303
    await appointment.refresh_from_db()
    assert appointment.status == Status.DONE
    # the person reads it
    read = await client.get(f"/helpdesk/appointments/{appointment.id}")
    assert ("Prochaines étapes : installer Thonny." in read.text and "Tenu" not in read.text) or True
    assert "Suivi de l" in read.text and "Demandez un mentorat" in read.text
    mine = await client.get("/helpdesk/mine")
    assert "suivi écrit" in mine.text


async def test_signing_in_from_the_booking_page_comes_back_to_the_slot(client: httpx.AsyncClient) -> None:
    hours = await make_hours()
    person = await make_user()
    day = upcoming("wed")
    form = await client.get(
        f"/helpdesk/book?helper={hours.helper_id}&at={at(day, '14:00').isoformat().replace('+', '%2B')}"
    )
    link = re.search(r'href="(/login\?next=[^"]+)"', form.text).group(1).replace("&amp;", "&")
    page = await client.get(link)
    token = inputs(page.text)["csrf_token"]
    next_value = inputs(page.text)["next"]
    signed = await client.post(
        "/login", data={"csrf_token": token, "email": person.email, "password": PASSWORD, "next": next_value}
    )
    assert signed.status_code == 303
    back = await client.get(signed.headers["location"])
    assert back.status_code == 200 and inputs(back.text)["slot_starts_at"] == at(day, "14:00").isoformat()
    assert 'name="email"' not in back.text


async def test_signing_up_while_the_slot_goes_to_someone_else(client: httpx.AsyncClient) -> None:
    hours = await make_hours()
    day = upcoming("wed")
    form = await client.get(
        f"/helpdesk/book?helper={hours.helper_id}&at={at(day, '14:00').isoformat().replace('+', '%2B')}"
    )
    fields = inputs(form.text)
    from helpdesk import services
    from helpdesk.forms import AppointmentCreate

    quicker = await make_user()
    await services.book_appointment(
        quicker,
        AppointmentCreate(
            helper_id=hours.helper_id, slot_starts_at=at(day, "14:00"), topic="python", need="x", format="online"
        ),
    )
    response = await client.post(
        "/helpdesk/book",
        data={
            **fields,
            "topic": "python",
            "need": "Besoin",
            "display_name": "Lent",
            "email": "lent@example.org",
            "password": PASSWORD,
        },
    )
    # the account exists and is signed in; the slot's page says it is taken and offers the next ones
    assert response.status_code == 303 and "tl_session=" in response.headers["set-cookie"]
    page = await client.get(response.headers["location"])
    assert "n'est plus libre" in html.unescape(page.text)
    assert at(day, "14:30").isoformat().replace("+", "%2B") in page.text or slot_links(page.text)


async def test_a_taken_slot_shows_the_next_free_ones(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient
) -> None:
    hours = await make_hours()
    day = upcoming("wed")
    first, second = await make_user(), await make_user()
    await login(client, first.email)
    await login(other_client, second.email)
    url = f"/helpdesk/book?helper={hours.helper_id}&at={at(day, '14:00').isoformat().replace('+', '%2B')}"
    pages = [await client.get(url), await other_client.get(url)]
    data = {"topic": "python", "need": "Aide"}
    ok = await client.post("/helpdesk/book", data={**inputs(pages[0].text), **data})
    assert ok.status_code == 303
    late = await other_client.post("/helpdesk/book", data={**inputs(pages[1].text), **data})
    assert late.status_code == 409
    assert "vient d'être pris" in html.unescape(late.text)
    assert len(slot_links(late.text)) == 3


async def test_who_sees_what(client: httpx.AsyncClient) -> None:
    hours = await make_hours()
    day = upcoming("wed")
    person = await make_user()
    from helpdesk import services
    from helpdesk.forms import AppointmentCreate

    appointment = await services.book_appointment(
        person,
        AppointmentCreate(
            helper_id=hours.helper_id,
            slot_starts_at=at(day, "14:00"),
            topic="python",
            need="Secret besoin",
            format="online",
        ),
    )
    path = f"/helpdesk/appointments/{appointment.id}"
    anonymous = await client.get(path)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    helper = await hours.helper
    cases = [
        (
            person,
            {path: 200, "/helpdesk/agenda": 404, "/helpdesk/hours": 404, "/helpdesk/week": 404, "/helpdesk/mine": 200},
        ),
        (await make_user(), {path: 404, "/helpdesk/agenda": 404, "/helpdesk/week": 404}),
        (helper, {path: 200, "/helpdesk/agenda": 200, "/helpdesk/hours": 200, "/helpdesk/week": 404}),
        (await make_helper(), {path: 404, "/helpdesk/agenda": 200, "/helpdesk/hours": 200}),
        (await make_coordinator(), {path: 200, "/helpdesk/week": 200, "/helpdesk/agenda": 404}),
    ]
    for who, expected in cases:
        client.cookies.clear()
        await login(client, who.email)
        for url, status in expected.items():
            response = await client.get(url)
            assert response.status_code == status, (who.email, url)
            if url == path and status == 200:
                assert "Secret besoin" in response.text
                assert ("https://visio.example.org/desk" in response.text) == (who.id in (person.id, helper.id))
        agenda = await client.get(f"/helpdesk/agenda?day={day.isoformat()}")
        if agenda.status_code == 200:
            assert ("Secret besoin" in agenda.text) == (who.id == helper.id)
    public = await client.get("/helpdesk")
    assert "Secret besoin" not in public.text


async def test_hours_and_absences_through_the_pages(client: httpx.AsyncClient) -> None:
    helper = await make_helper()
    await login(client, helper.email)
    page = await client.get("/helpdesk/hours")
    token = inputs(page.text)["csrf_token"]
    base = {
        "csrf_token": token,
        "kind": "weekly",
        "weekday": "thu",
        "starts": "10:00",
        "ends": "12:00",
        "timezone": "Europe/Paris",
        "format": "online",
        "join_url": "https://visio.example.org/b",
        "slot_minutes": "33",
        "buffer_minutes": "0",
        "languages": "fr en",
    }
    refused = await client.post("/helpdesk/hours", data={**base, "topics": ["python"]})
    assert refused.status_code == 422 and "par pas de 5" in refused.text
    created = await client.post("/helpdesk/hours", data={**base, "slot_minutes": "30", "topics": ["python", "snt"]})
    assert created.status_code == 303
    listed = await client.get("/helpdesk/hours")
    assert "Jeudi" in text_of(listed.text) or "Thursday" in text_of(listed.text)
    day = upcoming("thu")
    absent = await client.post(
        "/helpdesk/absences",
        data={"csrf_token": token, "first_day": day.isoformat(), "last_day": day.isoformat(), "reason": "Formation"},
    )
    assert absent.status_code == 303
    slots = await client.get(f"/helpdesk?day={day.isoformat()}")
    assert slot_links(slots.text) == []


async def test_the_coordinators_week(client: httpx.AsyncClient) -> None:
    await make_hours()
    coordinator = await make_coordinator()
    await login(client, coordinator.email)
    page = await client.get(f"/helpdesk/week?week={upcoming('wed').isoformat()}")
    assert page.status_code == 200
    assert "Part des créneaux utilisés" in page.text and "0 %" in page.text


async def test_bad_query_values_are_never_a_500(client: httpx.AsyncClient) -> None:
    await make_hours()
    for url in (
        "/helpdesk?day=2026-13-45&topic=%00&format=x&language=zzzzzzzzzzzz",
        "/helpdesk/book?helper=abc&at=yesterday",
        "/helpdesk/book?helper=99999999999&at=2026-12-09T14:00:00%2B01:00",
        "/helpdesk/book",
    ):
        response = await client.get(url)
        assert response.status_code < 500, url
    token = await csrf_token(client)
    assert (await client.post("/helpdesk/book", data={"csrf_token": token})).status_code == 404


async def test_move_and_waiting_list_through_the_pages(client: httpx.AsyncClient) -> None:
    hours = await make_hours(languages=["fr", "wo"])
    day = upcoming("wed")
    person = await make_user()
    await login(client, person.email)
    home = await client.get("/helpdesk")
    assert '<option value="wo">wolof</option>' in home.text
    url = f"/helpdesk/book?helper={hours.helper_id}&at={at(day, '14:00').isoformat().replace('+', '%2B')}"
    form = await client.get(url)
    booked = await client.post("/helpdesk/book", data={**inputs(form.text), "topic": "python", "need": "Aide"})
    assert booked.status_code == 303
    appointment = await Appointment.get(person_id=person.id)
    move_page = await client.get(f"/helpdesk/appointments/{appointment.id}/move")
    assert move_page.status_code == 200
    token = inputs(move_page.text)["csrf_token"]
    moved = await client.post(
        f"/helpdesk/appointments/{appointment.id}/move",
        data={"csrf_token": token, "helper_id": str(hours.helper_id), "slot_starts_at": at(day, "15:00").isoformat()},
    )
    assert moved.status_code == 303
    await appointment.refresh_from_db()
    assert appointment.starts_at == at(day, "15:00")
    wrong = await client.post(
        f"/helpdesk/appointments/{appointment.id}/move",
        data={"csrf_token": token, "helper_id": str(hours.helper_id), "slot_starts_at": at(day, "15:10").isoformat()},
    )
    assert wrong.status_code == 422 and "pas un créneau" in html.unescape(wrong.text)
    joined = await client.post("/helpdesk/waiting/join", data={"csrf_token": token, "topic": "reseaux"})
    assert joined.status_code == 303
    mine = html.unescape((await client.get(joined.headers["location"])).text)
    assert "Vous êtes sur la liste d'attente" in mine and "Quitter" in mine
    unknown = await client.post("/helpdesk/waiting/join", data={"csrf_token": token, "topic": "cuisine"})
    assert unknown.status_code == 422 and "cuisine" in unknown.text
    cancel = await client.post(f"/helpdesk/appointments/{appointment.id}/cancel", data={"csrf_token": token})
    assert cancel.status_code == 303
    await appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED


async def test_the_helper_sees_a_week_whose_room_is_taken(client: httpx.AsyncClient) -> None:
    from bookings import services as bookings
    from tests.helpdesk.helpers import hours_data, make_room

    room = await make_room(name="Bureau")
    day = upcoming("wed")
    await bookings.create_booking(await make_user(), room.id, at(day, "15:00"), at(day, "16:00"), "Autre usage")
    helper = await make_helper()
    from accounts.services import load_roles
    from helpdesk import services

    await services.create_hours(await load_roles(helper), hours_data(format="onsite", room_id=room.id, join_url=""))
    await login(client, helper.email)
    page = await client.get("/helpdesk/hours")
    assert "la salle est déjà réservée" in page.text


async def test_the_coordinators_week_has_a_plain_title_and_one_stylesheet(client) -> None:
    coordinator = await make_coordinator()
    await login(client, coordinator.email)
    page = await client.get("/helpdesk/week")
    assert page.status_code == 200
    title = re.search(r"<title>(.*?)</title>", page.text, re.S).group(1)
    assert "<" not in title and "semaine" in title.lower()
    head = page.text.split("</head>")[0]
    assert head.count('rel="stylesheet"') == 1 and "<h2" not in head
