from __future__ import annotations

from accounts import demo as accounts_demo
from bookings import demo as bookings_demo
from events import demo
from events.models import Event, Session
from tierslieu import clock
from tierslieu.models import OutboxMail


async def test_demo_content_is_idempotent_and_sends_no_mail() -> None:
    await accounts_demo.run(lambda line: None)
    await bookings_demo.run(lambda line: None)
    lines = await demo.run(lambda line: None)
    assert lines and lines[0].startswith("Events:")
    planned = Event.exclude(description=demo.PAST_MARK)
    assert await planned.filter(kind="intensive_week").count() == 1
    assert await planned.filter(kind="webinar").count() == 8
    assert await planned.filter(kind="weekend", mode="hybrid").count() == 1
    week = await planned.get(kind="intensive_week")
    # and past ones, with registrations and check-ins, for the evaluation dashboard
    past = await Event.filter(description=demo.PAST_MARK, ends_at__lt=clock.now()).count()
    assert past == len(demo.PAST)
    sessions = await Session.filter(event_id=week.id)
    assert len({s.starts_at.date() for s in sessions}) == 5 and all(s.booking_id for s in sessions)
    counts = (await Event.all().count(), await Session.all().count())
    await demo.run(lambda line: None)
    assert (await Event.all().count(), await Session.all().count()) == counts
    assert not await OutboxMail.filter(kind="events").exists()
