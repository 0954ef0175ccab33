"""What the events part shows outside its pages (the home panel, the evaluation figures) and
tells the parts above (the happening events.attendance_recorded)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from events import services
from events.forms import SessionCreate
from events.models import Event
from tests.events.helpers import make_event, soon
from tests.helpers import login, make_user, post_form
from tierslieu import parts
from tierslieu.app import installation
from tierslieu.parts import Happening, Part

heard: list[Happening] = []


async def _listener(happening: Happening) -> None:
    heard.append(happening)


@pytest.fixture
def listening(app) -> Iterator[None]:
    """A part above events (as badges will be) listening to attendance."""
    badges = Part(name="listener", listens={services.ATTENDANCE_RECORDED: _listener})
    previous = parts.install(parts.build([*installation().parts, badges]))
    heard.clear()
    yield
    if previous is not None:
        parts.install(previous)


async def test_attendance_is_announced_once_after_the_commit(listening, client) -> None:
    event = await make_event()
    programme = SessionCreate(title="Atelier", starts_at=event.starts_at, ends_at=event.starts_at + timedelta(hours=1))
    session = await services.add_session(event.facilitator, event.id, programme)
    person = await make_user()
    await services.register(person, event.id)
    await services.record_attendance(event.facilitator, event.id, person.id)
    await services.record_attendance(event.facilitator, event.id, person.id)  # again: nothing new
    assert [happening.data for happening in heard] == [
        {"event_id": event.id, "session_id": None, "user_ids": [person.id]}
    ]
    # the check-in page records attendance through the same service
    await login(client, event.facilitator.email)
    done = await post_form(
        client,
        f"/events/{event.id}/checkin",
        {"user_id": str(person.id), "session_id": str(session.id)},
        from_page=f"/events/{event.id}/checkin",
    )
    assert done.status_code == 303
    assert heard[-1].data == {"event_id": event.id, "session_id": session.id, "user_ids": [person.id]}
    assert len(heard) == 2


async def test_the_home_panel_lists_the_next_three_published_events(client) -> None:
    assert await services.upcoming_panel(None) is None
    assert "Upcoming events" not in (await client.get("/")).text
    facilitator = (await make_event(title="Brouillon", status="draft")).facilitator
    shown = [await make_event(facilitator, title=f"Rendez-vous {day}", starts_at=soon(day)) for day in (3, 1, 2, 4)]
    cancelled = await make_event(facilitator, title="Annulé", starts_at=soon(1, hour=8))
    await services.cancel_event(facilitator, cancelled.id)
    panel = await services.upcoming_panel(None)
    assert [row["title"] for row in panel["events"]] == ["Rendez-vous 1", "Rendez-vous 2", "Rendez-vous 3"]
    page = (await client.get("/", headers={"accept-language": "en"})).text
    assert '<h2 id="home-events">' in page
    for event in shown[:3]:
        assert f'href="/events/{event.id}">{event.title}</a>' in page
    assert "Rendez-vous 4" not in page and "Brouillon" not in page and "Annulé" not in page
    assert page.count(" · Online</li>") == 3


async def test_figures_count_confirmed_places_and_the_attendance_rate() -> None:
    assert {figure.label: figure.value for figure in await services.figures()} == {
        "Confirmed event registrations": 0,
        "Attendance rate of past events (per cent)": 0,
    }
    past = await make_event(capacity=5)
    future = await make_event(capacity=5)
    people = [await make_user() for _ in range(3)]
    for person in people:
        await services.register(person, past.id)
    await services.register(people[0], future.id)
    await services.cancel_registration(people[2], past.id)
    await services.record_attendance(past.facilitator, past.id, people[0].id)
    await services.record_attendance(future.facilitator, future.id, people[0].id)  # not over: not counted
    # the first event is over now
    await Event.filter(id=past.id).update(starts_at=soon(-3), ends_at=soon(-3) + timedelta(hours=2))
    figures = {figure.label: figure.value for figure in await services.figures()}
    assert figures == {"Confirmed event registrations": 3, "Attendance rate of past events (per cent)": 50}
