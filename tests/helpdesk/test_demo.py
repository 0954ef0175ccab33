from __future__ import annotations

from accounts import demo as accounts_demo
from bookings import demo as bookings_demo
from helpdesk import demo
from helpdesk.models import Appointment, Block, Hours, Status
from tierslieu.models import OutboxMail


async def test_demo_content_is_idempotent_and_sends_no_mail() -> None:
    await accounts_demo.run(lambda line: None)
    await bookings_demo.run(lambda line: None)
    lines = await demo.run(lambda line: None)
    assert lines and lines[0].startswith("Help desk:")
    assert await Hours.filter(format="onsite").count() == 1 and await Hours.filter(format="online").count() == 1
    onsite = await Hours.get(format="onsite")
    assert await Block.filter(hours_id=onsite.id, booking_id__not_isnull=True).count() >= 5
    assert await Appointment.filter(status=Status.BOOKED).count() == 1
    done = await Appointment.get(status=Status.DONE)
    assert done.follow_up
    counts = (await Hours.all().count(), await Appointment.all().count(), await Block.all().count())
    await demo.run(lambda line: None)
    assert (await Hours.all().count(), await Appointment.all().count(), await Block.all().count()) == counts
    assert not await OutboxMail.filter(kind="helpdesk").exists()
