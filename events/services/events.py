"""Reading events: one event as a person may see it, the published ones page by page, a
programme, the upcoming ones of the home page."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from events import permissions
from events.models import Event, EventStatus, Facilitator, Session
from tierslieu.errors import N_, Forbidden, Invalid, NotFound
from tierslieu.validation import parse_id, parse_instant

PAGE_SIZE = 20
MAX_PAGE = 100


def forbidden() -> Forbidden:
    return Forbidden("forbidden", N_("You may not do this."))


# --- reading --------------------------------------------------------------------------------------


async def attach_facilitators(*events: Event) -> None:
    """Load ``event.facilitator_ids`` (what the permission predicates read)."""
    ids = [event.id for event in events]
    rows = await Facilitator.filter(event_id__in=ids).values_list("event_id", "user_id")
    for event in events:
        event.facilitator_ids = frozenset(user_id for event_id, user_id in rows if event_id == event.id)  # type: ignore[attr-defined]


async def get_event(actor: Any, event_id: int) -> Event:
    """An event this person may see (404 otherwise), with its facilitator ids."""
    event = await Event.get_or_none(id=event_id)
    if event is None:
        raise NotFound()
    await attach_facilitators(event)
    if not permissions.can_view_event(actor, event):
        raise NotFound()
    return event


async def managed_event(actor: Any, event_id: int) -> Event:
    """An event this person runs: 404 when they may not see it, 403 when they only may see it."""
    event = await get_event(actor, event_id)
    if not permissions.can_manage_event(actor, event):
        raise forbidden()
    return event


def encode_cursor(event: Event) -> str:
    raw = json.dumps([event.starts_at.isoformat(), event.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        starts, ident = json.loads(raw)
        moment, event_id = parse_instant(starts), parse_id(str(ident))
        if moment is None or event_id is None:
            raise ValueError(raw)
        return moment, event_id
    except (ValueError, TypeError):
        raise Invalid(
            "invalid", N_("Some fields are missing or invalid."), fields={"cursor": N_("This value is not valid.")}
        ) from None


async def published_events(
    *,
    limit: int = PAGE_SIZE,
    cursor: str | None = None,
    kind: str | None = None,
    upcoming_from: datetime | None = None,
    include_cancelled: bool = False,
) -> tuple[list[Event], str | None]:
    """Published events (and cancelled ones, when asked) by start, paginated by a keyset cursor."""
    shown = [EventStatus.PUBLISHED, EventStatus.CANCELLED] if include_cancelled else [EventStatus.PUBLISHED]
    query = Event.filter(status__in=shown)
    if kind:
        query = query.filter(kind=kind)
    if upcoming_from is not None:
        query = query.filter(ends_at__gt=upcoming_from)
    if cursor:
        starts, ident = decode_cursor(cursor)
        query = query.filter(starts_at__gte=starts).exclude(starts_at=starts, id__lte=ident)
    limit = max(1, min(limit, MAX_PAGE))
    rows = await query.order_by("starts_at", "id").limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1]) if more and rows else None


async def sessions_of(event: Event) -> list[Session]:
    return await Session.filter(event_id=event.id).order_by("starts_at", "id")


# --- live ----------------------------------------------------------------------------------------


async def can_read_event(user: Any, roles: frozenset[str], ident: str) -> bool:
    """``event:{id}``: seats left and the length of the waiting list are public for an event
    anyone may see; a draft's only for those who may see the draft (its facilitators, admins),
    and an id that names no event is refused like a draft (nothing tells them apart)."""
    event_id = parse_id(ident)
    if event_id is None:
        return False
    event = await Event.get_or_none(id=event_id).only("id", "status")
    if event is None:
        return False
    if event.status != EventStatus.DRAFT:
        return True
    await attach_facilitators(event)
    return permissions.can_view_event(user, event)
