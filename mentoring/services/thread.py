"""The private thread of a relationship: messages appear live on the channel
``mentoring:{id}`` (its participants and coordinators), the other side is notified; either
side may report a message to the coordinators, whose queue lists the reported ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from mentoring import permissions
from mentoring.models import Message, Request, RequestStatus
from mentoring.services import notices
from mentoring.services.common import closed_error, get_request
from notifications import services as notifications
from tierslieu import clock, realtime
from tierslieu.errors import N_, Conflict, NotFound
from tierslieu.responses import rfc3339
from tierslieu.validation import parse_id


def channel(request_id: int) -> str:
    return f"mentoring:{request_id}"


async def can_read_channel(user: Any, roles: frozenset[str], ident: str) -> bool:
    """Live channel ``mentoring:{id}``: the relationship's participants and coordinators."""
    request_id = parse_id(ident)
    if user is None or request_id is None:
        return False
    request = await Request.get_or_none(id=request_id)
    if request is None or request.accepted_at is None:
        return False
    return user.id in (request.mentee_id, request.mentor_id) or "coordinator" in roles


async def messages(actor: Any, request: Request) -> list[Message]:
    if not permissions.can_read_thread(actor, request):
        return []
    return await Message.filter(request_id=request.id).prefetch_related("author").order_by("created_at", "id")


async def post_message(actor: Any, request_id: int, body: str) -> Message:
    request = await get_request(actor, request_id)
    if not (permissions.is_mentee(actor, request) or permissions.is_its_mentor(actor, request)):
        raise NotFound()
    if request.accepted_at is None:
        raise NotFound()
    if request.status != RequestStatus.ACTIVE:
        raise closed_error()
    other = request.mentor_id if actor.id == request.mentee_id else request.mentee_id
    async with in_transaction():
        message = await Message.create(request_id=request.id, author_id=actor.id, body=body)
        told = await notices.tell(
            [other],
            notices.MESSAGE,
            N_("New message from %(name)s: %(topic)s"),
            request,
            actor.id,
            excerpt=body,
            name=actor.display_name,
        )
    await notifications.publish(told)
    await realtime.publish(
        channel(request.id),
        "mentoring.message",
        id=message.id,
        author=actor.display_name,
        author_id=actor.id,
        body=body,
        created_at=rfc3339(message.created_at),
    )
    return message


async def report_message(actor: Any, request_id: int, message_id: int, reason: str) -> Message:
    request = await get_request(actor, request_id)
    if not (permissions.is_mentee(actor, request) or permissions.is_its_mentor(actor, request)):
        raise NotFound()
    message = await Message.get_or_none(id=message_id, request_id=request.id)
    if message is None:
        raise NotFound()
    if message.reported_at is not None:
        raise Conflict("already_reported", N_("This message has already been reported."))
    async with in_transaction():
        message.reported_at, message.reported_by_id, message.report_reason = clock.now(), actor.id, reason
        await message.save(update_fields=["reported_at", "reported_by_id", "report_reason"])
        told = await notices.tell(
            await notices.coordinator_ids(),
            notices.REPORT,
            N_("A mentoring message was reported: %(topic)s"),
            request,
            actor.id,
            excerpt=reason,
            path="/mentoring/reports",
        )
    await notifications.publish(told)
    return message


async def reported_messages(actor: Any) -> list[Message]:
    if not permissions.can_handle_reports(actor):
        raise NotFound()
    return (
        await Message.filter(reported_at__isnull=False, report_handled_at=None)
        .prefetch_related("author", "request")
        .order_by("reported_at", "id")
    )


async def handle_report(actor: Any, message_id: int, *, remove: bool, now: datetime | None = None) -> None:
    """A coordinator closes a report, removing the message's text or keeping it."""
    if not permissions.can_handle_reports(actor):
        raise NotFound()
    message = await Message.get_or_none(id=message_id, reported_at__isnull=False)
    if message is None:
        raise NotFound()
    if message.report_handled_at is not None:
        raise Conflict("conflict", N_("This report has already been handled."))
    message.report_handled_at = now or clock.now()
    if remove:
        message.body = ""
    await message.save(update_fields=["report_handled_at", "body"])
