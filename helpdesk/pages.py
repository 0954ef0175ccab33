"""What the help desk's pages share: names, rooms, the viewer's zone, slot links and lists."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.requests import Request

from accounts import services as accounts
from bookings import services as bookings
from tierslieu import i18n
from tierslieu.urls import path_for


def viewer_zone(request: Request) -> str:
    return getattr(request.state, "timezone", None) or i18n.DEFAULT_TIMEZONE


async def names(user_ids: Iterable[int]) -> dict[int, str]:
    return {person.id: person.display_name for person in await accounts.active_users(sorted(set(user_ids)))}


async def room_names() -> dict[int, str]:
    return {room.id: room.name for room in await bookings.list_rooms()}


def book_url(helper_id: int, starts_at: datetime, topic: str | None) -> str:
    query = {"helper": helper_id, "at": starts_at.isoformat()}
    if topic:
        query["topic"] = topic
    return path_for("helpdesk:book") + "?" + urlencode(query)


def group_by_day(slots, zone: str) -> list[tuple[date, list]]:
    days: dict[date, list] = {}
    for slot in slots:
        days.setdefault(i18n.in_zone(slot.starts_at, ZoneInfo(slot.timezone or zone)).date(), []).append(slot)
    return sorted(days.items())
