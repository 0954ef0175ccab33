"""The mentoring part of the JSON API (/api/v1/mentoring)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from mentoring import permissions, services
from mentoring.forms import (
    AnswerIn,
    CloseIn,
    GoalIn,
    MentorProfileIn,
    MessageIn,
    OfferIn,
    ReportIn,
    RequestIn,
    SessionIn,
)
from mentoring.models import MentorProfile, Session
from mentoring.models import Request as MentoringRequest
from tierslieu.errors import NotFound
from tierslieu.guards import current_user
from tierslieu.openapi import api
from tierslieu.responses import JSONResponse, read_json, rfc3339


class MentorOut(BaseModel):
    id: int
    status: str
    skills: list[str]
    languages: list[str]
    formats: list[str]
    max_mentees: int
    active_mentees: int
    bio: str
    timezone: str
    availability: dict[str, list[list[str]]]
    paused_until: str | None


class Created(BaseModel):
    id: int


class SuggestionOut(BaseModel):
    mentor_id: int
    display_name: str
    score: int
    reasons: list[str]


class SuggestionsOut(BaseModel):
    items: list[SuggestionOut]


class ContactOut(BaseModel):
    display_name: str
    email: str


class SessionOut(BaseModel):
    id: int
    starts_at: str
    ends_at: str
    format: str
    room_id: int | None
    link: str
    status: str


class GoalOut(BaseModel):
    id: int
    title: str
    done: bool


class RequestOut(BaseModel):
    id: int
    topic: str
    goal: str
    background: str
    skills: list[str]
    languages: list[str]
    format: str
    timezone: str
    availability: dict[str, list[list[str]]]
    status: str
    mentee_id: int
    mentor_id: int | None
    created_at: str
    expires_at: str
    accepted_at: str | None
    closed_at: str | None
    contact: ContactOut | None
    sessions: list[SessionOut]
    goals: list[GoalOut]
    progress: int | None


class RequestsOut(BaseModel):
    items: list[RequestOut]


class MessageOut(BaseModel):
    id: int
    author_id: int | None
    body: str
    created_at: str


class MessagesOut(BaseModel):
    items: list[MessageOut]


def _when(value: Any) -> str | None:
    return rfc3339(value) if value is not None else None


def session_out(row: Session) -> dict:
    return SessionOut(
        id=row.id,
        starts_at=rfc3339(row.starts_at),
        ends_at=rfc3339(row.ends_at),
        format=str(row.format),
        room_id=row.room_id,
        link=row.link,
        status=str(row.status),
    ).model_dump()


async def request_out(actor: Any, row: MentoringRequest) -> dict:
    goals = await services.goals_of(row)
    return RequestOut(
        id=row.id,
        topic=row.topic,
        goal=row.goal,
        background=row.background,
        skills=await services.request_skills(row),
        languages=list(row.languages),
        format=str(row.format),
        timezone=row.timezone,
        availability=row.availability,
        status=str(row.status),
        mentee_id=row.mentee_id,
        mentor_id=row.mentor_id,
        created_at=rfc3339(row.created_at),
        expires_at=rfc3339(row.expires_at),
        accepted_at=_when(row.accepted_at),
        closed_at=_when(row.closed_at),
        contact=services.contacts(actor, row),
        sessions=[session_out(s) for s in await services.sessions_of(row)] if row.accepted_at else [],
        goals=[GoalOut(id=g.id, title=g.title, done=g.done) for g in goals],
        progress=services.progress(goals),
    ).model_dump()


async def _body(request: Request, model: type[BaseModel]) -> Any:
    raw = await request.body()
    return await read_json(request, model) if raw.strip() else model()


def _id(request: Request) -> int:
    return request.path_params["request_id"]


async def _profile_out(user: Any, profile: MentorProfile) -> dict:
    return MentorOut(
        id=user.id,
        status="active" if permissions.is_mentor(user) else ("declined" if profile.declined_at else "pending"),
        skills=await services.skill_slugs(profile),
        languages=list(profile.languages),
        formats=list(profile.formats),
        max_mentees=profile.max_mentees,
        active_mentees=profile.active_count,
        bio=profile.bio,
        timezone=profile.timezone,
        availability=profile.availability,
        paused_until=profile.paused_until.isoformat() if profile.paused_until else None,
    ).model_dump()


@api(
    "/mentoring/mentors",
    "POST",
    summary="Write my mentor profile: active at once for a holder of the mentor role, otherwise an "
    "application in the coordinators' queue (granting the role is the approval)",
    access="signed in",
    body=MentorProfileIn,
    responses={201: MentorOut, 200: MentorOut},
    errors=(404,),
)
async def save_mentor(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, MentorProfileIn)
    _, created = await services.save_profile(user, data)
    # the profile as stored, not as written: PostgreSQL's jsonb keeps the days of the weekly
    # availability in an order of its own, and the answer shows them as a later GET does
    stored = await services.profile_of(user)
    assert stored is not None
    return JSONResponse(await _profile_out(user, stored), status_code=201 if created else 200)


@api(
    "/mentoring/mentors/me",
    "GET",
    summary="My mentor profile",
    access="signed in",
    responses={200: MentorOut},
    errors=(404,),
)
async def my_profile(request: Request) -> Response:
    user = current_user(request)
    profile = await services.profile_of(user)
    if profile is None:
        raise NotFound()
    return JSONResponse(await _profile_out(user, profile))


@api(
    "/mentoring/requests",
    "POST",
    summary="Ask for mentoring (at most 3 open requests per person)",
    access="member",
    body=RequestIn,
    responses={201: Created},
    errors=(409,),
)
async def create_request(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, RequestIn)
    row = await services.create_request(user, data)
    return JSONResponse({"id": row.id}, status_code=201)


@api(
    "/mentoring/requests",
    "GET",
    summary="My requests, and the requests offered to me or that I mentor",
    access="signed in",
    responses={200: RequestsOut},
)
async def list_requests(request: Request) -> Response:
    user = current_user(request)
    rows = [*await services.my_requests(user), *await services.mentor_requests(user)]
    return JSONResponse({"items": [await request_out(user, row) for row in rows]})


@api(
    "/mentoring/requests/{request_id:int}",
    "GET",
    summary="One request (contact details once accepted)",
    access="the mentee, its mentor, coordinators",
    responses={200: RequestOut},
    errors=(404,),
)
async def request_detail(request: Request) -> Response:
    user = current_user(request)
    row = await services.get_request(user, _id(request))
    return JSONResponse(await request_out(user, row))


@api(
    "/mentoring/requests/{request_id:int}/suggestions",
    "GET",
    summary="Suggested mentors, best first, each with its score and reasons in my language",
    access="the mentee, coordinators",
    responses={200: SuggestionsOut},
    errors=(404,),
)
async def suggestions(request: Request) -> Response:
    user = current_user(request)
    found = await services.suggestions(user, _id(request), request.state.locale)
    items = [
        SuggestionOut(mentor_id=s.mentor_id, display_name=s.display_name, score=s.score, reasons=s.reasons).model_dump()
        for s in found
    ]
    return JSONResponse({"items": items})


@api(
    "/mentoring/requests/{request_id:int}/offer",
    "POST",
    summary="Offer the request to one mentor (a coordinator may, on the mentee's behalf)",
    access="the mentee, coordinators",
    body=OfferIn,
    responses={200: RequestOut},
    errors=(404, 409),
)
async def offer(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, OfferIn)
    row = await services.offer(user, _id(request), data.mentor_id)
    return JSONResponse(await request_out(user, row))


@api(
    "/mentoring/requests/{request_id:int}/accept",
    "POST",
    summary="Accept the request offered to me (a place is taken; 409 when none is left)",
    access="the offered mentor",
    body=AnswerIn,
    responses={200: RequestOut},
    errors=(404, 409),
)
async def accept(request: Request) -> Response:
    user = current_user(request)
    data = await _body(request, AnswerIn)
    row = await services.accept(user, _id(request), data.message)
    return JSONResponse(await request_out(user, row))


@api(
    "/mentoring/requests/{request_id:int}/decline",
    "POST",
    summary="Decline the request offered to me, with a message",
    access="the offered mentor",
    body=AnswerIn,
    responses={200: Created},
    errors=(404, 409),
)
async def decline(request: Request) -> Response:
    user = current_user(request)
    data = await _body(request, AnswerIn)
    row = await services.decline(user, _id(request), data.message)
    return JSONResponse({"id": row.id})


@api(
    "/mentoring/requests/{request_id:int}/withdraw",
    "POST",
    summary="Withdraw a request not matched yet",
    access="the mentee, coordinators",
    responses={200: Created},
    errors=(404, 409),
)
async def withdraw(request: Request) -> Response:
    user = current_user(request)
    row = await services.withdraw(user, _id(request))
    return JSONResponse({"id": row.id})


@api(
    "/mentoring/requests/{request_id:int}/renew",
    "POST",
    summary="Another 30 days for a request not matched yet (once)",
    access="the mentee",
    responses={200: RequestOut},
    errors=(404, 409),
)
async def renew(request: Request) -> Response:
    user = current_user(request)
    row = await services.renew(user, _id(request))
    return JSONResponse(await request_out(user, row))


@api(
    "/mentoring/requests/{request_id:int}/sessions",
    "POST",
    summary="Schedule a session inside the mentor's weekly availability (on site books the room)",
    access="the mentee or mentor of an accepted request",
    body=SessionIn,
    responses={201: SessionOut},
    errors=(404, 409),
)
async def schedule_session(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, SessionIn)
    row = await services.schedule_session(user, _id(request), data)
    return JSONResponse(session_out(row), status_code=201)


@api(
    "/mentoring/requests/{request_id:int}/sessions/{session_id:int}",
    "PUT",
    summary="Move a session (mails with the updated calendar file)",
    access="the mentee or mentor of an accepted request",
    body=SessionIn,
    responses={200: SessionOut},
    errors=(404, 409),
)
async def reschedule_session(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, SessionIn)
    row = await services.reschedule_session(user, _id(request), request.path_params["session_id"], data)
    return JSONResponse(session_out(row))


@api(
    "/mentoring/requests/{request_id:int}/sessions/{session_id:int}",
    "DELETE",
    summary="Cancel a session (its room is released)",
    access="the mentee or mentor of an accepted request",
    responses={204: None},
    errors=(404, 409),
)
async def cancel_session(request: Request) -> Response:
    user = current_user(request)
    await services.cancel_session(user, _id(request), request.path_params["session_id"])
    return Response(status_code=204)


@api(
    "/mentoring/requests/{request_id:int}/messages",
    "GET",
    summary="The private thread",
    access="the mentee, the mentor, coordinators",
    responses={200: MessagesOut},
    errors=(404,),
)
async def list_messages(request: Request) -> Response:
    user = current_user(request)
    row = await services.get_request(user, _id(request))
    if row.accepted_at is None:
        raise NotFound()
    items = [
        MessageOut(id=m.id, author_id=m.author_id, body=m.body, created_at=rfc3339(m.created_at)).model_dump()
        for m in await services.messages(user, row)
    ]
    return JSONResponse({"items": items})


@api(
    "/mentoring/requests/{request_id:int}/messages",
    "POST",
    summary="Write in the private thread (live on mentoring:{id})",
    access="the mentee or mentor of an accepted request",
    body=MessageIn,
    responses={201: MessageOut},
    errors=(404, 409),
)
async def post_message(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, MessageIn)
    row = await services.post_message(user, _id(request), data.body)
    body = MessageOut(id=row.id, author_id=row.author_id, body=row.body, created_at=rfc3339(row.created_at))
    return JSONResponse(body.model_dump(), status_code=201)


@api(
    "/mentoring/requests/{request_id:int}/messages/{message_id:int}/report",
    "POST",
    summary="Report a message to the coordinators",
    access="the mentee or mentor",
    body=ReportIn,
    responses={200: Created},
    errors=(404, 409),
)
async def report_message(request: Request) -> Response:
    user = current_user(request)
    data = await _body(request, ReportIn)
    row = await services.report_message(user, _id(request), request.path_params["message_id"], data.reason)
    return JSONResponse({"id": row.id})


@api(
    "/mentoring/requests/{request_id:int}/goals",
    "POST",
    summary="Add a goal to the checklist",
    access="the mentee or mentor of an accepted request",
    body=GoalIn,
    responses={201: GoalOut},
    errors=(404, 409),
)
async def add_goal(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, GoalIn)
    goal = await services.add_goal(user, _id(request), data.title)
    return JSONResponse(GoalOut(id=goal.id, title=goal.title, done=goal.done).model_dump(), status_code=201)


@api(
    "/mentoring/requests/{request_id:int}/close",
    "POST",
    summary="Close the relationship as completed or cancelled, with feedback (1 to 5 and a comment)",
    access="the mentee or mentor, coordinators",
    body=CloseIn,
    responses={200: RequestOut},
    errors=(404, 409),
)
async def close(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, CloseIn)
    row = await services.close(user, _id(request), data.outcome, data.rating, data.comment)
    return JSONResponse(await request_out(user, row))


@api(
    "/mentoring/requests/{request_id:int}/block",
    "POST",
    summary="Block the other side: the relationship ends",
    access="the mentee or mentor",
    responses={200: Created},
    errors=(404, 409),
)
async def block(request: Request) -> Response:
    user = current_user(request)
    row = await services.block(user, _id(request))
    return JSONResponse({"id": row.id})


routes = [
    save_mentor,
    my_profile,
    create_request,
    list_requests,
    request_detail,
    suggestions,
    offer,
    accept,
    decline,
    withdraw,
    renew,
    schedule_session,
    reschedule_session,
    cancel_session,
    list_messages,
    post_message,
    report_message,
    add_goal,
    close,
    block,
]
