"""Daily use of the event pages: a past event says it is over, a closed registration says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events.models import Event
from tests.events.helpers import make_event
from tests.helpers import text_of


async def test_a_past_event_says_it_is_over_and_a_closed_one_says_closed(client) -> None:
    event = await make_event()
    past = datetime.now(UTC) - timedelta(days=2)
    await Event.filter(id=event.id).update(starts_at=past, ends_at=past + timedelta(hours=2))
    text = text_of((await client.get(f"/events/{event.id}")).text)
    assert "Cet événement est terminé." in text and "pas ouvertes" not in text
    closed = await make_event()
    await Event.filter(id=closed.id).update(registration_closes_at=datetime.now(UTC) - timedelta(hours=1))
    assert "Les inscriptions sont closes." in text_of((await client.get(f"/events/{closed.id}")).text)


async def test_the_list_shows_states_and_a_series_once(client) -> None:
    from events import services
    from events.forms import SeriesCreate
    from tests.events.helpers import make_facilitator, soon
    from tests.helpers import login, make_user

    facilitator = await make_facilitator()
    series = SeriesCreate(
        title="Café NSI du mardi",
        timezone="Europe/Paris",
        first_date=soon(3).date(),
        start="18:00",
        duration_minutes=60,
        weeks=4,
        capacity=20,
        join_url="https://visio.example.org/cafe",
    )
    await services.create_series(facilitator, series)
    full = await make_event(title="Atelier complet", capacity=1)
    mine = await make_event(title="Atelier où je vais", capacity=5)
    person = await make_user()
    await services.register(await make_user(), full.id)
    await services.register(person, mine.id)
    await login(client, person.email)
    text = text_of((await client.get("/events")).text)
    assert text.count("Café NSI du mardi") == 1 and "Aussi le" in text
    after_full = text.split("Atelier complet", 1)[1]
    assert "Complet" in after_full.split("Atelier")[0]
    after_mine = text.split("Atelier où je vais", 2)[-1]
    assert "Inscrit·e" in after_mine


async def test_the_event_calendar_says_where(client) -> None:
    from tests.bookings.helpers import make_room

    room = await make_room(name="Salle Lovelace")
    onsite = await make_event(mode="onsite", room_id=room.id, join_url="")
    online = await make_event()
    assert "LOCATION:Salle Lovelace" in (await client.get(f"/events/{onsite.id}.ics")).text
    assert f"LOCATION:http://testserver/events/{online.id}" in (await client.get(f"/events/{online.id}.ics")).text


async def test_the_home_panel_shows_a_series_once() -> None:
    from events import services
    from events.forms import SeriesCreate
    from tests.events.helpers import make_facilitator, soon

    series = SeriesCreate(
        title="Café NSI",
        timezone="Europe/Paris",
        first_date=soon(2).date(),
        start="18:00",
        duration_minutes=60,
        weeks=3,
        capacity=20,
    )
    await services.create_series(await make_facilitator(), series)
    await make_event(title="Autre chose")
    panel = await services.upcoming_panel(None)
    assert [row["title"] for row in panel["events"]] == ["Café NSI", "Autre chose"]
