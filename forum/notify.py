"""Watching, and who hears of a new post (mentioned people, watchers), through
``notifications.services``. Mentions themselves are in ``forum.mentions``."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from accounts.services import User, active_users
from forum import permissions
from forum.models import Category, Post, Topic, Watch
from notifications import services as notifications
from tierslieu.errors import N_
from tierslieu.i18n import Message
from tierslieu.parts import NotificationKind

KIND_LABELS = {
    "mention": N_("%(actor)s mentioned you in “%(title)s”"),
    "reply": N_("%(actor)s replied in “%(title)s”"),
    "topic": N_("%(actor)s opened “%(title)s”"),
    "accepted": N_("%(actor)s accepted your answer in “%(title)s”"),
}
# The forum's kinds of notification, for forum/part.py (``notification_kinds``).
NOTIFICATION_KINDS = [
    NotificationKind("forum.mention", N_("Forum: someone mentions me")),
    NotificationKind("forum.reply", N_("Forum: a reply in a topic I follow")),
    NotificationKind("forum.topic", N_("Forum: a new topic in a category I follow")),
    NotificationKind("forum.accepted", N_("Forum: my answer is accepted")),
]


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


async def on_new_post(
    author: User, topic: Topic, post: Post, mentioned: list[User], *, new_topic: bool
) -> list[notifications.Notification]:
    """The people the post mentions (:func:`forum.mentions.render`), then watchers of the
    topic (or, for a new topic, of its category)."""
    recipients: dict[int, str] = {}
    for user in mentioned:
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
    created: list[notifications.Notification] = []
    for kind_name in ("mention", "reply", "topic"):
        ids = [user_id for user_id, k in recipients.items() if k == kind_name]
        created += await notify_users(ids, kind_name, topic, post, author)
    return created


async def notify_users(
    user_ids: list[int], kind: str, topic: Topic, post: Post | None, actor: User
) -> list[notifications.Notification]:
    """Notify the people who may see the topic; ``kind`` is mention, reply, topic or accepted."""
    visible = [user.id for user in await active_users(user_ids) if permissions.can_see_topic(user, topic)]
    return await notifications.notify(
        visible,
        f"forum.{kind}",
        Message(KIND_LABELS[kind], {"actor": actor.display_name, "title": topic.title}),
        url=f"/forum/p/{post.id}" if post is not None else f"/forum/t/{topic.id}",
        actor_id=actor.id,
        excerpt=post.body_markdown if post is not None else "",
        data={"topic_id": topic.id},
    )
