"""The help desk's part of the JSON API (/api/v1/helpdesk/…)."""

from __future__ import annotations

import json

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from helpdesk import permissions, services
from helpdesk.calendar import appointment_path
from helpdesk.forms import (
    FORMAT_LABELS,
    AbsenceCreate,
    AppointmentCreate,
    AppointmentMove,
    FollowUp,
    HoursCreate,
    Outcome,
    slot_window,
)
from helpdesk.models import Appointment
from tierslieu import clock
from tierslieu.errors import N_, Invalid
from tierslieu.guards import current_user, id_param, text_param
from tierslieu.hours import WEEKDAYS
from tierslieu.openapi import api
from tierslieu.responses import JSONResponse, error_response, read_json, rfc3339


class SlotOut(BaseModel):
    helper_id: int
    starts_at: str
    ends_at: str
    format: str
    topics: list[str]
    languages: list[str]


class SlotsOut(BaseModel):
    items: list[SlotOut]


class HoursOut(BaseModel):
    id: int
    helper_id: int
    weekday: str | None
    on_date: str | None
    starts: str
    ends: str
    timezone: str
    format: str
    slot_minutes: int
    buffer_minutes: int
    topics: list[str]
    languages: list[str]
    room_id: int | None


class HoursListOut(BaseModel):
    items: list[HoursOut]


class AppointmentOut(BaseModel):
    id: int
    helper_id: int
    person_id: int
    topic: str
    starts_at: str
    ends_at: str
    format: str
    status: str
    need: str
    follow_up: str
    join_url: str | None
    room_id: int | None
    url: str


class AppointmentsOut(BaseModel):
    items: list[AppointmentOut]


class Created(BaseModel):
    id: int


class TakenOut(BaseModel):
    error: dict
    next_slots: list[SlotOut]



def slot_out(slot: services.Slot) -> dict:
    return {
        "helper_id": slot.helper_id,
        "starts_at": rfc3339(slot.starts_at),
        "ends_at": rfc3339(slot.ends_at),
        "format": slot.format,
        "topics": list(slot.topics),
        "languages": list(slot.languages),
    }


def hours_out(hours, topics: list[str]) -> dict:
    return HoursOut(
        id=hours.id,
        helper_id=hours.helper_id,
        weekday=WEEKDAYS[hours.weekday] if hours.weekday is not None else None,
        on_date=hours.on_date.isoformat() if hours.on_date else None,
        starts=hours.starts,
        ends=hours.ends,
        timezone=hours.timezone,
        format=str(hours.format),
        slot_minutes=hours.slot_minutes,
        buffer_minutes=hours.buffer_minutes,
        topics=topics,
        languages=hours.languages,
        room_id=hours.room_id,
    ).model_dump()


def appointment_out(request: Request, user, row: Appointment) -> dict:
    return AppointmentOut(
        id=row.id,
        helper_id=row.helper_id,
        person_id=row.person_id,
        topic=row.topic_id,
        starts_at=rfc3339(row.starts_at),
        ends_at=rfc3339(row.ends_at),
        format=str(row.format),
        status=str(row.status),
        need=row.need,
        follow_up=row.follow_up,
        join_url=row.join_url if permissions.can_see_join_url(user, row) and row.join_url else None,
        room_id=row.room_id,
        url=request.app.state.settings.base_url + appointment_path(row.id),
    ).model_dump()


def taken_response(request: Request, error: services.SlotTaken) -> Response:
    response = error_response(request, error)
    data = json.loads(bytes(response.body))
    data["next_slots"] = [slot_out(slot) for slot in error.next_slots]
    return JSONResponse(data, status_code=409)


@api(
    "/helpdesk/hours",
    "POST",
    summary="Publish duty hours (weekly with weekday, or one-off extra hours with on_date)",
    access="helper",
    body=HoursCreate,
    responses={201: HoursOut},
    errors=(403,),
)
async def create_hours(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, HoursCreate)
    hours = await services.create_hours(user, data)
    topics = (await services.hours_topics([hours.id]))[hours.id]
    return JSONResponse(hours_out(hours, topics), status_code=201)


@api(
    "/helpdesk/hours",
    "GET",
    summary="Published duty hours (of one helper with helper_id)",
    responses={200: HoursListOut},
    query={"helper_id": "a helper's user id"},
)
async def list_hours(request: Request) -> Response:
    rows = await services.published_hours(id_param(request, "helper_id"))
    topics = await services.hours_topics([row.id for row in rows])
    return JSONResponse({"items": [hours_out(row, topics[row.id]) for row in rows]})


@api(
    "/helpdesk/hours/{hours_id:int}",
    "DELETE",
    summary="Stop duty hours (coming appointments are cancelled and their people told)",
    access="the helper",
    responses={204: None},
    errors=(404,),
)
async def remove_hours(request: Request) -> Response:
    await services.remove_hours(current_user(request), request.path_params["hours_id"])
    return Response(status_code=204)


