"""Reading: topic lists with filters and page numbers, and how far each person has read."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from accounts.services import User
from forum import permissions, queries
from forum.models import Category, Post, ReadState, Topic, TopicKind
from tierslieu.errors import N_, Invalid, NotFound
from tierslieu.validation import parse_id, parse_instant

TOPICS_PER_PAGE = 30


@dataclass(slots=True)
class TopicRow:
    """A topic as a list of topics shows it."""

    id: int
    title: str
    kind: TopicKind
    pinned: bool
    hidden_at: datetime | None
    locked_at: datetime | None
    solved_post_id: int | None
    post_count: int
    last_post_at: datetime
    category: queries.CategoryRef
    author: queries.Author
    tags: list[str]  # names, in the order the tags were made


@dataclass
class TopicList:
    topics: list[TopicRow]
    page: int
    pages: int
    unread: dict[int, int]


_ROW = (
    "id", "title", "kind", "pinned", "hidden_at", "locked_at", "solved_post_id", "post_count", "last_post_at",
    "category_id", "category__slug", "category__name", "author_id", "author__display_name",
)  # fmt: skip


async def list_topics(
    viewer: Any,
    *,
    category_ids: list[int] | None = None,
    tag: str | None = None,
    status: str | None = None,
    page: int = 1,
) -> TopicList:
    """A page of topics (of the categories ``category_ids`` when given), pinned ones first,
    then the latest activity: the columns a list shows, the category and the author joined,
    the tags in a second query."""
    query = _filtered(viewer, category_ids, tag, status)
    total = await query.count()
    pages = max(1, -(-total // TOPICS_PER_PAGE))
    page = min(max(page, 1), pages)
    found = (
        await query.order_by("-pinned", "-last_post_at", "-id")
        .offset((page - 1) * TOPICS_PER_PAGE)
        .limit(TOPICS_PER_PAGE)
        .values_list(*_ROW)
    )
    tags = await queries.tag_names([row[0] for row in found])
    topics = [_row(values, tags.get(values[0], [])) for values in found]
    return TopicList(topics, page, pages, await unread_counts(viewer, topics))


def _row(values: tuple[Any, ...], tags: list[str]) -> TopicRow:
    # (the values in the order of _ROW, converted by the ORM)
    return TopicRow(*values[:9], queries.CategoryRef(*values[9:12]), queries.Author(*values[12:14]), tags)


async def unread_counts(viewer: Any, topics: list[Topic] | list[TopicRow]) -> dict[int, int]:
    """Topic id → posts not read yet, for topics this person has opened before."""
    if viewer is None or not topics:
        return {}
    rows = await ReadState.filter(user_id=viewer.id, topic_id__in=[t.id for t in topics]).values_list(
        "topic_id", "last_read_number"
    )
    counts = {t.id: t.post_count for t in topics}
    return {topic_id: counts[topic_id] - last for topic_id, last in rows if counts[topic_id] > last}


async def record_read(user: User, topic_id: int, number: int) -> None:
    """This person has read ``topic_id`` up to post ``number`` (never moves back)."""
    updated = await ReadState.filter(user_id=user.id, topic_id=topic_id, last_read_number__lt=number).update(
        last_read_number=number
    )
    if not updated and not await ReadState.exists(user_id=user.id, topic_id=topic_id):
        try:
            async with in_transaction():
                await ReadState.create(user_id=user.id, topic_id=topic_id, last_read_number=number)
        except IntegrityError:
            await ReadState.filter(user_id=user.id, topic_id=topic_id, last_read_number__lt=number).update(
                last_read_number=number
            )


async def last_read(user: Any, topic: Topic) -> int:
    if user is None:
        return 0
    found = await ReadState.filter(user_id=user.id, topic_id=topic.id).values_list("last_read_number", flat=True)
    return found[0] if found else 0


async def mark_read(user: Any, topic: Topic, numbers: list[int], already: int) -> None:
    """Remember how far a signed-in person has read; writes only when they read further."""
    if user is None or not numbers:
        return
    highest = max(numbers)
    if highest > already:
        await record_read(user, topic.id, highest)


async def first_unread_post(user: Any, topic: Topic) -> Post:
    # an anonymous reader has no reading position: the newest post then
    number = topic.post_count if user is None else min((await last_read(user, topic)) + 1, topic.post_count)
    post = await Post.get_or_none(topic_id=topic.id, number=number)
    if post is None:
        raise NotFound()
    return post


def _filtered(viewer: Any, category_ids: list[int] | None, tag: str | None, status: str | None):
    query = Topic.all()
    if not permissions.is_moderator(viewer):
        query = query.filter(hidden_at=None)
    if category_ids is not None:
        query = query.filter(category_id__in=category_ids)
    if tag:
        query = query.filter(tags__name=tag)
    if status == "unanswered":
        query = query.filter(post_count=1)
    elif status == "solved":
        query = query.filter(solved_post_id__not_isnull=True)
    elif status == "unsolved":
        query = query.filter(kind=TopicKind.QUESTION, solved_post_id__isnull=True)
    return query


def encode_cursor(topic: Topic) -> str:
    raw = f"{topic.last_post_at.isoformat()}|{topic.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, ident = raw.split("|")
        parsed, topic_id = parse_instant(moment), parse_id(ident)
        if parsed is None or topic_id is None:
            raise ValueError(raw)
        return parsed, topic_id
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise Invalid(
            "invalid", N_("Some fields are missing or invalid."), fields={"cursor": N_("This value is not valid.")}
        ) from None


async def topics_after(
    viewer: Any,
    *,
    category_id: int | None = None,
    tag: str | None = None,
    status: str | None = None,
    limit: int = 30,
    cursor: str | None = None,
) -> tuple[list[Topic], str | None]:
    """Latest activity first, for the API: a page and the cursor of the next one."""
    category_ids = None
    if category_id is not None:
        children = await Category.filter(parent_id=category_id).values_list("id", flat=True)
        category_ids = [category_id, *children]
    query = _filtered(viewer, category_ids, tag, status)
    if cursor:
        moment, ident = decode_cursor(cursor)
        query = query.filter(Q(last_post_at__lt=moment) | Q(last_post_at=moment, id__lt=ident))
    topics = await query.order_by("-last_post_at", "-id").limit(limit + 1).prefetch_related("tags")
    more = len(topics) > limit
    topics = topics[:limit]
    return topics, encode_cursor(topics[-1]) if more else None
