"""The forum's rules: topics, posts, votes, accepted answers, moderation.

Every function owns its transaction, raises domain errors and publishes live
updates after the commit. Watching and mentions live in ``forum.notify``, search in
``forum.search``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from limits import parse as parse_limit
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from accounts.services import User
from forum import mentions, notify, permissions, queries, search
from forum.forms import CategoryIn, PostEdit, TopicIn
from forum.models import Category, ModerationEntry, Post, PostRevision, ReadState, Tag, Topic, TopicKind, Vote
from forum.queries import PostView, TopicView
from forum.reading import record_read
from notifications import services as notifications
from tierslieu import clock, pagecache, realtime
from tierslieu.errors import N_, Conflict, Forbidden, Invalid, NotFound
from tierslieu.ratelimit import Limit, RateLimiter

PAGE_SIZE = 20
NEW_ACCOUNT_AGE = timedelta(days=1)
POSTS_NEW_ACCOUNT = Limit("forum-post-new", parse_limit("10/10 minutes"))
POSTS_ESTABLISHED = Limit("forum-post", parse_limit("60/10 minutes"))
TOPICS_NEW_ACCOUNT = Limit("forum-topic-new", parse_limit("3/hour"))
TOPICS_ESTABLISHED = Limit("forum-topic", parse_limit("30/hour"))


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "categorie"


# --- rate limits ----------------------------------------------------------------------------


def _is_new(user: User) -> bool:
    return user.created_at is None or clock.now() - user.created_at < NEW_ACCOUNT_AGE


async def _rate_limit(limiter: RateLimiter | None, user: User, *, topic: bool) -> None:
    """Stricter for accounts younger than a day; moderators are not limited."""
    if limiter is None or permissions.is_moderator(user):
        return
    if topic:
        limit = TOPICS_NEW_ACCOUNT if _is_new(user) else TOPICS_ESTABLISHED
    else:
        limit = POSTS_NEW_ACCOUNT if _is_new(user) else POSTS_ESTABLISHED
    await limiter.check(limit, str(user.id))
    await limiter.hit(limit, str(user.id))


# --- categories and tags --------------------------------------------------------------------


async def list_categories() -> list[Category]:
    return await Category.all().order_by("position", "name")


def category_tree(categories: list[Category]) -> list[tuple[Category, list[Category]]]:
    """Top-level categories, each with its children."""
    children: dict[int, list[Category]] = {}
    for category in categories:
        if category.parent_id is not None:  # type: ignore[attr-defined]
            children.setdefault(category.parent_id, []).append(category)  # type: ignore[attr-defined]
    return [(c, children.get(c.id, [])) for c in categories if c.parent_id is None]  # type: ignore[attr-defined]


async def get_category(category_id: int) -> Category:
    category = await Category.get_or_none(id=category_id)
    if category is None:
        raise NotFound()
    return category


async def category_by_slug(slug: str) -> Category:
    # a slug from the path: NUL names no category (and PostgreSQL refuses it in text)
    category = None if "\x00" in slug else await Category.get_or_none(slug=slug)
    if category is None:
        raise NotFound()
    return category


async def create_category(actor: User, data: CategoryIn) -> Category:
    if not permissions.can_manage_categories(actor):
        raise Forbidden("forbidden", N_("Only moderators manage categories."))
    parent = None
    if data.parent_id is not None:
        parent = await Category.get_or_none(id=data.parent_id)
        if parent is None:
            raise Invalid(
                "invalid", N_("Some fields are missing or invalid."), fields={"parent_id": N_("Unknown category.")}
            )
        if parent.parent_id is not None:  # type: ignore[attr-defined]
            raise Invalid(
                "invalid",
                N_("Some fields are missing or invalid."),
                fields={"parent_id": N_("Categories nest one level only.")},
            )
    base = slugify(data.name)
    slug, n = base, 1
    async with in_transaction():
        while await Category.exists(slug=slug):
            n += 1
            slug = f"{base}-{n}"
        category = await Category.create(slug=slug, name=data.name, description=data.description, parent=parent)
        await log_moderation(
            actor, "category.create", reason="", details={"category_id": category.id, "name": data.name}
        )
    return category


async def update_category(actor: User, category_id: int, data: CategoryIn) -> Category:
    """Rename, describe or re-parent a category (still one level: a parent keeps no parent)."""
    if not permissions.can_manage_categories(actor):
        raise Forbidden("forbidden", N_("Only moderators manage categories."))
    category = await get_category(category_id)
    if data.parent_id is not None:
        parent = await Category.get_or_none(id=data.parent_id)
        invalid = N_("Some fields are missing or invalid.")
        if parent is None or parent.id == category.id:
            raise Invalid("invalid", invalid, fields={"parent_id": N_("Unknown category.")})
        if parent.parent_id is not None or await Category.exists(parent_id=category.id):  # type: ignore[attr-defined]
            raise Invalid("invalid", invalid, fields={"parent_id": N_("Categories nest one level only.")})
    async with in_transaction():
        before = {"name": category.name, "parent_id": category.parent_id}  # type: ignore[attr-defined]
        category.name, category.description = data.name, data.description
        category.parent_id = data.parent_id  # type: ignore[attr-defined]
        await category.save(update_fields=["name", "description", "parent_id"])
        await log_moderation(
            actor, "category.update", "", {"category_id": category.id, "before": before, "name": data.name}
        )
    await pagecache.bump(FORUM_VERSION)
    return category


async def _tags_for(names: list[str]) -> list[Tag]:
    tags = []
    for name in names:
        tag, _ = await Tag.get_or_create(name=name)
        tags.append(tag)
    return tags


async def popular_tags(limit: int = 30) -> list[Tag]:
    return await Tag.all().order_by("name").limit(limit)


# --- topics and posts -----------------------------------------------------------------------


def topic_versions(topic_id: int) -> tuple[str, ...]:
    """What a topic's pages show, for :func:`tierslieu.pagecache.cached`: the topic (its
    posts, votes, answer, state, place), the forum's categories and tags, people's names."""
    return (f"forum.topic:{topic_id}", FORUM_VERSION, pagecache.PEOPLE)


FORUM_VERSION = "forum"


async def topic_changed(topic_id: int, kind: str | None = None, **data: Any) -> None:
    """After a committed change to a topic: its kept pages go, and (with ``kind``) the
    readers of its live channel hear of it."""
    await pagecache.bump(f"forum.topic:{topic_id}")
    if kind is not None:
        await realtime.publish(f"topic:{topic_id}", kind, **data)


async def get_topic(topic_id: int, viewer: Any) -> Topic:
    """A topic the viewer may see (hidden ones only for moderators), else 404."""
    topic = await Topic.get_or_none(id=topic_id).prefetch_related("category", "tags", "author")
    if topic is None or not permissions.can_see_topic(viewer, topic):
        raise NotFound()
    return topic


async def topic_view(topic_id: int, viewer: Any) -> TopicView:
    """A topic the viewer may see, as its page shows it (hidden ones only for moderators),
    else 404; with the viewer's reading position and watch."""
    topic = await queries.topic(topic_id, viewer.id if viewer is not None else None)
    if topic is None or not permissions.can_see_topic(viewer, topic):
        raise NotFound()
    return topic


