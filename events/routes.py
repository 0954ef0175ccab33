"""Event pages (usable without JavaScript), the event feeds, and the JSON API."""

from __future__ import annotations

import csv
import io

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from events import api, calendar, pages, permissions, services
from events.forms import FeedbackForm, MessageForm
from events.labels import PLACE_LABELS, STATUS_LABELS, labels
from events.models import Event, Kind, Mode, Place
from tierslieu import clock, i18n, markdown
from tierslieu.calendar import ics_response
from tierslieu.errors import N_, DomainError, Invalid
from tierslieu.guards import current_user, id_param, optional_user, text_param
from tierslieu.pages import form_error, form_page, see_other
from tierslieu.responses import parse, read_form
from tierslieu.templating import render
from tierslieu.urls import path_for
from tierslieu.validation import parse_id


def _kind(request: Request) -> str | None:
    kind = request.query_params.get("kind")
    return kind if kind in set(Kind) else None


async def event_list(request: Request) -> Response:
    kind = _kind(request)
    rows, cursor = await services.published_events(
        limit=50,
        cursor=text_param(request, "cursor", max_length=200) or None,
        kind=kind,
        upcoming_from=clock.now(),
        include_cancelled=True,
    )
    mine = await services.my_registrations(request.state.user) if request.state.user else []
    return render(
        request,
        "events/list.html",
        {
            "events": _one_per_series(rows),
            "my_status": {row.event_id: str(row.status) for row in mine},  # type: ignore[attr-defined]
            "places_left": {event.id: _places_left(event) for event in rows},
            "kind": kind,
            "next_cursor": cursor,
            "can_create": permissions.can_create_event(optional_user(request)),
            "mine": mine,
            **labels(),
        },
    )


def _places_left(event: Event) -> int:
    places = [Place.ONSITE, Place.ONLINE] if event.mode == Mode.HYBRID else [services.place_for(event)]
    return sum(services.seats_left(event, place) for place in places)


def _one_per_series(events: list[Event]) -> list[Event]:
    """A weekly series shows once, at its next date, with its later dates beside it."""
    shown: list[Event] = []
    firsts: dict[str, Event] = {}
    for event in events:
        event.later = []  # type: ignore[attr-defined]
        key = event.series_key
        if key and key in firsts:
            firsts[key].later.append(event)  # type: ignore[attr-defined]
            continue
        if key:
            firsts[key] = event
        shown.append(event)
    return shown


async def event_detail(request: Request, error: DomainError | None = None) -> Response:
    """The event's page; shown again with the message of a refused registration or feedback."""
    shown = form_error(request, error) if error is not None else {"errors": {}, "error": None}
    user = optional_user(request)
    event = await services.get_event(user, request.path_params["event_id"])
    registration = await services.registration_of(user, event)
    if registration is not None:
        registration.position = await services.position(registration)  # type: ignore[attr-defined]
    places = [Place.ONSITE, Place.ONLINE] if event.mode == Mode.HYBRID else [services.place_for(event)]
    now = clock.now()
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "sessions": await services.sessions_of(event),
            "description_html": markdown.render(event.description) if event.description else "",
            "registration": registration if registration is None or registration.status != "cancelled" else None,
            "seats": [(place, services.seats_left(event, place)) for place in places],
            "waiting": await services.waiting_count(event),
            "zone_label": i18n.timezone_label(event.timezone, request.state.locale),
            "registration_open": event.registration_opens_at <= now < min(event.registration_closes_at, event.ends_at),
            "now": now,
            "can_register": permissions.can_register(user, event),
            "can_manage": permissions.can_manage_event(user, event),
            "show_join_link": permissions.can_see_join_link(user, event, registration),
            "attended": user is not None and (await services.attended_sessions(user, event))[0],
            "can_give_feedback": await services.can_give_feedback(user, event),
            "my_feedback": await services.my_feedback(user, event),
            "feedback_errors": shown["errors"],
            "done": request.query_params.get("done"),
            "error": shown["error"],
            **labels(),
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
        registration = await services.register(user, event_id, Place(place) if place in set(Place) else None)
    except DomainError as error:
        if error.status in (409, 422):
            return await event_detail(request, error)
        raise
    return _back(request, event_id, str(registration.status))


async def cancel(request: Request) -> Response:
    user = current_user(request)
    event_id = request.path_params["event_id"]
    await read_form(request)
    await services.cancel_registration(user, event_id)
    return _back(request, event_id, "cancelled")


async def registrants(request: Request) -> Response:
    user = current_user(request)
    event, rows = await services.registrants(user, request.path_params["event_id"])
    answers, average, comments = await services.feedback_summary(user, event.id)
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
            **labels(),
        },
    )


async def registrants_csv(request: Request) -> Response:
    user = current_user(request)
    event, rows = await services.registrants(user, request.path_params["event_id"])
    locale = request.state.locale
    buffer = io.StringIO()
    # French spreadsheets (Excel) split columns on ";" (the comma is their decimal mark);
    # ?sep=comma gives commas. The BOM tells them it is UTF-8.
    writer = csv.writer(buffer, delimiter="," if request.query_params.get("sep") == "comma" else ";")
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
        await services.record_attendance(user, event_id, person, session_id)
        target = path_for("events:checkin", event_id=event_id)
        query = f"?session={session_id}" if session_id is not None else ""
        return see_other(f"{target}{query}#p-{person}")
    session_id = id_param(request, "session")
    event, sessions, rows, present = await services.door_list(user, event_id, session_id)
    return render(
        request,
        "events/checkin.html",
        {"event": event, "sessions": sessions, "rows": rows, "present": present, "session_id": session_id},
    )


async def message(request: Request) -> Response:
    user = current_user(request)
    event_id = request.path_params["event_id"]
    event = await services.managed_event(user, event_id)
    if request.method == "GET":
        return form_page(request, "events/message.html", event=event, sent=None)
    values = await read_form(request)
    try:
        data = parse(MessageForm, values)
        sent = await services.message_registrants(
            user, event_id, data.subject, data.body, include_waiting=data.include_waiting
        )
    except Invalid as error:
        return form_page(request, "events/message.html", error, values, event=event, sent=None)
    return form_page(request, "events/message.html", event=event, sent=sent)


async def give_feedback(request: Request) -> Response:
    user = current_user(request)
    event_id = request.path_params["event_id"]
    try:
        data = parse(FeedbackForm, await read_form(request))
        await services.give_feedback(user, event_id, data.rating, data.comment)
    except Invalid as error:
        return await event_detail(request, error)
    return _back(request, event_id, "feedback")


async def certificate(request: Request) -> Response:
    user = current_user(request)
    event, pdf = await services.certificate(user, request.path_params["event_id"])
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
    body = await calendar.event_feed(event, request.app.state.settings.base_url)
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
