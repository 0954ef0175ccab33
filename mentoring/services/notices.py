"""What people are told: in-app notifications (mailed at once unless they chose otherwise)
for every step, and the session mails with their calendar file. Written inside the
caller's transaction; the caller publishes the notifications after its commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from accounts.services import Role, User
from mentoring.models import Request, Session, SessionStatus
from notifications import services as notifications
from tierslieu import calendar, i18n, mail
from tierslieu.calendar import FeedItem, host_of
from tierslieu.errors import N_
from tierslieu.i18n import Message
from tierslieu.parts import INAPP, NEVER, NotificationKind

MAIL_KIND = "mentoring"
OFFERED = "mentoring.offered"
ACCEPTED = "mentoring.accepted"
DECLINED = "mentoring.declined"
MESSAGE = "mentoring.message"
SESSION = "mentoring.session"
REMINDER = "mentoring.reminder"
EXPIRY = "mentoring.expiry"
CLOSED = "mentoring.closed"
APPLICATION = "mentoring.application"
REPORT = "mentoring.report"

NOTIFICATION_KINDS = [
    NotificationKind(OFFERED, N_("Mentoring: a request is offered to me")),
    NotificationKind(ACCEPTED, N_("Mentoring: a mentor accepts my request")),
    NotificationKind(DECLINED, N_("Mentoring: a mentor declines my request, or does not answer")),
    NotificationKind(MESSAGE, N_("Mentoring: a new message in my mentoring thread")),
    # the session mails carry the calendar file themselves: in-app or never
    NotificationKind(SESSION, N_("Mentoring: a session is booked, moved or cancelled"), INAPP, (INAPP, NEVER)),
    NotificationKind(REMINDER, N_("Mentoring: reminders of offers and requests waiting")),
    NotificationKind(EXPIRY, N_("Mentoring: a request expires")),
    NotificationKind(CLOSED, N_("Mentoring: a mentoring relationship is closed")),
    NotificationKind(APPLICATION, N_("Mentoring (coordinators): a new mentor application")),
    NotificationKind(REPORT, N_("Mentoring (coordinators): a message is reported")),
]


def request_path(request_id: int) -> str:
    return f"/mentoring/requests/{request_id}"


async def coordinator_ids() -> list[int]:
    return sorted(set(await User.filter(roles__role=Role.COORDINATOR, deleted_at=None).values_list("id", flat=True)))


async def tell(
    user_ids: Iterable[int | None],
    kind: str,
    text: str,
    request: Request,
    actor_id: int | None,
    *,
    excerpt: str = "",
    path: str | None = None,
    **params: str | int,
) -> list[Any]:
    message = Message(text, {"topic": request.topic, **params})
    return await notifications.notify(
        [user_id for user_id in user_ids if user_id is not None],
        kind,
        message,
        url=path or request_path(request.id),
        actor_id=actor_id,
        excerpt=excerpt,
        data={"request_id": request.id},
    )


# --- session mails with their calendar file ------------------------------------------------------


def session_uid(session: Session) -> str:
    return f"mentoring-session-{session.id}@{host_of(mail.base_url())}"


def feed_item(session: Session, request: Request, base_url: str, summary: str) -> FeedItem:
    return FeedItem(
        uid=f"mentoring-session-{session.id}@{host_of(base_url)}",
        summary=summary,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        timezone=request.timezone,
        sequence=session.sequence,
        last_modified=session.updated_at,
        status="CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED",
        url=base_url + request_path(request.id),
        location=session.room_name or session.link,
    )


def session_ics(session: Session, request: Request, summary: str, method: str) -> str:
    item = feed_item(session, request, mail.base_url(), summary)
    cal = calendar.new_calendar(summary, method=method, refresh=None)
    cal.add_component(calendar.vevent(item, item.last_modified))
    return calendar.finish(cal, [item.timezone]).decode()


async def mail_session(people: Iterable[Any], session: Session, request: Request, template: str) -> None:
    """``mentoring/session_{template}`` (booked, changed, cancelled) to each person, with the
    invitation or the cancellation attached."""
    method = "CANCEL" if template == "cancelled" else "REQUEST"
    for person in people:
        if person is None:
            continue
        summary = mail_summary(person, request)
        content = session_ics(session, request, summary, method)
        attachment = mail.Attachment(
            filename="mentoring.ics", content_type=f"text/calendar; method={method}", content=content
        )
        await mail.send(
            person,
            f"mentoring/session_{template}",
            {"session": session, "mentoring_request": request, "path": request_path(request.id)},
            kind=MAIL_KIND,
            attachments=[attachment],
        )


def mail_summary(person: Any, request: Request) -> str:
    return i18n.gettext(person.locale, N_("Mentoring: %(topic)s"), topic=request.topic)