async def get_post(post_id: int, viewer: Any) -> tuple[Post, Topic]:
    """A post the viewer may see, with its topic, else 404: a hidden post is not found for
    whoever cannot read it (not a redirect that locates it, nor a 403 that confirms it), for
    every use at once (permalink, quote, flag, vote, accept, edit, history, the API)."""
    post = await Post.get_or_none(id=post_id).prefetch_related("author")
    if post is None or not permissions.can_see_post_body(viewer, post):
        raise NotFound()
    topic = await get_topic(post.topic_id, viewer)  # type: ignore[attr-defined]
    return post, topic


async def create_topic(author: User, data: TopicIn, *, limiter: RateLimiter | None = None) -> Topic:
    if not permissions.can_create_topic(author):
        raise Forbidden("forbidden", N_("You may not post in the forum."))
    category = await Category.get_or_none(id=data.category_id)
    if category is None:
        raise Invalid(
            "invalid", N_("Some fields are missing or invalid."), fields={"category_id": N_("Unknown category.")}
        )
    await _rate_limit(limiter, author, topic=True)
    rendered = await mentions.render(data.body)
    moment = clock.now()
    async with in_transaction():
        topic = await Topic.create(
            category=category,
            author=author,
            title=data.title,
            kind=TopicKind(data.kind),
            post_count=1,
            last_post_at=moment,
        )
        if data.tags:
            await topic.tags.add(*await _tags_for(data.tags))
        post = await Post.create(topic=topic, author=author, number=1, body_markdown=data.body, body_html=rendered.html)
        await search.index_post(post, topic)
        await notify.watch_topic(author, topic)
        await ReadState.create(user=author, topic=topic, last_read_number=1)
        sent = await notify.on_new_post(author, topic, post, rendered.mentioned, new_topic=True)
    await notifications.publish(sent)
    return topic


