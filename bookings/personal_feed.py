"""My room bookings in my personal calendar feed (``tierslieu.calendar``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bookings.calendar import ICAL_STATUS, booking_path
from bookings.models import Booking, Origin, Status
from tierslieu import calendar, clock, db
from tierslieu.calendar import FeedItem

FIELDS = ("id", "starts_at", "ends_at", "status", "purpose", "sequence", "updated_at", "room__name", "room__timezone")


def _mine(user: Any, since: datetime) -> Any:
    # bookings made by other parts for their own needs appear in the feed through those parts
    return Booking.filter(user_id=user.id, origin=Origin.MEMBER, ends_at__gt=since).exclude(status=Status.REJECTED)


async def personal_items(user: Any, base_url: str) -> list[FeedItem]:
    """My bookings: pending ones as TENTATIVE, cancellations of the last 30 days kept."""
    since = clock.now() - calendar.KEEP_CANCELLED
    host = base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return [
        FeedItem(
            uid=f"booking-{row['id']}@{host}",
            summary=f"{row['room__name']} — {row['purpose']}",
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            timezone=row["room__timezone"],
            sequence=row["sequence"],
            last_modified=row["updated_at"],
            status=ICAL_STATUS[row["status"]],
            url=base_url + booking_path(row["id"]),
            location=row["room__name"],
        )
        for row in await _mine(user, since).order_by("starts_at", "id").values(*FIELDS)
    ]


_VERSION = """
SELECT count(*), max(updated_at), sum(sequence) FROM bookings_booking
WHERE user_id = $1 AND origin = $2 AND ends_at > $3 AND status <> $4
"""


async def personal_version(user: Any) -> tuple:
    """Changes whenever my items change: every change of a booking bumps its sequence
    (some are bulk updates that leave ``updated_at`` alone, so the sum is counted too).
    The same rows as :func:`_mine`, in one prepared query (asked at every feed request)."""
    since = clock.now() - calendar.KEEP_CANCELLED
    (row,) = await db.rows(_VERSION, [user.id, Origin.MEMBER.value, since, Status.REJECTED.value])
    return tuple(map(str, row))
