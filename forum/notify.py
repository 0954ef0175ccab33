"""Watching, @mentions and notifications (in-app, live, and by mail: immediately or in a daily digest)."""

from __future__ import annotations

import logging
import re
import unicodedata
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import BaseORMException, IntegrityError
from tortoise.transactions import in_transaction

from accounts.models import User
from forum import permissions
from forum.models import Category, Notification, Post, Topic, Watch
from tierslieu import mail, realtime
from tierslieu.background import Start, periodic
from tierslieu.errors import N_, NotFound
from tierslieu.parts import MailKind

log = logging.getLogger("tierslieu.forum")

MAIL_KIND = "forum"
DIGEST = "digest"
MAIL = MailKind(
    MAIL_KIND,
    N_("Forum: mentions, replies in topics I follow"),
    modes=(mail.IMMEDIATE, DIGEST, mail.NEVER),
    default=mail.IMMEDIATE,
)

MENTION_RE = re.compile(r"(?<![\w@])@([\w.-]{2,40})", re.UNICODE)
MAX_MENTIONS = 10
MENTION_SCAN = 20_000  # people whose names are compared when the quick prefix filter finds none
KIND_LABELS = {
    "mention": N_("%(actor)s mentioned you in “%(title)s”"),
    "reply": N_("%(actor)s replied in “%(title)s”"),
    "topic": N_("%(actor)s opened “%(title)s”"),
    "accepted": N_("%(actor)s accepted your answer in “%(title)s”"),
}
NOTIFICATIONS_PER_PAGE = 30
# off while demo content is written: in-app notifications only, no mail to demo addresses
MAIL_ENABLED: ContextVar[bool] = ContextVar("forum_mail_enabled", default=True)