async def reply(author: User, topic_id: int, body: str, *, limiter: RateLimiter | None = None) -> tuple[Post, Topic]:
    if not permissions.is_active(author):
        raise Forbidden("forbidden", N_("You may not post in the forum."))
    topic = await get_topic(topic_id, author)
    _check_can_reply(author, topic)
    await _rate_limit(limiter, author, topic=False)
    rendered = await mentions.render(body)
    async with in_transaction():
        topic = await Topic.select_for_update().get(id=topic_id)
        _check_can_reply(author, topic)
        topic.post_count += 1
        topic.last_post_at = clock.now()
        await topic.save(update_fields=["post_count", "last_post_at"])
        post = await Post.create(
            topic=topic,
            author=author,
            number=topic.post_count,
            body_markdown=body,
            body_html=rendered.html,
        )
        await search.index_post(post, topic)
        await notify.watch_topic(author, topic)
        await record_read(author, topic.id, post.number)
        sent = await notify.on_new_post(author, topic, post, rendered.mentioned, new_topic=False)
    await topic_changed(topic.id, "post.created", id=post.id, number=post.number)
    await notifications.publish(sent)
    return post, topic


def _check_can_reply(user: User, topic: Topic) -> None:
    if topic.hidden_at is not None:
        raise NotFound()
    if topic.locked_at is not None:
        raise Conflict("topic_locked", N_("This topic is locked: it no longer accepts replies."))
    if not permissions.can_reply_topic(user, topic):
        raise Forbidden("forbidden", N_("You may not post in the forum."))


async def edit_post(editor: User, post_id: int, data: PostEdit) -> Post:
    post, topic = await get_post(post_id, editor)
    if not permissions.can_edit_post(editor, post, topic):
        if topic.locked_at is not None:
            raise Conflict("topic_locked", N_("This topic is locked: it no longer accepts replies."))
        raise Forbidden("forbidden", N_("Only the author or a moderator may edit this post."))
    new_title = data.title if post.number == 1 and data.title else topic.title
    if data.body == post.body_markdown and new_title == topic.title:
        return post
    rendered = await mentions.render(data.body)
    async with in_transaction():
        await PostRevision.create(
            post=post,
            editor=editor,
            title=topic.title if post.number == 1 else "",
            body_markdown=post.body_markdown,
            body_html=post.body_html,
        )
        post.body_markdown = data.body
        post.body_html = rendered.html
        post.edited_at = clock.now()
        await post.save(update_fields=["body_markdown", "body_html", "edited_at"])
        if new_title != topic.title:
            topic.title = new_title
            await topic.save(update_fields=["title"])
        await search.index_post(post, topic)
        if editor.id != post.author_id and permissions.is_moderator(editor):  # type: ignore[attr-defined]
            await log_moderation(editor, "post.edit", data.reason, {"post_id": post.id}, topic=topic, post=post)
    await topic_changed(topic.id, "post.updated", id=post.id)
    return post


async def revisions(post: Post) -> list[PostRevision]:
    return await PostRevision.filter(post_id=post.id).order_by("-created_at", "-id").prefetch_related("editor")


@dataclass
class TopicPage:
    topic: TopicView
    posts: list[PostView]
    page: int
    pages: int
    accepted: PostView | None


def display_order(post_count: int, solved_number: int | None) -> list[int]:
    """Post numbers in display order: the opening post, the accepted answer, the rest by time."""
    order = [1]
    if solved_number:
        order.append(solved_number)
    order += [n for n in range(2, post_count + 1) if n != solved_number]
    return order


def page_of(number: int, post_count: int, solved_number: int | None) -> int:
    if number == 1 or number == solved_number:
        return 1
    position = number - 1  # 0-based index in order without an accepted answer
    if solved_number and solved_number > number:
        position += 1
    return position // PAGE_SIZE + 1


async def _solved_number(topic: Topic) -> int | None:
    if topic.solved_post_id is None:
        return None
    found = await Post.filter(id=topic.solved_post_id).values_list("number", flat=True)
    return found[0] if found else None


