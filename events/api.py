"""The events part of the JSON API (/api/v1/events)."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from events import permissions, services
from events.forms import AttendanceCreate, EventChange, EventCreate, RegistrationCreate, SeriesCreate
from events.models import Event, Kind
from tierslieu.guards import current_user, optional_user
from tierslieu.openapi import api
from tierslieu.responses import JSONResponse, parse, read_json, rfc3339
from tierslieu.urls import path_for
from tierslieu.validation import QueryText


class EventQuery(BaseModel):
    limit: int = Field(default=services.PAGE_SIZE, ge=1, le=services.MAX_PAGE)
    cursor: QueryText(200) | None = None
    kind: Kind | None = None


class EventCreated(BaseModel):
    id: int
    url: str
    ics_url: str


class SeriesCreated(BaseModel):
    items: list[EventCreated]


class SessionOut(BaseModel):
    id: int
    title: str
    speaker: str
    starts_at: str
    ends_at: str
    room_id: int | None


class EventOut(BaseModel):
    id: int
    title: str
    kind: str
    mode: str
    language: str
    status: str
    timezone: str
    starts_at: str
    ends_at: str
    capacity: int
    online_capacity: int
    seats_left: int
    registration_opens_at: str
    registration_closes_at: str
    room_id: int | None
    url: str
    ics_url: str


class EventDetail(EventOut):
    description: str
    sessions: list[SessionOut]
    waiting: int
    join_url: str | None


class EventPage(BaseModel):
    items: list[EventOut]
    next_cursor: str | None


class RegistrationOut(BaseModel):
    status: str
    position: int | None


class RegistrantOut(BaseModel):
    user_id: int
    display_name: str
    status: str
    place: str
    position: int | None


class RegistrantsOut(BaseModel):
    items: list[RegistrantOut]


class AttendanceOut(BaseModel):
    user_id: int
    session_id: int | None
    checked_at: str


def _urls(request: Request, event: Event) -> dict[str, str]:
    base = request.app.state.settings.base_url
    return {
        "url": base + path_for("events:detail", event_id=event.id),
        "ics_url": base + path_for("events:feed", event_id=event.id),
    }


def event_out(request: Request, event: Event) -> dict:
    return EventOut(
        id=event.id,
        title=event.title,
        kind=str(event.kind),
        mode=str(event.mode),
        language=str(event.language),
        status=str(event.status),
        timezone=event.timezone,
        starts_at=rfc3339(event.starts_at),
        ends_at=rfc3339(event.ends_at),
        capacity=event.capacity,
        online_capacity=event.online_capacity,
        seats_left=services.seats_left(event, services.place_for(event)),
        registration_opens_at=rfc3339(event.registration_opens_at),
        registration_closes_at=rfc3339(event.registration_closes_at),
        room_id=event.room_id,
        **_urls(request, event),
    ).model_dump()


@api(
    "/events",
    "GET",
    summary="Published events by start, paginated",
    responses={200: EventPage},
    query={"limit": "at most 100 (20 by default)", "cursor": "next_cursor of the previous page", "kind": "a kind"},
)
async def list_events(request: Request) -> Response:
    params = parse(EventQuery, dict(request.query_params))
    rows, cursor = await services.published_events(limit=params.limit, cursor=params.cursor, kind=params.kind)
    return JSONResponse({"items": [event_out(request, row) for row in rows], "next_cursor": cursor})


@api(
    "/events",
    "POST",
    summary="Plan an event and its programme (on-site sessions book their rooms)",
    access="facilitator",
    body=EventCreate,
    responses={201: EventCreated},
    errors=(404, 409),
)
async def create_event(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, EventCreate)
    event = await services.create_event(user, data)
    return JSONResponse({"id": event.id, **_urls(request, event)}, status_code=201)


@api(
    "/events/series",
    "POST",
    summary="Plan a weekly series: one event per week at the same local time (DST included)",
    access="facilitator",
    body=SeriesCreate,
    responses={201: SeriesCreated},
    errors=(404, 409),
)
async def create_series(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, SeriesCreate)
    events = await services.create_series(user, data)
    return JSONResponse({"items": [{"id": event.id, **_urls(request, event)} for event in events]}, status_code=201)


@api(
    "/events/{event_id:int}", "GET", summary="One event with its programme", responses={200: EventDetail}, errors=(404,)
)
async def event_detail(request: Request) -> Response:
    user = optional_user(request)
    event = await services.get_event(user, request.path_params["event_id"])
    registration = await services.registration_of(user, event)
    sessions = await services.sessions_of(event)
    body = EventDetail(
        **event_out(request, event),
        description=event.description,
        waiting=await services.waiting_count(event),
        join_url=event.join_url if permissions.can_see_join_link(user, event, registration) else None,
        sessions=[
            SessionOut(
                id=row.id,
                title=row.title,
                speaker=row.speaker,
                starts_at=rfc3339(row.starts_at),
                ends_at=rfc3339(row.ends_at),
                room_id=row.room_id,
            )
            for row in sessions
        ],
    )
    return JSONResponse(body.model_dump())


@api(
    "/events/{event_id:int}",
    "PATCH",
    summary="Change an event (a higher capacity promotes waiting people; status cancelled cancels it)",
    access="facilitators of the event",
    body=EventChange,
    responses={200: EventOut},
    errors=(404, 409),
)
async def change_event(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, EventChange)
    event = await services.change_event(user, request.path_params["event_id"], data)
    return JSONResponse(event_out(request, event))


@api(
    "/events/{event_id:int}/registrations",
    "POST",
    summary="Register: a confirmed place, or a place in the waiting list",
    access="member",
    responses={201: RegistrationOut},
    errors=(404, 409),
)
async def register(request: Request) -> Response:
    user = current_user(request)
    body = await request.body()
    data = await read_json(request, RegistrationCreate) if body.strip() else RegistrationCreate()
    registration = await services.register(user, request.path_params["event_id"], data.place)
    return JSONResponse(
        {"status": str(registration.status), "position": registration.position},  # type: ignore[attr-defined]
        status_code=201,
    )


@api(
    "/events/{event_id:int}/registrations/me",
    "DELETE",
    summary="Cancel my registration; the first waiting person is promoted",
    access="the registrant",
    responses={204: None},
    errors=(404,),
)
async def cancel_registration(request: Request) -> Response:
    user = current_user(request)
    await services.cancel_registration(user, request.path_params["event_id"])
    return Response(status_code=204)


@api(
    "/events/{event_id:int}/registrations",
    "GET",
    summary="The registrants: confirmed, then the waiting list in order",
    access="facilitators of the event",
    responses={200: RegistrantsOut},
    errors=(404,),
)
async def list_registrations(request: Request) -> Response:
    user = current_user(request)
    _, rows = await services.registrants(user, request.path_params["event_id"])
    items = [
        RegistrantOut(
            user_id=row.user_id,
            display_name=row.user.display_name,
            status=str(row.status),
            place=str(row.place),
            position=row.position,  # type: ignore[attr-defined]
        ).model_dump()
        for row in rows
    ]
    return JSONResponse({"items": items})


@api(
    "/events/{event_id:int}/attendance",
    "POST",
    summary="Check a confirmed registrant in (for a session, or the whole event)",
    access="facilitators of the event",
    body=AttendanceCreate,
    responses={200: AttendanceOut},
    errors=(404,),
)
async def record_attendance(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, AttendanceCreate)
    row = await services.record_attendance(user, request.path_params["event_id"], data.user_id, data.session_id)
    return JSONResponse({"user_id": row.user_id, "session_id": row.session_id, "checked_at": rfc3339(row.checked_at)})


routes = [
    list_events,
    create_event,
    create_series,
    event_detail,
    change_event,
    register,
    cancel_registration,
    list_registrations,
    record_attendance,
]
