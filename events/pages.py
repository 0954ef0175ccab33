"""The facilitators' pages: plan an event (a form in the event's local time, so a time
skipped or repeated by a DST change is refused), change it, cancel it, and edit its
programme. Everything goes through the same services as the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from bookings import services as bookings
from events import permissions, services
from events.forms import EventChange, EventCreate, SessionCreate, local_instant
from events.labels import KIND_LABELS, LANGUAGE_LABELS, MODE_LABELS
from events.models import Kind, Language, Mode
from tierslieu import i18n
from tierslieu.errors import N_, DomainError, Forbidden, Invalid
from tierslieu.guards import current_user
from tierslieu.pages import form_page, see_other
from tierslieu.responses import parse, read_form
from tierslieu.urls import path_for
from tierslieu.validation import parse_day

ZONES = ("Europe/Paris", "Europe/Brussels", "Europe/Zurich", "Africa/Dakar", "Africa/Abidjan", "Africa/Douala")


def _local(values: dict[str, Any], name: str, zone: str) -> str:
    """A ``datetime-local`` field ("2026-12-03T09:00") read in the event's zone, as RFC 3339."""
    raw = str(values.get(name, ""))
    day, _, hhmm = raw.partition("T")
    parsed = parse_day(day)
    if parsed is None:
        raise Invalid(
            "invalid",
            N_("Some fields are missing or invalid."),
            fields={name: N_("A date and a time are expected here.")},
        )
    return local_instant(parsed, hhmm[:5], zone).isoformat()


def _zone(values: dict[str, Any]) -> str:
    zone = str(values.get("timezone") or "")
    if not i18n.is_timezone(zone):
        raise Invalid(
            "invalid",
            N_("Some fields are missing or invalid."),
            fields={"timezone": N_("Choose a time zone from the list, like Europe/Paris or Africa/Dakar.")},
        )
    return zone


def _form(
    request: Request, template: str, values: dict[str, Any], error: DomainError | None, **context: Any
) -> Response:
    """The planning form ``template``, with the rooms for its select and the labels."""
    return form_page(
        request,
        template,
        error,
        values,
        kind_labels=KIND_LABELS,
        mode_labels=MODE_LABELS,
        language_labels=LANGUAGE_LABELS,
        zones=ZONES,
        **context,
    )


async def new_event(request: Request) -> Response:
    user = current_user(request)
    if not permissions.can_create_event(user):
        raise Forbidden("forbidden", N_("You may not do this."))
    rooms = await bookings.list_rooms()
    values: dict[str, Any] = {"timezone": request.state.timezone, "kind": Kind.WEBINAR, "mode": Mode.ONLINE}
    if request.method == "POST":
        values = await read_form(request)
        try:
            zone = _zone(values)
            raw = {
                "title": values.get("title", ""),
                "kind": values.get("kind"),
                "mode": values.get("mode"),
                "language": values.get("language") or Language.FR,
                "description": values.get("description", ""),
                "timezone": zone,
                "starts_at": _local(values, "starts_at", zone),
                "ends_at": _local(values, "ends_at", zone),
                "capacity": values.get("capacity"),
                "online_capacity": values.get("online_capacity") or 0,
                "room_id": values.get("room_id") or None,
                "join_url": values.get("join_url", ""),
                "status": values.get("status") or "published",
            }
            event = await services.create_event(user, parse(EventCreate, raw))
        except DomainError as error:
            if error.status not in (404, 409, 422):
                raise
            return _form(request, "events/new.html", values, error, rooms=rooms)
        return see_other(path_for("events:edit", event_id=event.id) + "?done=created")
    return _form(request, "events/new.html", values, None, rooms=rooms)


def _wall(instant: datetime, zone: str) -> str:
    """An instant as a ``datetime-local`` value in ``zone`` ("2026-12-03T09:00")."""
    return instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


async def edit_event(request: Request, error: DomainError | None = None, values: dict | None = None) -> Response:
    user = current_user(request)
    event = await services.managed_event(user, request.path_params["event_id"])
    current = {
        "starts_at": _wall(event.starts_at, event.timezone),
        "ends_at": _wall(event.ends_at, event.timezone),
        "timezone": event.timezone,
        "mode": str(event.mode),
        "room_id": str(event.room_id or ""),
    }
    return _form(
        request,
        "events/edit.html",
        {**current, **(values or {})},
        error,
        event=event,
        sessions=await services.sessions_of(event),
        rooms=await bookings.list_rooms(),
        zone_label=i18n.timezone_label(event.timezone, request.state.locale),
        done=request.query_params.get("done"),
    )


async def change_event(request: Request) -> Response:
    user = current_user(request)
    event_id = request.path_params["event_id"]
    values = await read_form(request)
    try:
        action = values.get("action")
        if action == "cancel":
            await services.cancel_event(user, event_id)
        else:
            data = {
                key: values[key]
                for key in ("title", "description", "capacity", "online_capacity", "join_url", "status", "mode")
                if values.get(key) not in (None, "")
            }
            if "description" in values:
                data["description"] = values["description"]
            if "timezone" in values:  # the reschedule fields: times read in the zone given
                zone = data["timezone"] = _zone(values)
                data["starts_at"] = _local(values, "starts_at", zone)
                data["ends_at"] = _local(values, "ends_at", zone)
            if "room_id" in values:
                data["room_id"] = values.get("room_id") or 0
            await services.change_event(user, event_id, parse(EventChange, data))
    except DomainError as error:
        if error.status not in (409, 422):
            raise
        return await edit_event(request, error, values)
    return see_other(path_for("events:edit", event_id=event_id) + "?done=changed")


async def add_session(request: Request) -> Response:
    user = current_user(request)
    event_id = request.path_params["event_id"]
    event = await services.managed_event(user, event_id)
    values = await read_form(request)
    try:
        raw = {
            "title": values.get("session_title", ""),
            "speaker": values.get("speaker", ""),
            "starts_at": _local(values, "session_starts_at", event.timezone),
            "ends_at": _local(values, "session_ends_at", event.timezone),
            "room_id": values.get("session_room_id") or values.get("room_id") or None,
        }
        await services.add_session(user, event_id, parse(SessionCreate, raw))
    except DomainError as error:
        if error.status not in (404, 409, 422):
            raise
        # the session form's fields are prefixed: its messages go under them
        renamed = {"title": "session_title", "starts_at": "session_starts_at", "ends_at": "session_ends_at"}
        renamed["room_id"] = "session_room_id"
        error.fields = {renamed.get(name, name): text for name, text in error.fields.items()}
        return await edit_event(request, error, {key: value for key, value in values.items() if key != "room_id"})
    return see_other(path_for("events:edit", event_id=event_id) + "?done=session")


async def remove_session(request: Request) -> Response:
    user = current_user(request)
    event_id = request.path_params["event_id"]
    await read_form(request)
    await services.remove_session(user, event_id, request.path_params["session_id"])
    return see_other(path_for("events:edit", event_id=event_id) + "?done=session_removed")
