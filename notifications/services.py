"""In-app notifications for every part: the only module other parts import.

A part declares its kinds (``NotificationKind`` in its manifest) and calls :func:`notify`
inside its own transaction, then :func:`publish` after the commit. Each person chooses, per
kind, ``inapp`` (the notifications page and the unread badge), ``immediate`` (and a mail at
once), ``digest`` (and one mail a day) or ``never``; notification mails are of the one
optional mail kind :data:`MAIL_KIND`, which a one-click unsubscribe turns off.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tortoise.exceptions import BaseORMException
from tortoise.transactions import in_transaction

from accounts.services import active_users, find_active
from notifications.models import Notification, Preference
from tierslieu import clock, db, mail, parts, realtime
from tierslieu.background import Start, periodic
from tierslieu.errors import N_, Invalid, NotFound
from tierslieu.i18n import Message
from tierslieu.parts import DIGEST, IMMEDIATE, NEVER, NotificationKind

MAIL_KIND = "notifications"
PER_PAGE = 30
EXCERPT_LENGTH = 300
DIGEST_EVERY = timedelta(hours=24)
DIGEST_POLL_SECONDS = 3600.0
DIGEST_MAX_ITEMS = 50
MODE_LABELS = {
    parts.INAPP: N_("On this site only"),
    IMMEDIATE: N_("On this site and by mail at once"),
    DIGEST: N_("On this site and in a daily mail"),
    NEVER: N_("Never"),
}
_MAIL_ENABLED: ContextVar[bool] = ContextVar("notifications_mail_enabled", default=True)


@contextmanager
def without_mail() -> Iterator[None]:
    """Inside the block, notifications are written without any mail (demo content)."""
    token = _MAIL_ENABLED.set(False)
    try:
        yield
    finally:
        _MAIL_ENABLED.reset(token)


def kinds() -> list[NotificationKind]:
    """Every kind of every installed part, in the order of the parts."""
    return list(parts.installed().notification_kinds.values())


def _kind(name: str) -> NotificationKind:
    declared = parts.installed().notification_kinds.get(name)
    if declared is None:
        raise ValueError(f"unknown notification kind {name!r}: declare it in the part's manifest")
    return declared


# --- creating (inside the caller's transaction) -----------------------------------------


async def _modes(user_ids: Iterable[int], kind: NotificationKind) -> dict[int, str]:
    chosen = dict(await Preference.filter(user_id__in=list(user_ids), kind=kind.name).values_list("user_id", "mode"))
    return {user_id: _valid(kind, chosen.get(user_id)) for user_id in user_ids}


def _valid(kind: NotificationKind, chosen: str | None) -> str:
    """The chosen mode while the kind still offers it, else the kind's default."""
    return chosen if chosen in kind.modes else kind.default


async def notify(
    user_ids: Iterable[int],
    kind: str,
    message: Message,
    *,
    url: str,
    actor_id: int | None = None,
    excerpt: str = "",
    data: Mapping[str, str | int] | None = None,
) -> list[Notification]:
    """Notify these people (deleted ones and the actor left out) of ``kind``, each as they
    chose: written on the current connection, so inside the caller's transaction when there
    is one. ``url`` is the local path the notification opens; ``data`` small plain values
    sent with the live message (call :func:`publish` with the result after the commit).
    An undeclared kind is a programming error: ValueError."""
    declared = _kind(kind)
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError(f"a notification opens a local path, not {url!r}")
    wanted = sorted({user_id for user_id in user_ids if user_id != actor_id})
    if not wanted:
        return []
    people = await active_users(wanted)
    modes = await _modes([person.id for person in people], declared)
    mails = _MAIL_ENABLED.get()
    created: list[Notification] = []
    for person in people:
        mode = modes[person.id]
        if mode == NEVER:
            continue
        notification = await Notification.create(
            user_id=person.id,
            kind=declared.name,
            message=message.to_json(),
            url=url,
            excerpt=excerpt[:EXCERPT_LENGTH],
            data=dict(data or {}),
            actor_id=actor_id,
            digest_pending=mode == DIGEST and mails,
        )
        if mode == IMMEDIATE and mails:
            await mail.send(person, "notifications/notification", {"items": [_mail_item(notification)]}, kind=MAIL_KIND)
        created.append(notification)
    return created


def _mail_item(notification: Notification) -> dict[str, Any]:
    return {
        "message": Message.from_json(notification.message),
        "url": notification.url,
        "excerpt": notification.excerpt,
    }


async def publish(created: Iterable[Notification]) -> None:
    """After the commit: tell each recipient's open pages (channel ``user:{id}``)."""
    for notification in created:
        await realtime.publish(
            f"user:{notification.user_id}",  # type: ignore[attr-defined]
            "notification.created",
            id=notification.id,
            **notification.data,
        )


# --- reading --------------------------------------------------------------------------------


# The header's badge, on every page a signed-in person opens: written once rather than built
# by the ORM at each request (which cost more than the count itself)
_UNREAD = "SELECT COUNT(*) FROM notifications_notification WHERE user_id = $1 AND read_at IS NULL"


async def unread_count(user: Any, *, part: str | None = None) -> int:
    """How many notifications this person has not opened (of one part's kinds when given):
    one COUNT over the (user, read_at) index. 0 for an anonymous visitor, without a query."""
    if user is None:
        return 0
    if part is None:
        ((count,),) = await db.rows(_UNREAD, [user.id])
        return count
    return await Notification.filter(user_id=user.id, read_at=None, kind__startswith=f"{part}.").count()


