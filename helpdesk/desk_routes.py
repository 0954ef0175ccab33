"""The help desk's pages for helpers (their day's agenda, duty hours and absences) and
coordinators (the desk's week)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bookings import services as bookings
from helpdesk import pages, permissions, services
from helpdesk.forms import FORMAT_LABELS, AbsenceCreate, HoursCreate, language_name
from skills import services as skills
from tierslieu import clock, i18n
from tierslieu.errors import DomainError, NotFound
from tierslieu.guards import current_user
from tierslieu.hours import WEEKDAY_LABELS, WEEKDAYS, week_start
from tierslieu.pages import form_page, see_other
from tierslieu.responses import parse, read_form
from tierslieu.templating import render
from tierslieu.urls import path_for
from tierslieu.validation import parse_day

# --- helpers ------------------------------------------------------------------------------------


async def agenda(request: Request) -> Response:
    user = current_user(request)
    if not permissions.can_view_agenda(user):
        raise NotFound()
    zone = ZoneInfo(user.timezone or i18n.DEFAULT_TIMEZONE)
    day = parse_day(request.query_params.get("day")) or clock.now().astimezone(zone).date()
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    rows = await services.agenda(user, start, end)
    labels = await skills.labels(request.state.locale)
    rooms = await pages.room_names()
    return render(
        request,
        "helpdesk/agenda.html",
        {
            "day": day,
            "previous": (day - timedelta(days=1)).isoformat(),
            "next": (day + timedelta(days=1)).isoformat(),
            "rows": rows,
            "labels": labels,
            "rooms": rooms,
            "format_labels": FORMAT_LABELS,
            "now": clock.now(),
            "here": f"{request.url.path}?day={day.isoformat()}",
        },
    )


async def _hours_page(request: Request, user, error: DomainError | None = None, values=None) -> Response:
    hours = await services.helper_hours(user)
    topics = await services.hours_topics([row.id for row in hours])
    labels = await skills.labels(request.state.locale)
    return form_page(
        request,
        "helpdesk/hours.html",
        error,
        values or {"timezone": user.timezone, "slot_minutes": "30", "buffer_minutes": "0", "languages": "fr"},
        hours=hours,
        topics=topics,
        labels=labels,
        vocabulary=await skills.vocabulary(request.state.locale),
        rooms=await bookings.list_rooms(),
        blocked=await services.blocked_weeks(user),
        absences=await services.helper_absences(user),
        weekdays=WEEKDAYS,
        weekday_labels=WEEKDAY_LABELS,
        format_labels=FORMAT_LABELS,
        language_name=lambda code: language_name(code, request.state.locale),
        done=request.query_params.get("done", "")[:20],
    )


def _hours_values(values: dict[str, Any], form) -> dict[str, Any]:
    data = dict(values)
    data["topics"] = form.getlist("topics")
    data["languages"] = [code for code in str(values.get("languages", "")).replace(",", " ").split() if code]
    for name in ("weekday", "on_date", "room_id"):
        if not data.get(name):
            data[name] = None
    if data.get("kind") == "extra":
        data["weekday"] = None
    else:
        data["on_date"] = None
    return data


async def hours(request: Request) -> Response:
    user = current_user(request)
    if not permissions.can_publish_hours(user):
        raise NotFound()
    if request.method == "GET":
        return await _hours_page(request, user)
    values = await read_form(request)
    form = await request.form()
    try:
        await services.create_hours(user, parse(HoursCreate, _hours_values(values, form)))
    except DomainError as error:
        return await _hours_page(request, user, error, {**values, "topics": form.getlist("topics")})
    return see_other(path_for("helpdesk:hours") + "?done=hours")


async def hours_remove(request: Request) -> Response:
    user = current_user(request)
    await services.remove_hours(user, request.path_params["hours_id"])
    return see_other(path_for("helpdesk:hours") + "?done=removed")


async def absences(request: Request) -> Response:
    user = current_user(request)
    if not permissions.can_publish_hours(user):
        raise NotFound()
    values = await read_form(request)
    try:
        await services.add_absence(user, parse(AbsenceCreate, values))
    except DomainError as error:
        return await _hours_page(request, user, error, values)
    return see_other(path_for("helpdesk:hours") + "?done=absence")


async def absence_remove(request: Request) -> Response:
    await services.remove_absence(current_user(request), request.path_params["absence_id"])
    return see_other(path_for("helpdesk:hours") + "?done=removed")


# --- coordinators -------------------------------------------------------------------------------


async def week(request: Request) -> Response:
    user = current_user(request)
    if not permissions.can_view_week(user):
        raise NotFound()
    zone = ZoneInfo(user.timezone or i18n.DEFAULT_TIMEZONE)
    day = parse_day(request.query_params.get("week")) or clock.now().astimezone(zone).date()
    monday = week_start(day)
    start = datetime.combine(monday, datetime.min.time(), tzinfo=zone)
    found = await services.week_report(user, start, request.state.locale)
    return render(
        request,
        "helpdesk/week.html",
        {
            "report": found,
            "names": await pages.names(found.missed),
            "monday": monday,
            "previous": (monday - timedelta(weeks=1)).isoformat(),
            "next": (monday + timedelta(weeks=1)).isoformat(),
        },
    )


routes = [
    Route("/helpdesk/agenda", agenda, name="helpdesk:agenda"),
    Route("/helpdesk/hours", hours, methods=["GET", "POST"], name="helpdesk:hours"),
    Route("/helpdesk/hours/{hours_id:int}/remove", hours_remove, methods=["POST"], name="helpdesk:hours_remove"),
    Route("/helpdesk/absences", absences, methods=["POST"], name="helpdesk:absences"),
    Route(
        "/helpdesk/absences/{absence_id:int}/remove", absence_remove, methods=["POST"], name="helpdesk:absence_remove"
    ),
    Route("/helpdesk/week", week, name="helpdesk:week"),
]
