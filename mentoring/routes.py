"""Mentoring pages (usable without JavaScript) and the JSON API."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from accounts.services import roles_of
from bookings import services as bookings
from mentoring import api, pages, permissions, services
from mentoring.forms import CloseIn, DeclineApplicationIn, GoalIn, MessageIn, NotesIn, PauseIn, ReportIn, language_name
from skills import services as skills
from tierslieu import hours, i18n
from tierslieu.errors import N_, DomainError, NotFound
from tierslieu.guards import current_user, optional_user
from tierslieu.pages import form_error, form_page, see_other
from tierslieu.responses import parse, read_form
from tierslieu.templating import render
from tierslieu.urls import path_for
from tierslieu.validation import parse_id

FORMATS = {"onsite": N_("On site"), "online": N_("Online"), "any": N_("On site or online")}
STATUSES = {
    "open": N_("Open"),
    "offered": N_("Offered to a mentor"),
    "active": N_("Under way"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
    "expired": N_("Expired"),
    "withdrawn": N_("Withdrawn"),
}


def _labels() -> dict[str, Any]:
    return {"format_labels": FORMATS, "status_labels": STATUSES, "weekdays": hours.WEEKDAYS}


async def home(request: Request) -> Response:
    user = optional_user(request)
    if user is None:  # what mentoring is, and the way in
        return render(request, "mentoring/home.html", {"anonymous": True, "max_open": services.MAX_OPEN})
    coordinator = permissions.is_coordinator(user)
    return render(
        request,
        "mentoring/home.html",
        {
            "anonymous": False,
            "mine": await services.my_requests(user),
            "mentoring": await services.mentor_requests(user),
            "profile": await services.profile_of(user),
            "is_mentor": permissions.is_mentor(user),
            "coordinator": coordinator,
            "all_requests": await services.all_requests(user) if coordinator else [],
            "applications": len(await services.applications(user)) if coordinator else 0,
            "reports": len(await services.reported_messages(user)) if coordinator else 0,
            "max_open": services.MAX_OPEN,
            **_labels(),
        },
    )


# --- asking ------------------------------------------------------------------------------------


async def new_request(request: Request) -> Response:
    user = current_user(request)
    context = {"vocabulary": await skills.vocabulary(request.state.locale), "zones": sorted(i18n.timezone_names())}
    context.update(_labels())
    if request.method == "GET":
        values = {"languages": user.locale, "timezone": user.timezone}
        return form_page(request, "mentoring/request_form.html", values=values, **context)
    values = await read_form(request)
    try:
        created = await services.create_request(user, pages.request_input(values))
    except DomainError as error:
        if error.status not in (409, 422):
            raise
        return form_page(request, "mentoring/request_form.html", error, values, **context)
    return see_other(path_for("mentoring:request", request_id=created.id) + "?done=created")


# --- one request -------------------------------------------------------------------------------


async def request_page(request: Request, error: DomainError | None = None) -> Response:
    user = current_user(request)
    row = await services.get_request(user, request.path_params["request_id"])
    locale = request.state.locale
    shown = form_error(request, error) if error is not None else {"errors": {}, "error": None}
    can_suggest = (permissions.is_mentee(user, row) or permissions.is_coordinator(user)) and row.status == "open"
    goals = await services.goals_of(row)
    labels = await skills.labels(locale)
    context = {
        "row": row,
        "skills": [labels.get(slug, slug) for slug in await services.request_skills(row)],
        "languages": [language_name(code, locale) for code in row.languages],
        "suggestions": await services.suggestions(user, row.id, locale) if can_suggest else [],
        "can_suggest": can_suggest,
        "is_mentee": permissions.is_mentee(user, row),
        "is_mentor": permissions.is_its_mentor(user, row),
        "coordinator": permissions.is_coordinator(user),
        "can_answer": permissions.can_answer_offer(user, row),
        "can_withdraw": permissions.can_withdraw(user, row),
        "can_renew": permissions.can_renew(user, row),
        "active": permissions.is_active_participant(user, row),
        "contact": services.contacts(user, row),
        "messages": await services.messages(user, row),
        "sessions": await services.sessions_of(row) if row.accepted_at else [],
        "goals": goals,
        "progress": services.progress(goals),
        "private_notes": await services.private_notes(user, row),
        "rooms": await bookings.list_rooms() if permissions.is_active_participant(user, row) else [],
        "done": request.query_params.get("done"),
        "values": {},
        **shown,
        **_labels(),
    }
    if row.accepted_at and row.mentor_id:
        mentor_profile = await services.profile_of(row.mentor)
        context["mentor_zone"] = mentor_profile.timezone if mentor_profile else row.timezone
        context["mentor_availability"] = mentor_profile.availability if mentor_profile else {}
    return render(request, "mentoring/request.html", context, status_code=error.status if error else 200)


def _back(request_id: int, done: str, anchor: str = "") -> Response:
    return see_other(path_for("mentoring:request", request_id=request_id) + f"?done={done}" + anchor)


async def _act(request: Request, action: Any, done: str, anchor: str = "") -> Response:
    """A POST on a request's page: run ``action(user, request_id, values)``, then back to the
    page; a refused action shows the page again with its message."""
    user = current_user(request)
    request_id = request.path_params["request_id"]
    values = await read_form(request)
    try:
        await action(user, request_id, values)
    except DomainError as error:
        if error.status not in (409, 422):
            raise
        return await request_page(request, error)
    return _back(request_id, done, anchor)


async def offer(request: Request) -> Response:
    async def action(user, request_id, values):
        mentor_id = parse_id(values.get("mentor_id"))
        if mentor_id is None:
            raise NotFound()
        await services.offer(user, request_id, mentor_id)

    return await _act(request, action, "offered")


async def accept(request: Request) -> Response:
    async def action(user, request_id, values):
        await services.accept(user, request_id, str(values.get("message", ""))[:10_000])

    return await _act(request, action, "accepted")


async def decline(request: Request) -> Response:
    user = current_user(request)
    request_id = request.path_params["request_id"]
    values = await read_form(request)
    try:
        await services.decline(user, request_id, str(values.get("message", ""))[:10_000])
    except DomainError as error:
        if error.status not in (409, 422):
            raise
        return await request_page(request, error)
    return see_other(path_for("mentoring:home") + "?done=declined")


async def withdraw(request: Request) -> Response:
    async def action(user, request_id, values):
        await services.withdraw(user, request_id)

    return await _act(request, action, "withdrawn")


async def renew(request: Request) -> Response:
    async def action(user, request_id, values):
        await services.renew(user, request_id)

    return await _act(request, action, "renewed")


async def post_message(request: Request) -> Response:
    async def action(user, request_id, values):
        await services.post_message(user, request_id, parse(MessageIn, values).body)

    return await _act(request, action, "message", "#thread")


async def report_message(request: Request) -> Response:
    async def action(user, request_id, values):
        reason = parse(ReportIn, values).reason
        await services.report_message(user, request_id, request.path_params["message_id"], reason)

    return await _act(request, action, "reported", "#thread")


async def schedule_session(request: Request) -> Response:
    async def action(user, request_id, values):
        await services.schedule_session(user, request_id, pages.session_input(values, user.timezone))

    return await _act(request, action, "session", "#sessions")


async def move_session(request: Request) -> Response:
    async def action(user, request_id, values):
        data = pages.session_input(values, user.timezone)
        await services.reschedule_session(user, request_id, request.path_params["session_id"], data)

    return await _act(request, action, "moved", "#sessions")


async def cancel_session(request: Request) -> Response:
    async def action(user, request_id, values):
        await services.cancel_session(user, request_id, request.path_params["session_id"])

    return await _act(request, action, "session_cancelled", "#sessions")


async def session_notes(request: Request) -> Response:
    async def action(user, request_id, values):
        notes = parse(NotesIn, values).notes
        await services.save_session_notes(user, request_id, request.path_params["session_id"], notes)

    return await _act(request, action, "notes", "#sessions")


async def private_notes(request: Request) -> Response:
    async def action(user, request_id, values):
        await services.save_private_notes(user, request_id, parse(NotesIn, values).notes)

    return await _act(request, action, "notes", "#private-notes")


async def add_goal(request: Request) -> Response:
    async def action(user, request_id, values):
        await services.add_goal(user, request_id, parse(GoalIn, values).title)

    return await _act(request, action, "goal", "#goals")


async def change_goal(request: Request) -> Response:
    async def action(user, request_id, values):
        what = values.get("action")
        goal_id = request.path_params["goal_id"]
        if what == "delete":
            await services.set_goal(user, request_id, goal_id, delete=True)
        else:
            await services.set_goal(user, request_id, goal_id, done=what == "done")

    return await _act(request, action, "goal", "#goals")


async def close(request: Request) -> Response:
    async def action(user, request_id, values):
        data = parse(CloseIn, values)
        await services.close(user, request_id, data.outcome, data.rating, data.comment)

    return await _act(request, action, "closed")


async def block(request: Request) -> Response:
    async def action(user, request_id, values):
        await services.block(user, request_id)

    return await _act(request, action, "blocked")


# --- the mentor's profile -----------------------------------------------------------------------


async def profile(request: Request) -> Response:
    user = current_user(request)
    row = await services.profile_of(user)
    context = {
        "vocabulary": await skills.vocabulary(request.state.locale),
        "zones": sorted(i18n.timezone_names()),
        "profile": row,
        "is_mentor": permissions.is_mentor(user),
        "done": request.query_params.get("done"),
        **_labels(),
    }
    if request.method == "GET":
        values: dict[str, Any] = {"languages": user.locale, "timezone": user.timezone, "max_mentees": "2"}
        if row is not None:
            values = {
                "skills": await services.skill_slugs(row),
                "languages": ", ".join(row.languages),
                "formats": list(row.formats),
                "max_mentees": str(row.max_mentees),
                "bio": row.bio,
                "motivation": row.motivation,
                "timezone": row.timezone,
                "paused_until": row.paused_until.isoformat() if row.paused_until else "",
                **pages.availability_text(row.availability),
            }
        return form_page(request, "mentoring/profile.html", values=values, **context)
    values = await read_form(request)
    try:
        await services.save_profile(user, pages.profile_input(values))
    except DomainError as error:
        if error.status not in (409, 422):
            raise
        values["skills"] = pages.listed(values, "skills")
        values["formats"] = pages.listed(values, "formats")
        return form_page(request, "mentoring/profile.html", error, values, **context)
    return see_other(path_for("mentoring:profile") + "?done=saved")


async def pause(request: Request) -> Response:
    user = current_user(request)
    values = await read_form(request)
    try:
        data = parse(PauseIn, {"paused_until": values.get("paused_until") or None})
        await services.set_pause(user, data.paused_until)
    except DomainError as error:
        if error.status not in (409, 422):
            raise
        return await profile_error(request, error)
    return see_other(path_for("mentoring:profile") + "?done=paused")


async def profile_error(request: Request, error: DomainError) -> Response:
    user = current_user(request)
    row = await services.profile_of(user)
    return form_page(
        request,
        "mentoring/profile.html",
        error,
        {},
        vocabulary=await skills.vocabulary(request.state.locale),
        zones=sorted(i18n.timezone_names()),
        profile=row,
        is_mentor=permissions.is_mentor(user),
        done=None,
        **_labels(),
    )


# --- coordinators -------------------------------------------------------------------------------


async def applications(request: Request) -> Response:
    user = current_user(request)
    rows = await services.applications(user)
    labels = await skills.labels(request.state.locale)
    return render(
        request,
        "mentoring/applications.html",
        {
            "rows": [
                (row, person, [labels.get(s, s) for s in slugs], sorted(roles_of(person) - {"member"}))
                for row, person, slugs in rows
            ],
            "done": request.query_params.get("done"),
            **_labels(),
        },
    )


async def decline_application(request: Request) -> Response:
    user = current_user(request)
    values = await read_form(request)
    reason = parse(DeclineApplicationIn, values).reason
    await services.decline_application(user, request.path_params["user_id"], reason)
    return see_other(path_for("mentoring:applications") + "?done=declined")


async def reports(request: Request) -> Response:
    user = current_user(request)
    return render(
        request,
        "mentoring/reports.html",
        {"rows": await services.reported_messages(user), "done": request.query_params.get("done")},
    )


async def handle_report(request: Request) -> Response:
    user = current_user(request)
    values = await read_form(request)
    await services.handle_report(user, request.path_params["message_id"], remove=values.get("action") == "remove")
    return see_other(path_for("mentoring:reports") + "?done=handled")


R = "/mentoring/requests/{request_id:int}"
routes = [
    Route("/mentoring", home, name="mentoring:home"),
    Route("/mentoring/requests/new", new_request, methods=["GET", "POST"], name="mentoring:new_request"),
    Route(R, request_page, name="mentoring:request"),
    Route(R + "/offer", offer, methods=["POST"], name="mentoring:offer"),
    Route(R + "/accept", accept, methods=["POST"], name="mentoring:accept"),
    Route(R + "/decline", decline, methods=["POST"], name="mentoring:decline"),
    Route(R + "/withdraw", withdraw, methods=["POST"], name="mentoring:withdraw"),
    Route(R + "/renew", renew, methods=["POST"], name="mentoring:renew"),
    Route(R + "/messages", post_message, methods=["POST"], name="mentoring:message"),
    Route(R + "/messages/{message_id:int}/report", report_message, methods=["POST"], name="mentoring:report"),
    Route(R + "/sessions", schedule_session, methods=["POST"], name="mentoring:session"),
    Route(R + "/sessions/{session_id:int}/move", move_session, methods=["POST"], name="mentoring:move_session"),
    Route(R + "/sessions/{session_id:int}/cancel", cancel_session, methods=["POST"], name="mentoring:cancel_session"),
    Route(R + "/sessions/{session_id:int}/notes", session_notes, methods=["POST"], name="mentoring:session_notes"),
    Route(R + "/notes", private_notes, methods=["POST"], name="mentoring:private_notes"),
    Route(R + "/goals", add_goal, methods=["POST"], name="mentoring:add_goal"),
    Route(R + "/goals/{goal_id:int}", change_goal, methods=["POST"], name="mentoring:goal"),
    Route(R + "/close", close, methods=["POST"], name="mentoring:close"),
    Route(R + "/block", block, methods=["POST"], name="mentoring:block"),
    Route("/mentoring/profile", profile, methods=["GET", "POST"], name="mentoring:profile"),
    Route("/mentoring/profile/pause", pause, methods=["POST"], name="mentoring:pause"),
    Route("/mentoring/applications", applications, name="mentoring:applications"),
    Route(
        "/mentoring/applications/{user_id:int}/decline",
        decline_application,
        methods=["POST"],
        name="mentoring:decline_application",
    ),
    Route("/mentoring/reports", reports, name="mentoring:reports"),
    Route("/mentoring/reports/{message_id:int}", handle_report, methods=["POST"], name="mentoring:handle_report"),
]
api_routes = api.routes