@dataclass(frozen=True)
class Listing:
    items: list[tuple[Notification, Message]]
    page: int
    pages: int


async def list_notifications(user: Any, page: int = 1) -> Listing:
    """A page of this person's notifications, newest first, with their messages."""
    query = Notification.filter(user_id=user.id)
    pages = max(1, -(-(await query.count()) // PER_PAGE))
    page = min(max(page, 1), pages)
    rows = (
        await query.order_by("-created_at", "-id")
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
        .prefetch_related("actor")
    )
    return Listing([(row, shown_message(row)) for row in rows], page, pages)


def shown_message(notification: Notification) -> Message:
    """The stored message, with ``actor`` the actor's current name (someone renamed or
    anonymised since shows as they are now); the actor must have been fetched."""
    message = Message.from_json(notification.message)
    actor = notification.actor if notification.actor_id is not None else None  # type: ignore[attr-defined]
    if actor is None:
        return message
    return Message(message.id, {**message.params, "actor": actor.display_name})


async def open_notification(user: Any, notification_id: int) -> Notification:
    """One of this person's notifications, marked read (404 for anyone else's)."""
    notification = await Notification.get_or_none(id=notification_id, user_id=user.id)
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = clock.now()
        await Notification.filter(id=notification.id, read_at=None).update(read_at=notification.read_at)
    return notification


async def mark_all_read(user: Any) -> int:
    return await Notification.filter(user_id=user.id, read_at=None).update(read_at=clock.now())


# --- preferences ------------------------------------------------------------------------------


async def preferences(user: Any) -> dict[str, str]:
    """The mode of every installed kind for this person: their choice, else the default."""
    chosen = dict(await Preference.filter(user_id=user.id).values_list("kind", "mode"))
    return {kind.name: _valid(kind, chosen.get(kind.name)) for kind in kinds()}


async def set_preferences(user: Any, choices: Mapping[str, Any]) -> dict[str, str]:
    """Store a mode for each installed kind named in ``choices``; a missing kind keeps its
    mode, a mode that the kind does not offer is an invalid field."""
    declared = {kind.name: kind for kind in kinds()}
    wanted = {name: mode for name, mode in choices.items() if name in declared}
    wrong = {
        name: N_("Choose one of the proposed values.")
        for name, mode in wanted.items()
        if mode not in declared[name].modes
    }
    if wrong:
        raise Invalid("invalid", N_("Some fields are missing or invalid."), fields=wrong)
    if wanted:
        rows = [Preference(user_id=user.id, kind=name, mode=mode) for name, mode in wanted.items()]
        await Preference.bulk_create(rows, on_conflict=["user_id", "kind"], update_fields=["mode"])
    return await preferences(user)


# --- the daily digest -------------------------------------------------------------------------


async def send_digests(*, older_than: timedelta = timedelta(0)) -> int:
    """One mail per person whose oldest pending digest notification is at least ``older_than``
    old, with their unread ones of kinds still set to ``digest``; returns the number of mails."""
    cutoff = clock.now() - older_than
    user_ids = await (
        Notification.filter(digest_pending=True, created_at__lte=cutoff).distinct().values_list("user_id", flat=True)
    )
    sent = 0
    for user_id in user_ids:
        async with in_transaction():
            items = (
                await Notification.filter(user_id=user_id, digest_pending=True)
                .order_by("created_at", "id")
                .select_for_update()
            )
            person = await find_active(user_id)
            if person is not None:
                modes = await preferences(person)
                pending = [n for n in items if n.read_at is None and modes.get(n.kind) == DIGEST]
                if pending:
                    context = {"items": [_mail_item(n) for n in pending[:DIGEST_MAX_ITEMS]], "total": len(pending)}
                    if await mail.send(person, "notifications/digest", context, kind=MAIL_KIND) is not None:
                        sent += 1
            await Notification.filter(id__in=[n.id for n in items]).update(digest_pending=False)
    return sent


async def _send_due_digests() -> None:
    # a person's digest goes out once their oldest pending notification is a day old
    await send_digests(older_than=DIGEST_EVERY)


jobs: list[Start] = [
    periodic("notifications-digests", DIGEST_POLL_SECONDS, _send_due_digests, (BaseORMException, OSError))
]


# --- personal data ----------------------------------------------------------------------------


async def export(user: Any) -> dict[str, Any]:
    rows = await Notification.filter(user_id=user.id).order_by("id").prefetch_related("actor")
    return {
        "notifications": [
            {
                "kind": row.kind,
                "text": shown_message(row).text(user.locale),
                "url": row.url,
                "excerpt": row.excerpt,
                "created_at": row.created_at,
                "read_at": row.read_at,
            }
            for row in rows
        ],
        "preferences": dict(await Preference.filter(user_id=user.id).order_by("kind").values_list("kind", "mode")),
    }


async def erase(user: Any) -> None:
    """Their notifications and choices go; in other people's notifications, the name they
    had when they caused them goes too (the anonymised name is shown instead)."""
    await Notification.filter(user_id=user.id).delete()
    await Preference.filter(user_id=user.id).delete()
    for row in await Notification.filter(actor_id=user.id).select_for_update():
        params = {key: value for key, value in (row.message.get("params") or {}).items() if key != "actor"}
        await Notification.filter(id=row.id).update(message={**row.message, "params": params})
