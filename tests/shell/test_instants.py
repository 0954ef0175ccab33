"""The one boundary for instants (issue 17, findings 1 and 2): every date and time that comes in
falls between 1900 and 2200 (events, sessions and closures at most 5 years ahead), else a 422
naming the field; and whatever is stored, showing it never raises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Role
from events.models import Event
from tests.bookings.helpers import make_room
from tests.events.helpers import make_event, make_facilitator, soon
from tests.helpers import api_token, make_user
from tierslieu import i18n
from tierslieu.templating import create_environment

FAR = datetime(9999, 12, 31, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", [FAR, datetime(9999, 12, 31, 23, 59, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)])
@pytest.mark.parametrize("zone", ["Europe/Paris", "America/Los_Angeles", "Pacific/Kiritimati"])
def test_formatting_an_instant_never_raises(value: datetime, zone: str) -> None:
    for locale in i18n.LOCALES:
        for fmt in ("short", "medium", "long", "full"):
            assert i18n.format_datetime(value, locale, zone, fmt)
    assert create_environment().filters["iso"](value).startswith(f"{value.year:04d}")
    assert i18n.in_zone(value, i18n.zone(zone)).tzinfo is not None


async def test_an_instant_given_in_any_zone_compares_as_the_same_instant() -> None:
    """SQLite compares stored instants as text: a bound in Paris time must still find what
    lies between (an agenda of a day in Paris, just after midnight there)."""
    event = await make_event()
    starts = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # 00:30 on 8 December in Paris
    await Event.filter(id=event.id).update(starts_at=starts, ends_at=starts + timedelta(hours=1))
    paris = i18n.zone("Europe/Paris")
    day = (datetime(2026, 12, 8, tzinfo=paris), datetime(2026, 12, 9, tzinfo=paris))
    assert await Event.filter(id=event.id, starts_at__gte=day[0], starts_at__lt=day[1]).exists()
    previous_day = (datetime(2026, 12, 7, tzinfo=paris), day[0])
    assert not await Event.filter(id=event.id, starts_at__gte=previous_day[0], starts_at__lt=previous_day[1]).exists()
    # written in Paris time, read back as the same instant, and still in order
    await Event.filter(id=event.id).update(starts_at=starts.astimezone(paris))
    assert (await Event.get(id=event.id)).starts_at == starts
    assert await Event.filter(id=event.id, starts_at__gte=day[0], starts_at__lt=day[1]).exists()


async def test_a_stored_event_in_year_9999_keeps_its_pages_and_feeds_up(client) -> None:
    event = await make_event()
    # written directly: the API refuses it now, but a row may hold it (an older version, SQL)
    await Event.filter(id=event.id).update(starts_at=FAR, ends_at=FAR + timedelta(hours=1, minutes=30))
    for path in ("/events", f"/events/{event.id}", f"/events/{event.id}.ics", "/events/feed.ics", "/"):
        response = await client.get(path)
        assert response.status_code == 200, path
    assert b"9999" in (await client.get(f"/events/{event.id}.ics")).content


async def test_an_event_more_than_five_years_ahead_is_a_422_naming_the_field(client) -> None:
    await make_facilitator(email="facilitator@example.org")
    auth = await api_token(client, "facilitator@example.org")
    starts = soon() + timedelta(days=6 * 365)
    body = {
        "title": "Trop tôt",
        "kind": "webinar",
        "mode": "online",
        "timezone": "Europe/Paris",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "capacity": 2,
    }
    response = await client.post("/api/v1/events", json=body, headers=auth)
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"starts_at", "ends_at"}
    english = await client.post("/api/v1/events", json=body, headers={**auth, "Accept-Language": "en"})
    assert english.json()["error"]["fields"]["starts_at"] == "At most 5 years ahead."
    for year in ("0001", "9999"):
        far = {**body, "starts_at": f"{year}-06-01T10:00:00+01:00", "ends_at": f"{year}-06-01T12:00:00+01:00"}
        response = await client.post("/api/v1/events", json=far, headers=auth)
        assert response.status_code == 422 and "starts_at" in response.json()["error"]["fields"]
    near = {**body, "starts_at": soon().isoformat(), "ends_at": (soon() + timedelta(hours=1)).isoformat()}
    assert (await client.post("/api/v1/events", json=near, headers=auth)).status_code == 201


async def test_extreme_instants_in_a_query_are_a_422(client) -> None:
    room = await make_room()
    path = f"/api/v1/rooms/{room.id}/availability"
    for start, end in [
        ("9999-12-30T00:00:00Z", "9999-12-31T23:00:00Z"),
        ("0001-01-01T00:00:00Z", "0001-01-02T00:00:00Z"),
        ("0001-01-01T00:00:00+01:00", "0001-01-02T00:00:00+01:00"),
        ("2200-01-01T00:00:00Z", "2200-01-02T00:00:00Z"),
    ]:
        response = await client.get(path, params={"from": start, "to": end})
        assert response.status_code == 422, start
        assert "from" in response.json()["error"]["fields"]


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31", "0001-01-03", "2199-12-31"])
async def test_an_extreme_week_shows_a_sane_week(client, week: str) -> None:
    room = await make_room()
    await make_user(email="member@example.org")
    auth = await api_token(client, "member@example.org")
    response = await client.get(f"/rooms/{room.id}", params={"week": week}, headers=auth)
    assert response.status_code < 500


async def test_a_booking_in_year_1_or_9999_is_a_422(client) -> None:
    room = await make_room()
    await make_user(email="member@example.org", roles=(Role.MEMBER,))
    auth = await api_token(client, "member@example.org")
    for starts, ends in [
        ("0001-01-01T10:00:00+01:00", "0001-01-01T11:00:00+01:00"),
        ("0001-01-01T10:00:00Z", "0001-01-01T11:00:00Z"),
        ("9999-12-31T21:00:00Z", "9999-12-31T22:00:00Z"),
        ("9999-12-31T22:00:00-05:00", "9999-12-31T23:00:00-05:00"),
    ]:
        body = {"room_id": room.id, "starts_at": starts, "ends_at": ends, "purpose": "Réunion"}
        response = await client.post("/api/v1/bookings", json=body, headers=auth)
        assert response.status_code == 422, (starts, response.text)
        assert "starts_at" in response.json()["error"]["fields"]
