"""The one boundary for instants (issue 17, findings 1 and 2): every date and time that comes in
falls between 1900 and 2200 (events, sessions and closures at most 5 years ahead), else a 422
naming the field; and whatever is stored, showing it never raises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from events.models import Event
from tests.events.helpers import make_event
from tierslieu import i18n
from tierslieu.templating import _iso_filter

FAR = datetime(9999, 12, 31, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", [FAR, datetime(9999, 12, 31, 23, 59, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)])
@pytest.mark.parametrize("zone", ["Europe/Paris", "America/Los_Angeles", "Pacific/Kiritimati"])
def test_formatting_an_instant_never_raises(value: datetime, zone: str) -> None:
    for locale in i18n.LOCALES:
        for fmt in ("short", "medium", "long", "full"):
            assert i18n.format_datetime(value, locale, zone, fmt)
    assert _iso_filter(value).startswith(f"{value.year:04d}")
    assert i18n.in_zone(value, i18n.zone(zone)).tzinfo is not None


async def test_a_stored_event_in_year_9999_keeps_its_pages_and_feeds_up(client) -> None:
    event = await make_event()
    # written directly: the API refuses it now, but a row may hold it (an older version, SQL)
    await Event.filter(id=event.id).update(starts_at=FAR, ends_at=FAR + timedelta(hours=1, minutes=30))
    for path in ("/events", f"/events/{event.id}", f"/events/{event.id}.ics", "/events/feed.ics", "/"):
        response = await client.get(path)
        assert response.status_code == 200, path
    assert b"9999" in (await client.get(f"/events/{event.id}.ics")).content