def _fold(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


def mention_handle(user: User) -> str:
    """How to mention someone: their display name without spaces, e.g. @SophieLaurent."""
    return re.sub(r"\s+", "", user.display_name)


async def mentioned_users(text: str) -> list[User]:
    # code is not prose: no mentions inside code spans or blocks
    prose = re.sub(r"```.*?```|`[^`]*`", " ", text, flags=re.DOTALL)
    handles = []
    for handle in MENTION_RE.findall(prose):
        folded = _fold(handle)
        if folded and folded not in handles:
            handles.append(folded)
    found: list[User] = []
    for folded in handles[:MAX_MENTIONS]:
        candidates = await User.filter(deleted_at=None, display_name__istartswith=folded[:2]).limit(200)
        matches = [user for user in candidates if _fold(user.display_name) == folded]
        if not matches:
            # names starting with an accented letter ("Émilie") escape the prefix filter
            names = await User.filter(deleted_at=None).limit(MENTION_SCAN).values_list("id", "display_name")
            ids = [ident for ident, name in names if _fold(name) == folded]
            matches = await User.filter(id__in=ids) if ids else []
        found += [user for user in matches if user not in found]
    return found


# --- watching -------------------------------------------------------------------------------


async def watch_topic(user: User, topic: Topic) -> None:
    if not await Watch.exists(user_id=user.id, topic_id=topic.id):
        try:
            async with in_transaction():
                await Watch.create(user_id=user.id, topic_id=topic.id)
        except IntegrityError:
            pass  # a concurrent request did it


async def unwatch_topic(user: User, topic: Topic) -> None:
    await Watch.filter(user_id=user.id, topic_id=topic.id).delete()


async def watch_category(user: User, category: Category) -> None:
    if not await Watch.exists(user_id=user.id, category_id=category.id):
        try:
            async with in_transaction():
                await Watch.create(user_id=user.id, category_id=category.id)
        except IntegrityError:
            pass


async def unwatch_category(user: User, category: Category) -> None:
    await Watch.filter(user_id=user.id, category_id=category.id).delete()


async def is_watching(user: Any, *, topic: Topic | None = None, category: Category | None = None) -> bool:
    if user is None:
        return False
    if topic is not None:
        return await Watch.exists(user_id=user.id, topic_id=topic.id)
    return await Watch.exists(user_id=user.id, category_id=category.id if category else None)


# --- creating notifications (inside the caller's transaction) -------------------------------


async def on_new_post(author: User, topic: Topic, post: Post, *, new_topic: bool) -> list[Notification]:
    """Mentioned people, then watchers of the topic (or, for a new topic, of its category)."""
    recipients: dict[int, str] = {}
    for user in await mentioned_users(post.body_markdown):
        recipients.setdefault(user.id, "mention")
    if new_topic:
        category_ids = [topic.category_id]  # type: ignore[attr-defined]
        parent = await Category.filter(id=topic.category_id).values_list("parent_id", flat=True)  # type: ignore[attr-defined]
        if parent and parent[0]:
            category_ids.append(parent[0])
        watchers = await Watch.filter(category_id__in=category_ids).values_list("user_id", flat=True)
        kind = "topic"
    else:
        watchers = await Watch.filter(topic_id=topic.id).values_list("user_id", flat=True)
        kind = "reply"
    for user_id in watchers:
        recipients.setdefault(user_id, kind)
    recipients.pop(author.id, None)
    created: list[Notification] = []
    for kind_name in ("mention", "reply", "topic"):
        ids = [user_id for user_id, k in recipients.items() if k == kind_name]
        created += await notify_users(ids, kind_name, topic, post, author)
    return created


async def notify_users(
    user_ids: list[int], kind: str, topic: Topic, post: Post | None, actor: User
) -> list[Notification]:
    created = []
    users = await User.filter(id__in=[i for i in user_ids if i != actor.id], deleted_at=None)
    for user in users:
        if not permissions.can_see_topic(user, topic):
            continue
        preference = mail.preference(user, MAIL_KIND)
        notification = await Notification.create(
            user=user,
            kind=kind,
            topic=topic,
            post=post,
            actor=actor,
            digest_pending=preference == DIGEST and MAIL_ENABLED.get(),
        )
        if preference == mail.IMMEDIATE and MAIL_ENABLED.get():
            await mail.send(
                user,
                "forum/notification",
                {"items": [_mail_item(notification, topic, post, actor)]},
                kind=MAIL_KIND,
            )
        created.append(notification)
    return created


def _mail_item(notification: Notification, topic: Topic, post: Post | None, actor: User) -> dict[str, Any]:
    path = f"/forum/p/{post.id}" if post is not None else f"/forum/t/{topic.id}"
    return {
        "kind": notification.kind,
        "label": KIND_LABELS.get(notification.kind, KIND_LABELS["reply"]),
        "actor": actor.display_name,
        "title": topic.title,
        "path": path,
        "excerpt": (post.body_markdown[:300] if post is not None else ""),
    }


async def announce(notifications: list[Notification]) -> None:
    """After the commit: tell each recipient's open pages."""
    for notification in notifications:
        await realtime.publish(
            f"user:{notification.user_id}",  # type: ignore[attr-defined]
            "notification.created",
            id=notification.id,
            topic_id=notification.topic_id,  # type: ignore[attr-defined]
        )


# --- reading notifications ------------------------------------------------------------------


async def unread_count(user: Any) -> int:
    if user is None:
        return 0
    return await Notification.filter(user_id=user.id, read_at=None).count()


async def list_notifications(user: User, page: int = 1) -> tuple[list[Notification], int]:
    query = Notification.filter(user_id=user.id)
    total = await query.count()
    pages = max(1, -(-total // NOTIFICATIONS_PER_PAGE))
    items = (
        await query.order_by("-created_at", "-id")
        .offset((min(page, pages) - 1) * NOTIFICATIONS_PER_PAGE)
        .limit(NOTIFICATIONS_PER_PAGE)
        .prefetch_related("topic", "actor")
    )
    return items, pages


async def open_notification(user: User, notification_id: int) -> Notification:
    notification = await Notification.get_or_none(id=notification_id, user_id=user.id)
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = datetime.now(UTC)
        await notification.save(update_fields=["read_at"])
    return notification


async def mark_all_read(user: User) -> int:
    return await Notification.filter(user_id=user.id, read_at=None).update(read_at=datetime.now(UTC))


# --- daily digest ---------------------------------------------------------------------------


async def send_digests(*, older_than: timedelta = timedelta(0)) -> int:
    """One mail per person with pending digest notifications; returns the number of mails."""
    cutoff = datetime.now(UTC) - older_than
    user_ids = await (
        Notification.filter(digest_pending=True, created_at__lte=cutoff).distinct().values_list("user_id", flat=True)
    )
    sent = 0
    for user_id in user_ids:
        async with in_transaction():
            user = await User.get_or_none(id=user_id)
            items = (
                await Notification.filter(user_id=user_id, digest_pending=True)
                .order_by("created_at")
                .prefetch_related("topic", "post", "actor")
                .select_for_update()
            )
            pending = [n for n in items if n.read_at is None]
            if user is not None and pending and mail.preference(user, MAIL_KIND) == DIGEST:
                context = {"items": [_mail_item(n, n.topic, n.post, n.actor or user) for n in pending[:50]]}
                if await mail.send(user, "forum/digest", context, kind=MAIL_KIND) is not None:
                    sent += 1
            await Notification.filter(id__in=[n.id for n in items]).update(digest_pending=False)
    return sent


DIGEST_EVERY = timedelta(hours=24)
DIGEST_POLL_SECONDS = 3600.0


async def _send_due_digests() -> None:
    # a person's digest goes out once their oldest pending notification is a day old
    await send_digests(older_than=DIGEST_EVERY)


# Started by the app's lifespan when background tasks run (the manifest lists them).
jobs: list[Start] = [
    periodic("forum-digests", DIGEST_POLL_SECONDS, _send_due_digests, (BaseORMException, OSError))
]
