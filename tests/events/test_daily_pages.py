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