@api(
    "/helpdesk/absences",
    "POST",
    summary="An absence of the helper (whole local days): its appointments are cancelled",
    access="helper",
    body=AbsenceCreate,
    responses={201: Created},
    errors=(403,),
)
async def add_absence(request: Request) -> Response:
    data = await read_json(request, AbsenceCreate)
    absence, _cancelled = await services.add_absence(current_user(request), data)
    return JSONResponse({"id": absence.id}, status_code=201)


@api(
    "/helpdesk/slots",
    "GET",
    summary="Free appointment slots (at most 62 days; by default the next 4 weeks)",
    responses={200: SlotsOut},
    query={
        "from": "RFC 3339 date-time with an offset",
        "to": "RFC 3339 date-time with an offset",
        "topic": "a skill slug",
        "format": "onsite or online",
        "language": "ISO 639-1 code",
    },
)
async def slots(request: Request) -> Response:
    start, end = slot_window(request.query_params.get("from"), request.query_params.get("to"), clock.now())
    topic = text_param(request, "topic", max_length=40) or None
    format_ = text_param(request, "format", max_length=10) or None
    if format_ is not None and format_ not in FORMAT_LABELS:
        raise Invalid(
            "invalid", N_("Some fields are missing or invalid."), fields={"format": N_("Choose onsite or online.")}
        )
    language = text_param(request, "language", max_length=8) or None
    found = await services.free_slots(start, end, topic=topic, format=format_, language=language)
    return JSONResponse({"items": [slot_out(slot) for slot in found]})


@api(
    "/helpdesk/appointments",
    "POST",
    summary="Book a free slot; 409 with next_slots when it was taken",
    access="member",
    body=AppointmentCreate,
    responses={201: Created, 409: TakenOut},
    errors=(401, 409),
)
async def book(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, AppointmentCreate)
    try:
        appointment = await services.book_appointment(user, data)
    except services.SlotTaken as error:
        return taken_response(request, error)
    return JSONResponse({"id": appointment.id}, status_code=201)


@api(
    "/helpdesk/appointments",
    "GET",
    summary="My appointments (as the person)",
    access="member",
    responses={200: AppointmentsOut},
    errors=(401,),
)
async def mine(request: Request) -> Response:
    user = current_user(request)
    rows = await services.person_appointments(user)
    return JSONResponse({"items": [appointment_out(request, user, row) for row in rows]})


@api(
    "/helpdesk/appointments/{appointment_id:int}",
    "GET",
    summary="One appointment (its need is private to the person, the helper and coordinators)",
    access="the person, the helper or a coordinator",
    responses={200: AppointmentOut},
    errors=(401, 404),
)
async def get_appointment(request: Request) -> Response:
    user = current_user(request)
    row = await services.get_appointment(user, request.path_params["appointment_id"])
    return JSONResponse(appointment_out(request, user, row))


@api(
    "/helpdesk/appointments/{appointment_id:int}",
    "DELETE",
    summary="Cancel an appointment (a late cancellation by the person is counted)",
    access="the person or the helper",
    responses={204: None},
    errors=(401, 403, 404, 409),
)
async def cancel(request: Request) -> Response:
    await services.cancel_appointment(current_user(request), request.path_params["appointment_id"])
    return Response(status_code=204)


@api(
    "/helpdesk/appointments/{appointment_id:int}/move",
    "POST",
    summary="Move my appointment to another free slot (until 2 hours before)",
    access="the person",
    body=AppointmentMove,
    responses={200: AppointmentOut, 409: TakenOut},
    errors=(401, 403, 404, 409),
)
async def move(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, AppointmentMove)
    try:
        row = await services.move_appointment(user, request.path_params["appointment_id"], data)
    except services.SlotTaken as error:
        return taken_response(request, error)
    return JSONResponse(appointment_out(request, user, row))


@api(
    "/helpdesk/appointments/{appointment_id:int}/outcome",
    "POST",
    summary="Mark an appointment done or no-show",
    access="the helper",
    body=Outcome,
    responses={200: AppointmentOut},
    errors=(401, 403, 404, 409),
)
async def outcome(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, Outcome)
    row = await services.record_outcome(user, request.path_params["appointment_id"], data.outcome)
    return JSONResponse(appointment_out(request, user, row))


@api(
    "/helpdesk/appointments/{appointment_id:int}/follow-up",
    "POST",
    summary="Write the follow-up the person reads",
    access="the helper",
    body=FollowUp,
    responses={200: AppointmentOut},
    errors=(401, 403, 404, 409),
)
async def follow_up(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, FollowUp)
    row = await services.write_follow_up(user, request.path_params["appointment_id"], data.follow_up)
    return JSONResponse(appointment_out(request, user, row))


routes = [
    create_hours,
    list_hours,
    remove_hours,
    add_absence,
    slots,
    book,
    mine,
    get_appointment,
    cancel,
    move,
    outcome,
    follow_up,
]
