"""My room bookings in my personal calendar feed."""

from __future__ import annotations

from icalendar import Calendar

from accounts import services as accounts
from bookings.models import Booking, Status
from tests.bookings.helpers import at, make_room, next_monday
from tests.helpers import make_user


def events_of(body: bytes) -> dict[str, dict]:
    return {
        str(item["uid"]): {
            "status": str(item.get("status")),
            "start": item.decoded("dtstart"),
            "summary": str(item["summary"]),
        }
        for item in Calendar.from_ical(body).walk("VEVENT")
    }


async def test_my_bookings_are_in_my_feed_and_nobody_elses(client, settings):
    me, other = await make_user(), await make_user()
    room = await make_room(name="Salle Ada Lovelace")
    day = next_monday()
    mine = await Booking.create(
        room=room, user=me, starts_at=at(day, "10:00"), ends_at=at(day, "11:00"), purpose="Aide Python"
    )
    pending = await Booking.create(
        room=room,
        user=me,
        starts_at=at(day, "14:00"),
        ends_at=at(day, "15:00"),
        purpose="Révisions",
        status=Status.PENDING,
    )
    await Booking.create(room=room, user=other, starts_at=at(day, "12:00"), ends_at=at(day, "13:00"), purpose="Autre")
    url = accounts.calendar_url(me, settings).removeprefix(settings.base_url)
    response = await client.get(url)
    assert response.status_code == 200
    found = events_of(response.content)
    assert set(found) == {f"booking-{mine.id}@testserver", f"booking-{pending.id}@testserver"}
    assert found[f"booking-{mine.id}@testserver"]["start"] == at(day, "10:00")
    assert found[f"booking-{mine.id}@testserver"]["summary"] == "Salle Ada Lovelace — Aide Python"
    assert found[f"booking-{pending.id}@testserver"]["status"] == "TENTATIVE"
    etag = response.headers["etag"]
    await Booking.filter(id=mine.id).update(status=Status.CANCELLED, sequence=1)
    changed = await client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert events_of(changed.content)[f"booking-{mine.id}@testserver"]["status"] == "CANCELLED"