async def topic_page(topic_id: int, page: int, viewer: Any) -> TopicPage:
    """A page of a topic the viewer may see (else 404), its posts in display order, each with
    the viewer's vote; a page past the last is the last."""
    reader = viewer.id if viewer is not None else None
    page = max(page, 1)
    # the posts of a page are numbered (page - 1) * PAGE_SIZE to page * PAGE_SIZE, besides the
    # opening post and the accepted answer (see display_order): one query reads them with the topic
    wanted = [1, *range(max((page - 1) * PAGE_SIZE, 2), page * PAGE_SIZE + 1)]
    found = await queries.topic_page(topic_id, wanted, reader)
    if found is None or not permissions.can_see_topic(viewer, found[0]):
        raise NotFound()
    topic, candidates = found
    pages = max(1, -(-topic.post_count // PAGE_SIZE))
    numbers = display_order(topic.post_count, topic.solved_number)
    if page > pages:
        page = pages
        candidates = await queries.posts(topic.id, numbers[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], reader)
    by_number = {p.number: p for p in candidates}
    posts = [by_number[n] for n in numbers[(page - 1) * PAGE_SIZE : page * PAGE_SIZE] if n in by_number]
    accepted = next((p for p in posts if p.id == topic.solved_post_id), None)
    return TopicPage(topic, posts, page, pages, accepted)


async def posts_after(topic: TopicView, after: int, viewer: Any, limit: int = 50) -> list[PostView]:
    """The posts numbered after ``after``, in order, each with the viewer's vote."""
    return await queries.posts_after(topic.id, after, limit, viewer.id if viewer is not None else None)


async def permalink_page(post: Post, topic: Topic) -> int:
    return page_of(post.number, topic.post_count, await _solved_number(topic))


# --- votes and accepted answers -------------------------------------------------------------


async def vote(user: User, post_id: int, value: int) -> Post:
    post, topic = await get_post(post_id, user)
    if post.author_id == user.id:  # type: ignore[attr-defined]
        raise Forbidden("own_post", N_("You cannot vote on your own post."))
    if topic.kind != TopicKind.QUESTION and value < 0:
        # a discussion has no wrong answer: its posts are thanked, never voted down
        raise Invalid("not_a_question", N_("In a discussion, a post is thanked, not voted down."))
    if not permissions.can_vote_post(user, post, topic):
        raise Forbidden("forbidden", N_("You may not vote on this post."))
    async with in_transaction():
        post = await Post.select_for_update().get(id=post_id)
        existing = await Vote.get_or_none(post_id=post_id, user_id=user.id)
        old = existing.value if existing else 0
        if old == value:
            return post
        if existing is not None and value == 0:
            await existing.delete()
        elif existing is not None:
            existing.value = value
            await existing.save(update_fields=["value"])
        else:
            try:
                await Vote.create(post_id=post_id, user_id=user.id, value=value)
            except IntegrityError:
                raise Conflict("conflict", N_("Your vote was already counted; try again.")) from None
        post.score += value - old
        await post.save(update_fields=["score"])
    await topic_changed(topic.id, "vote.changed", id=post.id, score=post.score)
    return post


async def accept_answer(user: User, post_id: int) -> Topic:
    post, topic = await get_post(post_id, user)
    if topic.kind != TopicKind.QUESTION:
        raise Invalid("not_a_question", N_("Only questions have an accepted answer."))
    if not permissions.can_accept_answer(user, topic):
        raise Forbidden("forbidden", N_("Only the person who asked, or a moderator, may accept an answer."))
    if post.number == 1:
        raise Invalid("invalid", N_("The question itself cannot be its answer."))
    if post.hidden_at is not None:
        raise Conflict("conflict", N_("A hidden post cannot be the accepted answer."))
    async with in_transaction():
        topic = await Topic.select_for_update().get(id=topic.id)
        if topic.solved_post_id == post.id:
            return topic
        topic.solved_post_id = post.id
        await topic.save(update_fields=["solved_post_id"])
        if user.id != topic.author_id:  # type: ignore[attr-defined]
            await log_moderation(user, "topic.accept", "", {"post_id": post.id}, topic=topic, post=post)
        sent = await notify.notify_users([post.author_id], "accepted", topic, post, user)  # type: ignore[attr-defined]
    await topic_changed(topic.id, "topic.solved", id=topic.id, post_id=post.id)
    await notifications.publish(sent)
    return topic


async def unaccept_answer(user: User, topic_id: int) -> Topic:
    topic = await get_topic(topic_id, user)
    if not permissions.can_accept_answer(user, topic):
        raise Forbidden("forbidden", N_("Only the person who asked, or a moderator, may accept an answer."))
    async with in_transaction():
        topic = await Topic.select_for_update().get(id=topic.id)
        topic.solved_post_id = None
        await topic.save(update_fields=["solved_post_id"])
    await topic_changed(topic.id, "topic.solved", id=topic.id, post_id=None)
    return topic


# --- the moderation log -------------------------------------------------------------------


async def log_moderation(
    actor: User,
    action: str,
    reason: str,
    details: dict[str, Any] | None = None,
    *,
    topic: Topic | None = None,
    post: Post | None = None,
) -> ModerationEntry:
    """Write an entry of the moderation log (inside the caller's transaction)."""
    return await ModerationEntry.create(
        actor=actor, action=action, reason=reason, details=details or {}, topic=topic, post=post
    )
