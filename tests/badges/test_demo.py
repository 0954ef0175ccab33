"""The demo content: badge classes, awards, and months of history on the dashboard."""

from __future__ import annotations

from datetime import timedelta

from accounts import dashboard
from badges.models import Award, BadgeClass, EventLink
from notifications.models import Notification
from tierslieu import clock
from tierslieu.cli import fill_demo
from tierslieu.models import OutboxMail
from tierslieu.parts import Period


async def test_the_demo_awards_badges_and_gives_the_dashboard_history() -> None:
    await fill_demo(lambda line: None)
    counts = (await BadgeClass.all().count(), await Award.all().count(), await EventLink.all().count())
    assert counts[0] == 4 and counts[1] >= 8 and counts[2] >= 4
    assert await Award.filter(origin="event").exists() and await Award.filter(origin="manual", shared=True).exists()
    assert not await OutboxMail.filter(kind="badges").exists()
    assert not await Notification.filter(kind="badges.awarded").exists()
    await fill_demo(lambda line: None)
    assert (await BadgeClass.all().count(), await Award.all().count(), await EventLink.all().count()) == counts

    now = clock.now()
    shown = dict(await dashboard.gather(Period(now - timedelta(days=120), now), "fr"))
    values = {figure.label: figure.value for part in shown.values() for figure in part.figures}
    assert values["Badges décernés"] >= 8
    assert values["Inscriptions confirmées aux événements"] >= 40
    assert values["Questions posées"] >= 10
    assert values["Réservations de salles honorées"] >= 100
    heat = next(chart for chart in shown["bookings"].charts if chart.kind == "heatmap")
    assert max(value for _, row in heat.rows for value in row) > 0
