"""Event pages (usable without JavaScript), the event feeds, and the JSON API."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from events import (
    api,
    attendance,
    calendar,
    certificates,
    feedback,
    pages,
    permissions,
    registrations,
    services,
)
from events.forms import FeedbackForm, MessageForm
from events.models import Kind, Language, Mode, Place
from tierslieu import i18n, markdown
from tierslieu.calendar import ics_response
from tierslieu.errors import N_, DomainError, Invalid
from tierslieu.guards import current_user, id_param, optional_user
from tierslieu.pages import see_other
from tierslieu.responses import field_messages, parse, read_form
from tierslieu.templating import render
from tierslieu.urls import path_for
from tierslieu.validation import parse_id

KIND_LABELS = {
    Kind.WEBINAR: N_("Webinar"),
    Kind.INTENSIVE_WEEK: N_("Intensive week"),
    Kind.WEEKEND: N_("Weekend session"),
    Kind.WORKSHOP: N_("Workshop"),
}
MODE_LABELS = {Mode.ONLINE: N_("Online"), Mode.ONSITE: N_("On site"), Mode.HYBRID: N_("Hybrid (on site and online)")}
LANGUAGE_LABELS = {Language.FR: N_("French"), Language.EN: N_("English"), Language.INTERPRETED: N_("Interpreted")}
STATUS_LABELS = {
    "confirmed": N_("Confirmed"),
    "waitlisted": N_("On the waiting list"),
    "draft": N_("Draft"),
    "published": N_("Published"),
    "cancelled": N_("Cancelled"),
}
PLACE_LABELS = {Place.ONSITE: N_("On site"), Place.ONLINE: N_("Online")}


def _labels() -> dict[str, Any]:
    return {
        "kind_labels": KIND_LABELS,
        "mode_labels": MODE_LABELS,
        "language_labels": LANGUAGE_LABELS,
        "status_labels": STATUS_LABELS,
        "place_labels": PLACE_LABELS,
    }


def _kind(request: Request) -> str | None:
    kind = request.query_params.get("kind")
    return kind if kind in set(Kind) else None


async def event_list(request: Request) -> Response:
    kind = _kind(request)
    rows, cursor = await services.published_events(
        limit=50,
        cursor=request.query_params.get("cursor"),
        kind=kind,
        upcoming_from=datetime.now(UTC),
        include_cancelled=True,
    )
    return render(
        request,
        "events/list.html",
        {
            "events": rows,
            "kind": kind,
            "next_cursor": cursor,
            "can_create": permissions.can_create_event(optional_user(request)),
            "mine": await registrations.my_registrations(request.state.user) if request.state.user else [],
            **_labels(),
        },
    )


async def event_detail(
    request: Request, error: DomainError | None = None, feedback_errors: dict[str, str] | None = None
) -> Response:
    user = optional_user(request)
    event = await services.get_event(user, request.path_params["event_id"])
    registration = await registrations.registration_of(user, event)
    if registration is not None:
        registration.position = await registrations.position(registration)  # type: ignore[attr-defined]
    places = [Place.ONSITE, Place.ONLINE] if event.mode == Mode.HYBRID else [registrations._place(event, None)]
    now = datetime.now(UTC)
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "sessions": await services.sessions_of(event),
            "description_html": markdown.render(event.description) if event.description else "",
            "registration": registration if registration is None or registration.status != "cancelled" else None,
            "seats": [(place, registrations.seats_left(event, place)) for place in places],
            "waiting": await registrations.waiting_count(event),
            "zone_label": i18n.timezone_label(event.timezone, request.state.locale),
            "registration_open": event.registration_opens_at <= now < event.registration_closes_at,
            "can_register": permissions.can_register(user, event),
            "can_manage": permissions.can_manage_event(user, event),
            "show_join_link": permissions.can_see_join_link(user, event, registration),
            "attended": user is not None and (await certificates.attended_sessions(user, event))[0],
            "can_give_feedback": await feedback.can_give_feedback(user, event),
            "my_feedback": await feedback.my_feedback(user, event),
            "feedback_errors": feedback_errors or {},
            "done": request.query_params.get("done"),
            "error": i18n.gettext(request.state.locale, error.message, **error.params) if error else None,
            **_labels(),
        },
        status_code=error.status if error else 200,
    )


def _back(request: Request, event_id: int, done: str) -> RedirectResponse:
    return see_other(path_for("events:detail", event_id=event_id) + f"?done={done}")


async def register(request: Request) -> Response:
    user = current_user(request)
    event_id = request.path_params["event_id"]
    values = await read_form(request)
    place = values.get("place")
    try:
        registration = await registrations.register(user, event_id, Place(place) if place in set(Place) else None)
    except DomainError as error:
        if error.status in (409, 422):
            return await event_detail(request, error)
        raise
    return _back(request, event_id, str(registration.status))


async def cancel(request: Request) -> Response:
    user = current_user(request)
    event_id = request.path_params["event_id"]
    await read_form(request)
    await registrations.cancel(user, event_id)
    return _back(request, event_id, "cancelled")


async def registrants(request: Request) -> Response:
    user = current_user(request)
    event, rows = await registrations.registrants(user, request.path_params["event_id"])
    answers, average, comments = await feedback.summary(user, event.id)
    return render(
        request,
        "events/registrants.html",
        {
            "event": event,
            "rows": rows,
            "answers": answers,
            "average": average,
            "comments": comments,
            "zone_label": i18n.timezone_label(event.timezone, request.state.locale),
            **_labels(),
        },
    )


async def registrants_csv(request: Request) -> Response:
    user = current_user(request)
    event, rows = await registrations.registrants(user, request.path_params["event_id"])
    locale = request.state.locale
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [i18n.gettext(locale, text) for text in (N_("Name"), N_("Email"), N_("Status"), N_("Place"), N_("Position"))]
    )
    for row in rows:
        writer.writerow(
            [
                _safe_cell(row.user.display_name),
                _safe_cell(row.user.email),
                i18n.gettext(locale, STATUS_LABELS[str(row.status)]),
                i18n.gettext(locale, PLACE_LABELS[row.place]),
                row.position if row.position is not None else "",  # type: ignore[attr-defined]
            ]
        )
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="event-{event.id}-registrants.csv"',
            "Cache-Control": "private, no-store",
        },
    )


def _safe_cell(value: str) -> str:
    # a cell starting with = + - @ would run as a formula in a spreadsheet
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


async def checkin(request: Request) -> Response:
    """A fast list for the door, usable on a phone: one button per confirmed person."""
    user = current_user(request)
    event_id = request.path_params["event_id"]
    if request.method == "POST":
        values = await read_form(request)
        person, session_id = parse_id(values.get("user_id")), parse_id(values.get("session_id"))
        if person is None:
            raise Invalid("invalid", N_("Some fields are missing or invalid."))
        await attendance.check_in(user, event_id, person, session_id)
        target = path_for("events:checkin", event_id=event_id)
        query = f"?session={session_id}" if session_id is not None else ""
        return see_other(f"{target}{query}#p-{person}")
    session_id = id_param(request, "session")
    event, sessions, rows, present = await attendance.door_list(user, event_id, session_id)
    return render(
        request,
        "events/checkin.html",
        {"event": event, "sessions": sessions, "rows": rows, "present": present, "session_id": session_id},
    )


async def message(request: Request) -> Response:
    user = current_user(request)
    event_id = request.path_params["event_id"]
    event = await services.managed_event(user, event_id)
    context: dict[str, Any] = {"event": event, "values": {}, "errors": {}, "error": None, "sent": None}
    if request.method == "POST":
        values = await read_form(request)
        context["values"] = values
        try:
            data = parse(MessageForm, values)
            context["sent"] = await registrations.message_registrants(
                user, event_id, data.subject, data.body, include_waiting=data.include_waiting
            )
            context["values"] = {}
        except Invalid as error:
            context["errors"] = field_messages(request, error)
            context["error"] = i18n.gettext(request.state.locale, error.message, **error.params)
            return render(request, "events/message.html", context, status_code=422)
    return render(request, "events/message.html", context)


async def give_feedback(request: Request) -> Response:
    user = current_user(request)
    event_id = request.path_params["event_id"]
    try:
        data = parse(FeedbackForm, await read_form(request))
        await feedback.give_feedback(user, event_id, data.rating, data.comment)
    except Invalid as error:
        return await event_detail(request, error, field_messages(request, error))
    return _back(request, event_id, "feedback")


async def certificate(request: Request) -> Response:
    user = current_user(request)
    event, pdf = await certificates.certificate(user, request.path_params["event_id"])
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="attendance-{event.id}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


async def event_feed(request: Request) -> Response:
    event = await services.get_event(None, request.path_params["event_id"])
    body = calendar.event_feed(event, request.app.state.settings.base_url)
    return ics_response(request, body, f"event-{event.id}.ics")


async def site_feed(request: Request) -> Response:
    name = i18n.gettext(i18n.DEFAULT_LOCALE, N_("Events"))
    body, tag = await calendar.site_feed(request.app.state.settings.base_url, name, kind=_kind(request))
    return ics_response(request, body, "events.ics", tag=tag)


routes = [
    Route("/events", event_list, name="events:list"),
    Route("/events/feed.ics", site_feed, name="events:site_feed"),
    Route("/events/new", pages.new_event, methods=["GET", "POST"], name="events:new"),
    Route("/events/{event_id:int}", event_detail, name="events:detail"),
    Route("/events/{event_id:int}.ics", event_feed, name="events:feed"),
    Route("/events/{event_id:int}/edit", pages.edit_event, name="events:edit"),
    Route("/events/{event_id:int}/edit", pages.change_event, methods=["POST"], name="events:change"),
    Route("/events/{event_id:int}/sessions", pages.add_session, methods=["POST"], name="events:add_session"),
    Route(
        "/events/{event_id:int}/sessions/{session_id:int}/delete",
        pages.remove_session,
        methods=["POST"],
        name="events:remove_session",
    ),
    Route("/events/{event_id:int}/register", register, methods=["POST"], name="events:register"),
    Route("/events/{event_id:int}/cancel", cancel, methods=["POST"], name="events:cancel"),
    Route("/events/{event_id:int}/registrants", registrants, name="events:registrants"),
    Route("/events/{event_id:int}/registrants.csv", registrants_csv, name="events:registrants_csv"),
    Route("/events/{event_id:int}/feedback", give_feedback, methods=["POST"], name="events:feedback"),
    Route("/events/{event_id:int}/certificate.pdf", certificate, name="events:certificate"),
    Route("/events/{event_id:int}/checkin", checkin, methods=["GET", "POST"], name="events:checkin"),
    Route("/events/{event_id:int}/message", message, methods=["GET", "POST"], name="events:message"),
]
api_routes = api.routes
