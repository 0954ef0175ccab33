"""Moderation: flags and the review queue, hide/restore, lock, pin, move, tags; every action logged."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from accounts.services import User
from forum import permissions, search
from forum.models import Category, Flag, ModerationEntry, Post, Tag, Topic
from forum.services import FORUM_VERSION, get_post, log_moderation, topic_changed
from tierslieu import clock, pagecache
from tierslieu.errors import N_, Conflict, Forbidden, Invalid, NotFound


async def rename_tag(actor: User, name: str, new_name: str, reason: str) -> Tag:
    if not permissions.can_moderate(actor):
        raise Forbidden("forbidden", N_("Only moderators manage tags."))
    async with in_transaction():
        tag = await Tag.get_or_none(name=name)
        if tag is None:
            raise NotFound()
        if new_name != name and await Tag.exists(name=new_name):
            raise Conflict("conflict", N_("This tag already exists: merge the two tags instead."))
        tag.name = new_name
        await tag.save(update_fields=["name"])
        await log_moderation(actor, "tag.rename", reason, {"from": name, "to": new_name})
    await pagecache.bump(FORUM_VERSION)
    return tag


async def merge_tags(actor: User, name: str, into: str, reason: str) -> Tag:
    """Every topic tagged ``name`` gets ``into`` instead; ``name`` disappears."""
    if not permissions.can_moderate(actor):
        raise Forbidden("forbidden", N_("Only moderators manage tags."))
    if name == into:
        raise Invalid("invalid", N_("Choose two different tags."))
    async with in_transaction():
        source = await Tag.get_or_none(name=name)
        if source is None:
            raise NotFound()
        target, _ = await Tag.get_or_create(name=into)
        for topic in await source.topics.all():
            if not await topic.tags.filter(id=target.id).exists():
                await topic.tags.add(target)
        await source.delete()
        await log_moderation(actor, "tag.merge", reason, {"from": name, "into": into})
    await pagecache.bump(FORUM_VERSION)
    return target


async def flag_post(user: User, post_id: int, reason: str) -> Flag:
    post, _topic = await get_post(post_id, user)
    if not permissions.can_flag_post(user, post):
        raise Forbidden("forbidden", N_("You cannot flag your own post."))
    if await Flag.exists(post_id=post.id, user_id=user.id, resolved_at=None):
        raise Conflict("conflict", N_("You have already flagged this post; moderators will look at it."))
    async with in_transaction():
        await Flag.filter(post_id=post.id, user_id=user.id).delete()
        return await Flag.create(post=post, user=user, reason=reason)


async def review_queue() -> list[Flag]:
    return (
        await Flag.filter(resolved_at=None)
        .order_by("created_at")
        .prefetch_related("post", "post__topic", "post__author", "user")
    )


def _require_moderator(actor: User) -> None:
    if not permissions.can_moderate(actor):
        raise Forbidden("forbidden", N_("Only moderators may do this."))


async def resolve_flag(actor: User, flag_id: int, action: str, reason: str) -> Flag:
    """``action``: "hide" hides the post, "dismiss" keeps it. Every open flag of the post closes."""
    _require_moderator(actor)
    flag = await Flag.get_or_none(id=flag_id)
    if flag is None:
        raise NotFound()
    if action == "hide":
        await set_post_hidden(actor, flag.post_id, True, reason)  # type: ignore[attr-defined]
    elif action != "dismiss":
        raise Invalid("invalid", N_("Choose one of the proposed values."))
    async with in_transaction():
        await Flag.filter(post_id=flag.post_id, resolved_at=None).update(  # type: ignore[attr-defined]
            resolved_at=clock.now(), resolved_by_id=actor.id, resolution=action
        )
        if action == "dismiss":
            post = await Post.get(id=flag.post_id)  # type: ignore[attr-defined]
            await log_moderation(actor, "flag.dismiss", reason, {"post_id": post.id}, topic=await post.topic, post=post)
    return flag


async def set_post_hidden(actor: User, post_id: int, hidden: bool, reason: str) -> Post:
    _require_moderator(actor)
    post, topic = await get_post(post_id, actor)
    if post.number == 1:
        await set_topic_state(actor, topic.id, "hide" if hidden else "restore", reason)
    async with in_transaction():
        post.hidden_at = clock.now() if hidden else None
        await post.save(update_fields=["hidden_at"])
        if hidden and topic.solved_post_id == post.id:
            topic.solved_post_id = None
            await topic.save(update_fields=["solved_post_id"])
        await log_moderation(actor, "post.hide" if hidden else "post.restore", reason, {}, topic=topic, post=post)
    if hidden:
        await search.remove_post(post.id)
    else:
        await search.index_post(post, topic)
    await topic_changed(topic.id, "post.updated", id=post.id)
    return post


TOPIC_ACTIONS = {"lock", "unlock", "pin", "unpin", "hide", "restore"}


async def set_topic_state(actor: User, topic_id: int, action: str, reason: str) -> Topic:
    _require_moderator(actor)
    if action not in TOPIC_ACTIONS:
        raise Invalid("invalid", N_("Choose one of the proposed values."))
    async with in_transaction():
        topic = await Topic.select_for_update().get_or_none(id=topic_id)
        if topic is None:
            raise NotFound()
        moment = clock.now()
        if action in ("lock", "unlock"):
            topic.locked_at = moment if action == "lock" else None
        elif action in ("pin", "unpin"):
            topic.pinned = action == "pin"
        else:
            topic.hidden_at = moment if action == "hide" else None
        await topic.save(update_fields=["locked_at", "pinned", "hidden_at"])
        await log_moderation(actor, f"topic.{action}", reason, {}, topic=topic)
    await topic_changed(topic.id)
    return topic


async def move_topic(actor: User, topic_id: int, category_id: int, reason: str) -> Topic:
    _require_moderator(actor)
    category = await Category.get_or_none(id=category_id)
    if category is None:
        raise Invalid(
            "invalid", N_("Some fields are missing or invalid."), fields={"category_id": N_("Unknown category.")}
        )
    async with in_transaction():
        topic = await Topic.select_for_update().get_or_none(id=topic_id)
        if topic is None:
            raise NotFound()
        old = topic.category_id  # type: ignore[attr-defined]
        topic.category = category
        await topic.save(update_fields=["category_id"])
        await log_moderation(actor, "topic.move", reason, {"from": old, "to": category.id}, topic=topic)
    await topic_changed(topic.id)
    return topic


async def moderation_log(page: int = 1, per_page: int = 50) -> tuple[list[ModerationEntry], int]:
    total = await ModerationEntry.all().count()
    pages = max(1, -(-total // per_page))
    entries = (
        await ModerationEntry.all()
        .order_by("-created_at", "-id")
        .offset((min(page, pages) - 1) * per_page)
        .limit(per_page)
        .prefetch_related("actor", "topic")
    )
    return entries, pages
