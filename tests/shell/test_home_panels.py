"""The home page: for visitors, how to come and what is coming; for a signed-in person, their
next events and bookings and the questions waiting in the categories they follow. Each
part gives its panel through its manifest."""

from __future__ import annotations

from bookings import services as bookings_services
from events import services as events_services
from forum import notify
from tests.bookings.helpers import at, make_room, next_monday
from tests.events.helpers import make_event
from tests.forum.factories import make_category, make_topic
from tests.helpers import login, make_user, text_of


async def test_visitors_see_how_to_come_and_what_is_coming(client) -> None:
    await make_event(title="Webinaire IA en classe")
    text = text_of((await client.get("/")).text)
    assert "Venir au tiers-lieu" in text and "Webinaire IA en classe" in text
    assert "Mes prochains événements" not in text


async def test_a_signed_in_person_sees_their_next_events_bookings_and_waiting_questions(client) -> None:
    person = await make_user()
    event = await make_event(title="Atelier Python")
    await events_services.register(person, event.id)
    room = await make_room(name="Salle Ada")
    day = next_monday()
    await bookings_services.create_booking(person, room.id, at(day, "10:00"), at(day, "11:00"), "Révisions")
    category = await make_category("Pédagogie")
    await notify.watch_category(person, category)
    await make_topic(category=category, title="Comment noter un projet NSI ?")
    await login(client, person.email)
    text = text_of((await client.get("/")).text)
    for expected in ("Mes prochains événements", "Atelier Python", "Mes prochaines réservations", "Salle Ada"):
        assert expected in text, expected
    assert "Questions qui attendent une réponse" in text and "Comment noter un projet NSI" in text
    assert "Venir au tiers-lieu" not in text
