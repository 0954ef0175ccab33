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
    assert page.count(" · Online</span></p></li>") == 3
    assert page.count('<span class="date-badge" aria-hidden="true">') == 3


def _period(first_day: int, last_day: int) -> parts.Period:
    return parts.Period(soon(first_day, hour=0), soon(last_day, hour=0))


async def _figures(period: parts.Period) -> tuple[dict, dict]:
    shown = await services.figures(period, "en")
    return (
        {figure.label: figure.value for figure in shown.figures},
        {chart.title: dict(chart.rows) for chart in shown.charts},
    )


async def test_figures_per_kind_over_a_period() -> None:
    everything = _period(-30, 30)
    figures, charts = await _figures(everything)
    assert figures == {
        "Events held": 0,
        "Confirmed event registrations": 0,
        "Attendance rate of past events (per cent)": None,
        "No-shows at past events": 0,
    }
    assert charts["Attendance rate per kind of event (per cent)"] == {}
    webinar = await make_event(capacity=5)
    week = await make_event(capacity=5, kind="intensive_week")
    future = await make_event(capacity=5, starts_at=soon(20))
    outside = await make_event(capacity=5, starts_at=soon(40))
    people = [await make_user() for _ in range(4)]
    for person in people[:3]:
        await services.register(person, webinar.id)
    for person in people:
        await services.register(person, week.id)
    await services.register(people[0], future.id)
    await services.register(people[0], outside.id)
    await services.cancel_registration(people[2], webinar.id)
    await services.record_attendance(webinar.facilitator, webinar.id, people[0].id)
    for person in people[:3]:
        await services.record_attendance(week.facilitator, week.id, person.id)
    await services.record_attendance(future.facilitator, future.id, people[0].id)  # not over: not counted
    # the webinar and the intensive week are over now
    for event, days in ((webinar, -3), (week, -10)):
        await Event.filter(id=event.id).update(starts_at=soon(days), ends_at=soon(days) + timedelta(hours=2))
    figures, charts = await _figures(everything)
    assert figures == {
        "Events held": 3,
        "Confirmed event registrations": 7,  # 2 + 4 + 1
        "Attendance rate of past events (per cent)": 67,  # 4 of 6
        "No-shows at past events": 2,
    }
    assert charts["Confirmed registrations per kind of event"] == {
        "Webinar": (3,),
        "Intensive week": (4,),
        "Weekend session": (0,),
        "Workshop": (0,),
    }
    assert charts["Attendance rate per kind of event (per cent)"] == {"Webinar": (50,), "Intensive week": (75,)}
    assert charts["No-shows per kind of event"]["Webinar"] == (1,)
    assert charts["No-shows per kind of event"]["Intensive week"] == (1,)
    # only the webinar's days
    figures, _ = await _figures(_period(-5, 0))
    assert figures["Confirmed event registrations"] == 2
    assert figures["Attendance rate of past events (per cent)"] == 50


async def test_events_run_by_a_facilitator_latest_first_without_cancelled_ones() -> None:
    first = await make_event(starts_at=soon(3))
    facilitator = first.facilitator
    later = await make_event(facilitator, starts_at=soon(6))
    cancelled = await make_event(facilitator, starts_at=soon(8))
    await services.cancel_event(facilitator, cancelled.id)
    await make_event(starts_at=soon(4))  # someone else's
    found = await services.events_run_by(facilitator)
    assert [event.id for event in found] == [later.id, first.id]
    assert all(facilitator.id in event.facilitator_ids for event in found)
    assert await services.events_run_by(None) == []
