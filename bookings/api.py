"""The rooms and bookings part of the JSON API (/api/v1/rooms, /api/v1/bookings)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from bookings import services
from bookings.forms import BookingCreate, ClosureCreate, Decision, RoomCreate, SeriesCreate, time_window
from bookings.models import Booking, Room
from tierslieu.guards import current_user
from tierslieu.openapi import api
from tierslieu.responses import JSONResponse, read_json, rfc3339
from tierslieu.urls import path_for


class RoomOut(BaseModel):
    id: int
    name: str
    description: str
    capacity: int
    equipment: list[str]
    accessibility: str
    timezone: str
    opening_hours: dict[str, list[list[str]]]
    granularity_minutes: int
    min_minutes: int
    max_minutes: int
    max_advance_days: int
    weekly_quota_minutes: int
    requires_approval: bool
    allowed_role: str
    checkin_grace_minutes: int
    url: str
    ics_url: str


class RoomsOut(BaseModel):
    items: list[RoomOut]


class Interval(BaseModel):
    starts_at: str
    ends_at: str


class AvailabilityOut(BaseModel):
    busy: list[Interval]
    free: list[Interval]


class BookingOut(BaseModel):
    id: int
    status: str
    room_id: int
    starts_at: str
    ends_at: str
    purpose: str
    people: int
    series_id: int | None
    checked_in_at: str | None
    url: str


class SeriesOut(BaseModel):
    id: int
    items: list[BookingOut]
    skipped: list[date]


class ClosureOut(BaseModel):
    id: int
    room_id: int | None
    starts_at: str
    ends_at: str
    reason: str


def room_out(request: Request, room: Room) -> dict:
    base = request.app.state.settings.base_url
    return RoomOut(
        url=base + path_for("bookings:room", room_id=room.id),
        ics_url=base + path_for("bookings:feed", room_id=room.id),
        **{name: getattr(room, name) for name in RoomOut.model_fields if name not in ("url", "ics_url")},
    ).model_dump()


_DETAIL_PREFIXES: dict[tuple[int, str], str] = {}


def detail_path(request: Request, booking_id: int) -> str:
    """``path_for("bookings:detail", ...)`` without searching the routes on every
    booking (the path is a fixed prefix, then the id)."""
    key = (id(request.app.router), request.scope.get("root_path", ""))
    prefix = _DETAIL_PREFIXES.get(key)
    if prefix is None:
        prefix = _DETAIL_PREFIXES[key] = path_for("bookings:detail", booking_id=0).removesuffix("0")
    return prefix + str(booking_id)


def booking_out(request: Request, booking: Booking) -> dict:
    base = request.app.state.settings.base_url
    return BookingOut(
        id=booking.id,
        status=str(booking.status),
        room_id=booking.room_id,
        starts_at=rfc3339(booking.starts_at),
        ends_at=rfc3339(booking.ends_at),
        purpose=booking.purpose,
        people=booking.people,
        series_id=booking.series_id,
        checked_in_at=rfc3339(booking.checked_in_at) if booking.checked_in_at else None,
        url=base + detail_path(request, booking.id),
    ).model_dump()


@api("/rooms", "GET", summary="The rooms of the space", responses={200: RoomsOut})
async def list_rooms(request: Request) -> Response:
    return JSONResponse({"items": [room_out(request, room) for room in await services.list_rooms()]})


@api(
    "/rooms",
    "POST",
    summary="Add a room",
    access="space manager",
    body=RoomCreate,
    responses={201: RoomOut},
    errors=(409,),
)
async def create_room(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, RoomCreate)
    room = await services.create_room(user, data)
    return JSONResponse(room_out(request, room), status_code=201)


@api(
    "/rooms/{room_id:int}",
    "PUT",
    summary="Change a room (the full set of settings, as for POST /rooms)",
    access="space manager",
    body=RoomCreate,
    responses={200: RoomOut},
    errors=(404, 409),
)
async def update_room(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, RoomCreate)
    room = await services.update_room(user, request.path_params["room_id"], data)
    return JSONResponse(room_out(request, room))


@api("/rooms/{room_id:int}", "GET", summary="One room", responses={200: RoomOut}, errors=(404,))
async def get_room(request: Request) -> Response:
    room = await services.get_room(request.path_params["room_id"])
    return JSONResponse(room_out(request, room))


@api(
    "/rooms/{room_id:int}/availability",
    "GET",
    summary="Busy and free times of a room (at most 31 days)",
    responses={200: AvailabilityOut},
    errors=(404,),
    query={"from": "RFC 3339 date-time with an offset", "to": "RFC 3339 date-time with an offset"},
)
async def availability(request: Request) -> Response:
    room = await services.get_room(request.path_params["room_id"])
    starts_at, ends_at = time_window(request.query_params.get("from"), request.query_params.get("to"))
    found = await services.availability(room, starts_at, ends_at)
    # instants in UTC, written by JSONResponse (a few hundred in a busy week)
    return JSONResponse(
        {
            "busy": [{"starts_at": start, "ends_at": end} for start, end in found.busy],
            "free": [{"starts_at": start, "ends_at": end} for start, end in found.free],
        }
    )


@api(
    "/bookings",
    "POST",
    summary="Book a room (pending when the room needs approval)",
    access="member",
    body=BookingCreate,
    responses={201: BookingOut},
    errors=(404, 409),
)
async def create_booking(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, BookingCreate)
    booking = await services.create_booking(user, data.room_id, data.starts_at, data.ends_at, data.purpose, data.people)
    return JSONResponse(booking_out(request, booking), status_code=201)


@api(
    "/bookings/series",
    "POST",
    summary="Book a room on chosen weekdays, week after week (all or nothing, except skip_dates)",
    access="member",
    body=SeriesCreate,
    responses={201: SeriesOut},
    errors=(404, 409),
)
async def create_series(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, SeriesCreate)
    series, created, skipped = await services.create_series(
        user,
        data.room_id,
        data.weekdays,
        data.start,
        data.end,
        data.first_date,
        data.weeks,
        data.until,
        data.purpose,
        data.people,
        data.skip_dates,
    )
    return JSONResponse(
        {
            "id": series.id,
            "items": [booking_out(request, booking) for booking in created],
            "skipped": [item.day.isoformat() for item in skipped],
        },
        status_code=201,
    )


@api(
    "/bookings/{booking_id:int}",
    "GET",
    summary="One booking",
    access="owner or space manager",
    responses={200: BookingOut},
    errors=(404,),
)
async def get_booking(request: Request) -> Response:
    booking = await services.get_booking(current_user(request), request.path_params["booking_id"])
    return JSONResponse(booking_out(request, booking))


@api(
    "/bookings/{booking_id:int}",
    "DELETE",
    summary="Cancel a booking",
    access="owner or space manager",
    responses={204: None},
    errors=(404, 409),
)
async def cancel_booking(request: Request) -> Response:
    await services.cancel_booking(current_user(request), request.path_params["booking_id"])
    return Response(status_code=204)


@api(
    "/bookings/{booking_id:int}/decision",
    "POST",
    summary="Approve or reject a pending booking",
    access="space manager",
    body=Decision,
    responses={200: BookingOut},
    errors=(404, 409),
)
async def decide(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, Decision)
    booking = await services.decide_booking(user, request.path_params["booking_id"], data.approve, data.message)
    return JSONResponse(booking_out(request, booking))


@api(
    "/bookings/{booking_id:int}/checkin",
    "POST",
    summary="Check in (from 15 minutes before the start)",
    access="owner or space manager",
    responses={200: BookingOut},
    errors=(404, 409),
)
async def check_in(request: Request) -> Response:
    booking = await services.check_in(current_user(request), request.path_params["booking_id"])
    return JSONResponse(booking_out(request, booking))


@api(
    "/closures",
    "POST",
    summary="Close the whole site (no room_id) or one room",
    access="space manager",
    body=ClosureCreate,
    responses={201: ClosureOut},
    errors=(404,),
)
async def add_closure(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, ClosureCreate)
    closure = await services.add_closure(user, data)
    return JSONResponse(
        ClosureOut(
            id=closure.id,
            room_id=closure.room_id,
            starts_at=rfc3339(closure.starts_at),
            ends_at=rfc3339(closure.ends_at),
            reason=closure.reason,
        ).model_dump(),
        status_code=201,
    )


routes = [
    list_rooms,
    create_room,
    get_room,
    update_room,
    availability,
    create_booking,
    create_series,
    get_booking,
    cancel_booking,
    decide,
    check_in,
    add_closure,
]
