"""The help desk's pages: find a slot, book it (signing up on the way when needed), my
appointments, the helper's agenda and hours, the coordinators' week. No JavaScript needed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from accounts import services as accounts
from helpdesk import desk_routes, pages, permissions, services
from helpdesk.forms import (
    FORMAT_LABELS,
    AppointmentCreate,
    AppointmentMove,
    FollowUp,
    Outcome,
    WaitJoin,
    language_name,
)
from helpdesk.models import Status
from skills import services as skills
from tierslieu import clock
from tierslieu.errors import DomainError, NotFound
from tierslieu.guards import client_address, current_user, optional_user, safe_next
from tierslieu.middleware import SESSION_COOKIE, cookie_header
from tierslieu.pages import form_page, see_other
from tierslieu.responses import parse, read_form
from tierslieu.templating import render
from tierslieu.urls import path_for
from tierslieu.validation import parse_day, parse_id, parse_instant

LIST_DAYS = 14


# --- finding a slot -----------------------------------------------------------------------------


async def home(request: Request) -> Response:
    user = optional_user(request)
    locale = request.state.locale
    now = clock.now()
    topic = request.query_params.get("topic", "")[:40]
    format_ = request.query_params.get("format", "")
    format_ = format_ if format_ in FORMAT_LABELS else ""
    language = request.query_params.get("language", "")[:8]
    day = parse_day(request.query_params.get("day"))
    vocabulary = await skills.vocabulary(locale)
    if topic not in dict(vocabulary):
        topic = ""
    if day is not None:
        start = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(pages.viewer_zone(request)))
        end = start + timedelta(days=1)
    else:
        start, end = now, now + timedelta(days=LIST_DAYS)
    slots = await services.free_slots(
        start, end, topic=topic or None, format=format_ or None, language=language or None
    )
    names = await pages.names(slot.helper_id for slot in slots)
    labels = await skills.labels(locale)
    context: dict[str, Any] = {
        "vocabulary": vocabulary,
        "labels": labels,
        "topic": topic,
        "format": format_,
        "language": language,
        "day": day.isoformat() if day else "",
        "days": pages.group_by_day(slots, pages.viewer_zone(request)),
        "names": names,
        "format_labels": FORMAT_LABELS,
        "languages": sorted(
            ((code, language_name(code, locale)) for code in await services.offered_languages()),
            key=lambda pair: pair[1].casefold(),
        ),
        "language_name": lambda code: language_name(code, locale),
        "book_url": pages.book_url,
        "is_helper": permissions.is_helper(user),
        "is_coordinator": permissions.is_coordinator(user),
        "waiting": await services.waiting_topics(user) if user else [],
        "upcoming": await services.upcoming_count(user) if user else 0,
    }
    return render(request, "helpdesk/home.html", context)


# --- booking ------------------------------------------------------------------------------------


async def _booking_context(request: Request, helper_id: int | None, at: datetime | None) -> dict[str, Any]:
    if helper_id is None or at is None:
        raise NotFound()
    slot = await services.find_slot(helper_id, at)
    if slot is None:
        raise NotFound()
    user = optional_user(request)
    locale = request.state.locale
    labels = await skills.labels(locale)
    movable = []
    if user is not None:
        movable = [
            row
            for row in await services.person_appointments(user)
            if row.status == Status.BOOKED
            and row.starts_at > slot.starts_at
            and services.can_change(row)
            and row.topic_id in slot.topics
        ]
    rooms = await pages.room_names() if slot.room_id else {}
    extra: dict[str, Any] = {}
    if slot.taken or slot.away or slot.starts_at <= clock.now():
        asked = request.query_params.get("topic")
        wanted = asked if asked in slot.topics else (slot.topics[0] if slot.topics else None)
        offered = await services.next_free(wanted)
        extra = {
            "next_days": pages.group_by_day(offered, pages.viewer_zone(request)),
            "names": await pages.names(s.helper_id for s in offered),
        }
    return {
        **extra,
        "book_url": pages.book_url,
        "past": slot.starts_at <= clock.now(),
        "slot": slot,
        "helper_name": (await pages.names([slot.helper_id])).get(slot.helper_id, ""),
        "topics": [(slug, labels.get(slug, slug)) for slug in slot.topics],
        "labels": labels,
        "place": rooms.get(slot.room_id, ""),
        "format_labels": FORMAT_LABELS,
        "language_name": lambda code: language_name(code, locale),
        "movable": movable,
        "here": request.url.path
        + "?"
        + urlencode(
            {"helper": slot.helper_id, "at": slot.starts_at.isoformat(), "topic": request.query_params.get("topic", "")}
        ),
        "upcoming": await services.upcoming_count(user) if user else 0,
        "limit": services.UPCOMING_LIMIT,
    }


def _id(text: Any) -> int | None:
    return parse_id(text)


async def book(request: Request) -> Response:
    """GET: the chosen slot and the booking form (with the account fields for a visitor).
    POST: checks the booking, signs the visitor up when needed (the slot travels in the
    form, so it is never lost), then books."""
    if request.method == "GET":
        params = request.query_params
        context = await _booking_context(request, _id(params.get("helper")), parse_instant(params.get("at")))
        values = {"topic": params.get("topic", "")[:40]}
        return form_page(request, "helpdesk/book.html", None, values, **context)
    values = await read_form(request)
    helper_id, at = _id(values.get("helper_id")), parse_instant(values.get("slot_starts_at"))
    context = await _booking_context(request, helper_id, at)
    slot = context["slot"]
    user = optional_user(request)
    problems: list[DomainError] = []
    data = signup = None
    try:
        data = parse(
            AppointmentCreate, {**values, "helper_id": slot.helper_id, "slot_starts_at": values.get("slot_starts_at")}
        )
    except DomainError as error:
        problems.append(error)
    if user is None:
        try:
            signup = parse(accounts.SignUp, values)
        except DomainError as error:
            problems.append(error)
    values.pop("password", None)
    if problems:
        merged = problems[0]
        for other in problems[1:]:
            merged.fields = {**other.fields, **merged.fields}
        return form_page(request, "helpdesk/book.html", merged, values, **context)
    assert data is not None
    if user is not None:
        try:
            appointment = await services.book_appointment(user, data)
        except services.SlotTaken as error:
            return form_page(
                request,
                "helpdesk/book.html",
                error,
                values,
                **{
                    **context,
                    "next_days": pages.group_by_day(error.next_slots, pages.viewer_zone(request)),
                    "names": await pages.names(slot.helper_id for slot in error.next_slots),
                },
            )
        except DomainError as error:
            return form_page(request, "helpdesk/book.html", error, values, **context)
        return see_other(path_for("helpdesk:appointment", appointment_id=appointment.id) + "?done=booked")
    # a visitor: the account first, then the booking, in the same request
    assert signup is not None
    try:
        user = await accounts.sign_up(
            signup,
            locale=request.state.locale,
            client_address=client_address(request),
            limiter=request.app.state.limiter,
        )
    except DomainError as error:
        return form_page(request, "helpdesk/book.html", error, values, **context)
    settings = request.app.state.settings
    token = await accounts.start_session(user, client_address(request), request.headers.get("user-agent", ""), settings)
    await accounts.load_roles(user)
    try:
        appointment = await services.book_appointment(user, data)
    except DomainError:
        # taken meanwhile (or another rule): back to the slot's page, signed in, which
        # says so and offers the next free slots
        response = see_other(context["here"])
    else:
        response = see_other(path_for("helpdesk:appointment", appointment_id=appointment.id) + "?done=booked")
    response.headers.append(
        "Set-Cookie",
        cookie_header(SESSION_COOKIE, token, max_age=settings.session_absolute_seconds, secure=settings.production),
    )
    return response


# --- an appointment -----------------------------------------------------------------------------


async def appointment(request: Request) -> Response:
    user = current_user(request)
    row = await services.get_appointment(user, request.path_params["appointment_id"])
    return await _appointment_page(request, user, row)


async def _appointment_page(request: Request, user, row, error: DomainError | None = None, values=None) -> Response:
    labels = await skills.labels(request.state.locale)
    rooms = await pages.room_names() if row.room_id else {}
    now = clock.now()
    context = {
        "appointment": row,
        "topic": labels.get(row.topic_id, row.topic_id),
        "place": rooms.get(row.room_id, ""),
        "format_labels": FORMAT_LABELS,
        "is_person": permissions.is_person(user, row),
        "is_helper": permissions.is_its_helper(user, row),
        "show_join_url": permissions.can_see_join_url(user, row),
        "can_cancel": permissions.can_cancel_appointment(user, row)
        and row.status == Status.BOOKED
        and row.starts_at > now,
        "late": row.starts_at - now < services.CHANGE_BEFORE,
        "can_move": permissions.can_move_appointment(user, row) and services.can_change(row, now=now),
        "can_record": permissions.can_record_outcome(user, row)
        and row.status != Status.CANCELLED
        and row.starts_at <= now,
        "can_follow_up": permissions.can_record_outcome(user, row) and row.status != Status.CANCELLED,
        "done": request.query_params.get("done", "")[:20],
    }
    return form_page(request, "helpdesk/appointment.html", error, values, **context)


async def move_page(request: Request) -> Response:
    user = current_user(request)
    row = await services.get_appointment(user, request.path_params["appointment_id"])
    if not permissions.can_move_appointment(user, row):
        raise NotFound()
    now = clock.now()
    slots = await services.free_slots(now, now + services.HORIZON, topic=row.topic_id, limit=60)
    return render(
        request,
        "helpdesk/move.html",
        {
            "appointment": row,
            "days": pages.group_by_day(slots, pages.viewer_zone(request)),
            "names": await pages.names(slot.helper_id for slot in slots),
            "can_move": services.can_change(row, now=now),
            "format_labels": FORMAT_LABELS,
        },
    )


async def action(request: Request) -> Response:
    user = current_user(request)
    appointment_id = request.path_params["appointment_id"]
    what = request.path_params["action"]
    values = await read_form(request)
    target = path_for("helpdesk:appointment", appointment_id=appointment_id)
    try:
        if what == "cancel":
            await services.cancel_appointment(user, appointment_id)
        elif what == "move":
            data = parse(
                AppointmentMove, {"helper_id": values.get("helper_id"), "slot_starts_at": values.get("slot_starts_at")}
            )
            await services.move_appointment(user, appointment_id, data)
        elif what == "outcome":
            await services.record_outcome(user, appointment_id, parse(Outcome, values).outcome)
            target = safe_next(values.get("next") if isinstance(values.get("next"), str) else None, target)
            return see_other(target)
        elif what == "follow-up":
            await services.write_follow_up(user, appointment_id, parse(FollowUp, values).follow_up)
            target = safe_next(values.get("next") if isinstance(values.get("next"), str) else None, target)
            return see_other(target)
        else:
            raise NotFound()
    except DomainError as error:
        if error.status in (401, 404):
            raise
        row = await services.get_appointment(user, appointment_id)
        return await _appointment_page(request, user, row, error, values)
    return see_other(f"{target}?done={what}")


async def _mine_page(request: Request, user, error: DomainError | None = None, values=None) -> Response:
    rows = await services.person_appointments(user)
    now = clock.now()
    return form_page(
        request,
        "helpdesk/mine.html",
        error,
        values,
        upcoming=[row for row in reversed(rows) if row.status == Status.BOOKED and row.ends_at > now],
        past=[row for row in rows if not (row.status == Status.BOOKED and row.ends_at > now)],
        labels=await skills.labels(request.state.locale),
        waiting=await services.waiting_topics(user),
        vocabulary=await skills.vocabulary(request.state.locale),
        format_labels=FORMAT_LABELS,
        done="" if error else request.query_params.get("done", "")[:20],
    )


async def mine(request: Request) -> Response:
    return await _mine_page(request, current_user(request))


async def waiting(request: Request) -> Response:
    user = current_user(request)
    values = await read_form(request)
    try:
        topic = parse(WaitJoin, values).topic
        if request.path_params["action"] == "join":
            await services.join_waiting_list(user, topic)
        elif request.path_params["action"] == "leave":
            await services.leave_waiting_list(user, topic)
        else:
            raise NotFound()
    except DomainError as error:
        if error.status == 404:
            raise
        return await _mine_page(request, user, error, values)
    done = "waiting" if request.path_params["action"] == "join" else "left"
    return see_other(path_for("helpdesk:mine") + f"?done={done}")


routes = [
    Route("/helpdesk", home, name="helpdesk:home"),
    Route("/helpdesk/book", book, methods=["GET", "POST"], name="helpdesk:book"),
    Route("/helpdesk/mine", mine, name="helpdesk:mine"),
    Route("/helpdesk/waiting/{action:str}", waiting, methods=["POST"], name="helpdesk:waiting"),
    Route("/helpdesk/appointments/{appointment_id:int}", appointment, name="helpdesk:appointment"),
    Route("/helpdesk/appointments/{appointment_id:int}/move", move_page, name="helpdesk:move"),
    Route("/helpdesk/appointments/{appointment_id:int}/{action:str}", action, methods=["POST"], name="helpdesk:action"),
    *desk_routes.routes,
]
