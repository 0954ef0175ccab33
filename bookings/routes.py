"""Room and booking pages (usable without JavaScript), the room feed, and the JSON API."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bookings import api, calendar, permissions, services
from bookings.forms import (
    DAY_PARTS,
    EQUIPMENT,
    ClosureCreate,
    FreeSlotQuery,
    LocalBooking,
    RoomCreate,
    local_range,
)
from tierslieu import clock, hours, i18n
from tierslieu.calendar import etag, ics_response
from tierslieu.errors import N_, DomainError, Forbidden, Invalid
from tierslieu.guards import current_user, safe_next
from tierslieu.i18n import localise
from tierslieu.pages import form_error, form_page, see_other
from tierslieu.responses import parse, read_form
from tierslieu.templating import render
from tierslieu.urls import path_for
from tierslieu.validation import day_field, parse_day, parse_id

ROW_MINUTES = 30


# --- rooms ----------------------------------------------------------------------------------------


async def room_list(request: Request) -> Response:
    return render(
        request,
        "bookings/rooms.html",
        {
            "rooms": await services.list_rooms(),
            "can_manage": permissions.can_manage_rooms(request.state.user),
            "equipment_labels": EQUIPMENT,
            "day_parts": DAY_PARTS,
            "values": {},
            "errors": {},
            "slots": None,
        },
    )


async def find(request: Request) -> Response:
    """The free-slot finder: a GET form, so results can be bookmarked."""
    params = request.query_params
    values: dict[str, Any] = {key: params.get(key) for key in ("people", "minutes", "date", "part")}
    values["equipment"] = params.getlist("equipment")
    context: dict[str, Any] = {
        "rooms": await services.list_rooms(),
        "can_manage": permissions.can_manage_rooms(request.state.user),
        "equipment_labels": EQUIPMENT,
        "day_parts": DAY_PARTS,
        "values": values,
        "slots": None,
    }
    if not any(values.values()):  # the finder opened without a question yet
        return render(request, "bookings/rooms.html", {**context, "errors": {}})
    try:
        query = parse(FreeSlotQuery, {k: v for k, v in values.items() if v not in (None, "")})
    except Invalid as error:
        return render(request, "bookings/rooms.html", {**context, **form_error(request, error)}, 422)
    found = await services.find_free_slots(query.people, query.minutes, query.date, query.part, query.equipment)
    slots = []
    for slot in found:
        zone = services.zone_of(slot.room)
        start, end = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
        link = path_for("bookings:book", room_id=slot.room.id)
        link += f"?date={start.date().isoformat()}&start={start:%H:%M}&end={end:%H:%M}&people={query.people}"
        slots.append({"room": slot.room, "starts_at": slot.starts_at, "ends_at": slot.ends_at, "book_url": link})
    return render(request, "bookings/rooms.html", {**context, "errors": {}, "slots": slots, "query": query})


OPENING_FIELDS = [(day, f"{day}_open", f"{day}_close") for day in hours.WEEKDAYS]


def _room_values(values: dict[str, Any]) -> dict[str, Any]:
    data = {key: value for key, value in values.items() if value != "" and not key.endswith(("_open", "_close"))}
    equipment = values.get("equipment", [])
    data["equipment"] = equipment if isinstance(equipment, list) else [equipment]
    data["requires_approval"] = values.get("requires_approval") == "on"
    data["opening_hours"] = {
        day: [[values.get(open_key), values.get(close_key)]]
        for day, open_key, close_key in OPENING_FIELDS
        if values.get(open_key) or values.get(close_key)
    }
    return data


def _room_form(request: Request, room: Any, values: dict[str, Any], error: DomainError | None = None) -> Response:
    equipment = values.get("equipment", [])
    values["equipment"] = equipment if isinstance(equipment, list) else [equipment]
    return form_page(
        request,
        "bookings/room_form.html",
        error,
        values,
        equipment_labels=EQUIPMENT,
        weekday_labels=hours.WEEKDAY_LABELS,
        opening_fields=OPENING_FIELDS,
        timezones=sorted(i18n.timezone_names()),
        room=room,
    )


async def new_room(request: Request) -> Response:
    user = current_user(request)
    if not permissions.can_manage_rooms(user):
        raise Forbidden("forbidden", N_("You may not do this."))
    if request.method == "GET":
        defaults = {f"{day}_open": "09:00" for day in hours.WEEKDAYS[:5]}
        defaults |= {f"{day}_close": "19:00" for day in hours.WEEKDAYS[:5]}
        defaults |= {"timezone": i18n.DEFAULT_TIMEZONE, "capacity": "8", "equipment": []}
        return _room_form(request, None, defaults)
    values = await read_form(request)
    try:
        room = await services.create_room(user, parse(RoomCreate, _room_values(values)))
    except DomainError as error:
        return _room_form(request, None, values, error)
    return see_other(path_for("bookings:room", room_id=room.id))


async def edit_room(request: Request) -> Response:
    user = current_user(request)
    if not permissions.can_manage_rooms(user):
        raise Forbidden("forbidden", N_("You may not do this."))
    room = await services.get_room(request.path_params["room_id"])
    if request.method == "GET":
        values: dict[str, Any] = {
            name: getattr(room, name)
            for name in RoomCreate.model_fields
            if name not in ("opening_hours", "requires_approval")
        }
        values["requires_approval"] = "on" if room.requires_approval else ""
        for day, open_key, close_key in OPENING_FIELDS:
            intervals = room.opening_hours.get(day) or [["", ""]]
            values[open_key], values[close_key] = intervals[0][0], intervals[-1][1]
        return _room_form(request, room, values)
    values = await read_form(request)
    try:
        await services.update_room(user, room.id, parse(RoomCreate, _room_values(values)))
    except DomainError as error:
        return _room_form(request, room, values, error)
    return see_other(path_for("bookings:room", room_id=room.id))


def _week_of(request: Request, room_zone: Any) -> date:
    # a week past the range (``0001-01-01``, ``9999-12-31``) is this week, as a missing one
    day = parse_day(request.query_params.get("week")) or clock.now().astimezone(room_zone).date()
    return hours.week_start(day)


def week_grid(room: Any, monday: date, found: services.Availability, now: datetime) -> dict[str, Any]:
    """Rows of local times by columns of days, each cell free, busy, closed or past."""
    zone = services.zone_of(room)
    days = [monday + timedelta(days=offset) for offset in range(7)]
    starts = [interval[0] for day_hours in room.opening_hours.values() for interval in day_hours]
    ends = [interval[1] for day_hours in room.opening_hours.values() for interval in day_hours]
    first = min(starts, default="08:00")
    last = max(ends, default="20:00")
    first_minute = int(first[:2]) * 60 // ROW_MINUTES * ROW_MINUTES
    last_minute = hours.minutes_of(last)
    rows = []
    for minute in range(first_minute, last_minute, ROW_MINUTES):
        label = f"{minute // 60:02d}:{minute % 60:02d}"
        cells = []
        for day in days:
            if minute + ROW_MINUTES > 24 * 60:
                break
            begin = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone).astimezone(UTC)
            end_minute = minute + ROW_MINUTES
            end = hours.local_instant(day, f"{end_minute // 60:02d}:{end_minute % 60:02d}", zone)
            cells.append({"day": day, "time": label, "state": _state(begin, end, found, now)})
        rows.append({"time": label, "cells": cells})
    return {"days": days, "rows": rows}


def _state(begin: datetime, end: datetime, found: services.Availability, now: datetime) -> str:
    if any(start < end and begin < finish for start, finish in found.busy):
        return "busy"
    if any(c.starts_at < end and begin < c.ends_at for c in found.closures):
        return "closed"
    if not hours.covered((begin, end), found.opening):
        return "closed"
    if end <= now:
        return "past"
    return "free"


async def room_detail(request: Request) -> Response:
    room = await services.get_room(request.path_params["room_id"])
    zone = services.zone_of(room)
    monday = _week_of(request, zone)
    week_from = hours.local_instant(monday, "00:00", zone)
    week_to = hours.local_instant(monday + timedelta(days=7), "00:00", zone)
    found = await services.availability(room, week_from, week_to)
    now = clock.now()
    user = request.state.user
    return render(
        request,
        "bookings/room.html",
        {
            "room": room,
            "grid": week_grid(room, monday, found, now),
            "monday": monday,
            "previous_week": (monday - timedelta(days=7)).isoformat(),
            "next_week": (monday + timedelta(days=7)).isoformat(),
            "closures": found.closures,
            "equipment_labels": EQUIPMENT,
            "weekday_labels": hours.WEEKDAY_LABELS,
            "can_book": permissions.can_book_room(user, room),
            "can_manage": permissions.can_manage_rooms(user),
            "zone_label": i18n.timezone_label(room.timezone, request.state.locale),
        },
    )


async def room_feed(request: Request) -> Response:
    room = await services.get_room(request.path_params["room_id"])
    bookings = await services.room_feed_bookings(room.id)
    # no names and no purposes: busy time only, labelled in the room's default language
    body = calendar.room_feed(room, bookings, i18n.gettext(i18n.DEFAULT_LOCALE, N_("Busy")))
    # the tag ignores DTSTAMP (the time of the request): an unchanged room answers 304
    return ics_response(request, body, f"room-{room.id}.ics", tag=etag(_strip_stamps(body)))


def _strip_stamps(body: bytes) -> bytes:
    return b"\n".join(line for line in body.splitlines() if not line.startswith(b"DTSTAMP"))


# --- booking a room --------------------------------------------------------------------------------


async def book(request: Request) -> Response:
    """One form for a single booking and a recurring one: with weekdays, a preview step
    lists every occurrence (conflicts and closures marked), then a confirmation."""
    user = current_user(request)
    room = await services.get_room(request.path_params["room_id"])
    if not permissions.can_book_room(user, room):
        raise Forbidden("forbidden", N_("You may not book this room."))
    context: dict[str, Any] = {
        "room": room,
        "weekday_labels": hours.WEEKDAY_LABELS,
        "zone_label": i18n.timezone_label(room.timezone, request.state.locale),
    }
    if request.method == "GET":
        query = request.query_params
        values = {
            "date": query.get("date", ""),
            "start": query.get("start", ""),
            "end": query.get("end", ""),
            "people": query.get("people", "1"),
            "weekdays": [],
        }
        return form_page(request, "bookings/book.html", None, values, **context)
    values = await read_form(request)
    weekdays = values.get("weekdays") or []
    values["weekdays"] = weekdays if isinstance(weekdays, list) else [weekdays]
    step = values.pop("step", "preview")
    try:
        data = parse(LocalBooking, {k: v for k, v in values.items() if v not in ("", [])})
        if not data.weekdays:
            starts_at, ends_at = local_range(data.date, data.start, data.end, services.zone_of(room))
            booking = await services.create_booking(user, room.id, starts_at, ends_at, data.purpose, data.people)
            return see_other(path_for("bookings:detail", booking_id=booking.id) + "?done=booked")
        if step != "confirm":
            occurrences = await services.preview_series(
                user, room, data.weekdays, data.start, data.end, data.date, data.weeks, data.until, data.people
            )
            rows = [
                {
                    "day": item.day,
                    "starts_at": item.starts_at,
                    "ends_at": item.ends_at,
                    "free": item.free,
                    "conflict": item.conflict,
                    "messages": [localise(request.state.locale, text) for text in item.problems.values()],
                }
                for item in occurrences
            ]
            return render(request, "bookings/preview.html", {**context, "values": values, "occurrences": rows})
        skip = values.get("skip") or []
        skip_dates = [day_field(item, "skip") for item in (skip if isinstance(skip, list) else [skip])]
        _series, created, _skipped = await services.create_series(
            user,
            room.id,
            data.weekdays,
            data.start,
            data.end,
            data.date,
            data.weeks,
            data.until,
            data.purpose,
            data.people,
            skip_dates,
        )
    except DomainError as error:
        # the rules name instants (starts_at, ends_at); the form asks for a day and times
        error.fields = {FORM_FIELDS.get(name, name): text for name, text in error.fields.items()}
        if error.code == "booking_overlap" and not values["weekdays"]:
            slots = await services.alternatives(room, data.people, starts_at, ends_at)
            context["alternatives"] = [(slot, _book_link(slot, data.people)) for slot in slots]
        return form_page(request, "bookings/book.html", error, values, **context)
    return see_other(path_for("bookings:detail", booking_id=created[0].id) + "?done=series")


FORM_FIELDS = {"starts_at": "start", "ends_at": "end"}


def _book_link(slot: services.Slot, people: int) -> str:
    """The booking form filled in for ``slot`` (day and times in the room's zone)."""
    zone = services.zone_of(slot.room)
    starts, ends = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
    query = urlencode(
        {"date": starts.date().isoformat(), "start": f"{starts:%H:%M}", "end": f"{ends:%H:%M}", "people": people}
    )
    return path_for("bookings:book", room_id=slot.room.id) + "?" + query


# --- my bookings, one booking, the managers' desk ---------------------------------------------------


async def my_bookings(request: Request) -> Response:
    user = current_user(request)
    return render(
        request,
        "bookings/mine.html",
        {"bookings": await services.user_bookings(user), "can_manage": permissions.is_manager(user)},
    )


async def booking_detail(request: Request) -> Response:
    user = current_user(request)
    booking = await services.get_booking(user, request.path_params["booking_id"])
    await booking.fetch_related("user")
    now = clock.now()
    return render(
        request,
        "bookings/detail.html",
        {
            "booking": booking,
            "room": booking.room,
            "done": request.query_params.get("done"),
            "can_cancel": permissions.can_cancel_booking(user, booking),
            "can_decide": permissions.can_decide_booking(user, booking),
            "can_check_in": permissions.can_check_in(user, booking)
            and booking.starts_at - services.CHECKIN_BEFORE <= now < booking.ends_at,
            "is_manager": permissions.is_manager(user),
            "is_owner": permissions.is_owner(user, booking),
        },
    )


async def booking_action(request: Request) -> Response:
    user = current_user(request)
    booking_id = request.path_params["booking_id"]
    action = request.path_params["action"]
    values = await read_form(request)
    if action == "cancel":
        await services.cancel_booking(user, booking_id)
    elif action == "cancel-rest":
        await services.cancel_series_from(user, booking_id)
    elif action == "add-date":
        day = day_field(values.get("date"), "date")
        added = await services.add_date(user, booking_id, day)
        return see_other(path_for("bookings:detail", booking_id=added.id) + "?done=booked")
    elif action == "checkin":
        await services.check_in(user, booking_id)
    elif action in ("approve", "reject"):
        message = str(values.get("message", ""))[:1000]
        await services.decide_booking(user, booking_id, action == "approve", message)
    else:
        raise Invalid("invalid", N_("Some fields are missing or invalid."))
    target = safe_next(values.get("next") if isinstance(values.get("next"), str) else None, "")
    return see_other(target or path_for("bookings:detail", booking_id=booking_id) + f"?done={action}")


async def _desk(request: Request, user: Any, values: dict[str, Any], error: DomainError | None = None) -> Response:
    """The managers' page: pending requests, the desk, closures (and the closure form)."""
    return form_page(
        request,
        "bookings/manage.html",
        error,
        values,
        pending=await services.pending_bookings(user),
        desk=await services.desk_bookings(user),
        closures=await services.upcoming_closures(),
        rooms=await services.list_rooms(),
    )


async def manage(request: Request) -> Response:
    user = current_user(request)
    if not permissions.is_manager(user):
        raise Forbidden("forbidden", N_("You may not do this."))
    return await _desk(request, user, {})


async def add_closure(request: Request) -> Response:
    user = current_user(request)
    values = await read_form(request)
    try:
        room_id = parse_id(values.get("room_id"))
        if values.get("room_id") and room_id is None:  # no room is every room: a wrong one is not
            fields = {"room_id": N_("This value is not valid.")}
            raise Invalid("invalid", N_("Some fields are missing or invalid."), fields=fields)
        zone = services.zone_of(await services.get_room(room_id)) if room_id else i18n.zone(None)
        raw = {
            "room_id": room_id,
            "reason": values.get("reason", ""),
            "starts_at": _local_date(values, "first_day", "00:00", zone, 0),
            "ends_at": _local_date(values, "last_day", "00:00", zone, 1),
        }
        await services.add_closure(user, parse(ClosureCreate, raw))
    except DomainError as error:
        return await _desk(request, user, values, error)
    return see_other(path_for("bookings:manage") + "?done=closure")


def _local_date(values: dict, name: str, hhmm: str, zone: Any, extra_days: int) -> str:
    day = day_field(values.get(name), name)
    return hours.local_instant(day + timedelta(days=extra_days), hhmm, zone).isoformat()


async def delete_closure(request: Request) -> Response:
    await services.delete_closure(current_user(request), request.path_params["closure_id"])
    return see_other(path_for("bookings:manage") + "?done=closure_deleted")


routes = [
    Route("/rooms", room_list, name="bookings:rooms"),
    Route("/rooms/find", find, name="bookings:find"),
    Route("/rooms/new", new_room, methods=["GET", "POST"], name="bookings:new_room"),
    Route("/rooms/{room_id:int}", room_detail, name="bookings:room"),
    Route("/rooms/{room_id:int}.ics", room_feed, name="bookings:feed"),
    Route("/rooms/{room_id:int}/edit", edit_room, methods=["GET", "POST"], name="bookings:edit_room"),
    Route("/rooms/{room_id:int}/book", book, methods=["GET", "POST"], name="bookings:book"),
    Route("/bookings", my_bookings, name="bookings:mine"),
    Route("/bookings/manage", manage, name="bookings:manage"),
    Route("/bookings/closures", add_closure, methods=["POST"], name="bookings:add_closure"),
    Route(
        "/bookings/closures/{closure_id:int}/delete", delete_closure, methods=["POST"], name="bookings:delete_closure"
    ),
    Route("/bookings/{booking_id:int}", booking_detail, name="bookings:detail"),
    Route("/bookings/{booking_id:int}/{action:str}", booking_action, methods=["POST"], name="bookings:action"),
]
api_routes = api.routes
