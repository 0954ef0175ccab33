"""The topic page's reads in the database's own SQL (always with bound parameters).

A topic page is the forum's most read page. Through the ORM it took a dozen queries (the
topic, its category, tags and author, the posts, their authors, the reader's votes, reading
position and watch), each built anew and hydrated into full models. Here it takes one,
:func:`topic_page`, with the columns the page shows only: the topic with its category,
author, tags, accepted answer's number and what the reader has done with it, beside the posts
with their authors and the reader's votes, read by position into small records.
:func:`topic`, :func:`posts` and :func:`posts_after` read the same records apart (the live
"new replies" fragment, a page past the last).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import connections

from forum.models import TopicKind
from tierslieu import db


@dataclass(frozen=True, slots=True)
class Author:
    """Who wrote a topic or a post, as pages show them (a deleted account's page is gone:
    its name is not linked)."""

    id: int
    display_name: str
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class CategoryRef:
    id: int
    slug: str
    name: str


@dataclass(slots=True)
class TopicView:
    """A topic as its page shows it, with what the reader has done with it (``last_read``:
    the highest post number they have seen; ``watching``); both empty for an anonymous reader."""

    id: int
    title: str
    kind: TopicKind
    category_id: int
    category: CategoryRef
    author_id: int
    author: Author
    tags: list[str]  # names, in the order the tags were made
    solved_post_id: int | None
    solved_number: int | None  # the number of the accepted answer
    post_count: int
    locked_at: datetime | None
    hidden_at: datetime | None
    pinned: bool
    last_read: int
    watching: bool


@dataclass(slots=True)
class PostView:
    """A post as a topic page shows it; ``my_vote`` is the reader's vote on it (0: none)."""

    id: int
    number: int
    author_id: int
    author: Author
    body_html: str
    score: int
    created_at: datetime
    edited_at: datetime | None
    hidden_at: datetime | None
    my_vote: int


# ``{tags}`` and ``{where}`` are the dialect's own constructs, ``{p1}``… its placeholders, ``{posts}``
# and ``{topic}`` the texts below (constants, never input).
_TOPIC = """
SELECT t.id, t.title, t.kind, t.category_id, c.slug, c.name, t.author_id, u.display_name, {tags} AS tags,
       t.solved_post_id, (SELECT s.number FROM forum_post s WHERE s.id = t.solved_post_id) AS solved_number,
       t.post_count, t.locked_at, t.hidden_at, t.pinned,
       (SELECT r.last_read_number FROM forum_read_state r WHERE r.user_id = {p2} AND r.topic_id = t.id) AS last_read,
       EXISTS (SELECT 1 FROM forum_watch w WHERE w.user_id = {p2} AND w.topic_id = t.id) AS watching
FROM forum_topic t
JOIN forum_category c ON c.id = t.category_id
JOIN accounts_user u ON u.id = t.author_id
WHERE t.id = {p1}
"""
TOPIC_COLUMNS = 17
# The tags in the order they were made: an array of names; in SQLite, whose aggregates take no
# order, a JSON array of [id, name] pairs (sorted by :func:`_tag_names`)
_TAGS = {
    "postgres": (
        "ARRAY(SELECT g.name FROM forum_topic_tag tt JOIN forum_tag g ON g.id = tt.tag_id "
        "WHERE tt.topic_id = t.id ORDER BY g.id)"
    ),
    "sqlite": (
        "(SELECT json_group_array(json_array(g.id, g.name)) FROM forum_topic_tag tt "
        "JOIN forum_tag g ON g.id = tt.tag_id WHERE tt.topic_id = t.id)"
    ),
}
_POST_COLUMNS = (
    "p.id, p.number, p.author_id, pu.display_name, p.body_html, p.score, p.created_at, p.edited_at, p.hidden_at, "
    "v.value, pu.deleted_at IS NOT NULL"
)
_POSTS = """
SELECT {posts}
FROM forum_post p
JOIN accounts_user pu ON pu.id = p.author_id
LEFT JOIN forum_vote v ON v.post_id = p.id AND v.user_id = {p2}
WHERE p.topic_id = {p1} AND {where}
"""
# A page of a topic in one query: the topic (evaluated once: LIMIT keeps it apart) beside the
# posts the page may show, a few more than it needs (the numbers {p3}, and the accepted
# answer), from which :func:`forum.services.topic_page` picks.
_PAGE = """
SELECT t.*, {posts}
FROM ({topic} LIMIT 1) t
LEFT JOIN forum_post p ON p.topic_id = t.id AND {wanted}
LEFT JOIN accounts_user pu ON pu.id = p.author_id
LEFT JOIN forum_vote v ON v.post_id = p.id AND v.user_id = {p2}
"""
# (one condition the (topic_id, number) index answers: a disjunction would read the whole topic)
_WANTED = {
    "postgres": "p.number = ANY(array_append({p3}::int[], t.solved_number))",
    "sqlite": "p.number IN (SELECT value FROM json_each({p3}) UNION ALL SELECT t.solved_number)",
}
# posts by number (a page in display order): the numbers as one parameter, a list
_NUMBERS = {"postgres": "p.number = ANY({p3}::int[])", "sqlite": "p.number IN (SELECT value FROM json_each({p3}))"}
_AFTER = "p.number > {p3} ORDER BY p.number LIMIT {p4}"
_PLACEHOLDERS = {
    "postgres": {"p1": "$1", "p2": "$2", "p3": "$3", "p4": "$4"},
    "sqlite": {"p1": "?1", "p2": "?2", "p3": "?3", "p4": "?4"},  # numbered: ?2 comes twice
}


def _compile(dialect: str) -> dict[str, str]:
    marks = _PLACEHOLDERS[dialect]
    topic = _TOPIC.replace("{tags}", _TAGS[dialect])
    return {
        "topic": topic.format(**marks),
        "page": _PAGE.replace("{topic}", topic)
        .replace("{wanted}", _WANTED[dialect])
        .format(posts=_POST_COLUMNS, **marks),
        "posts": _POSTS.replace("{where}", _NUMBERS[dialect]).format(posts=_POST_COLUMNS, **marks),
        "after": _POSTS.replace("{where}", _AFTER).format(posts=_POST_COLUMNS, **marks),
    }


_SQL = {dialect: _compile(dialect) for dialect in _PLACEHOLDERS}


async def _rows(name: str, params: list[Any]) -> Sequence[Sequence[Any]]:
    """The rows as the driver gives them, read by position."""
    _, rows = await connections.get("default").execute_query(_SQL[db.dialect()][name], params)
    return rows


async def topic(topic_id: int, reader_id: int | None) -> TopicView | None:
    """The topic ``topic_id`` (hidden or not: the caller decides who sees it), or None."""
    rows = await _rows("topic", [topic_id, reader_id])
    return _topic(rows[0]) if rows else None


async def topic_page(
    topic_id: int, numbers: list[int], reader_id: int | None
) -> tuple[TopicView, list[PostView]] | None:
    """The topic ``topic_id`` (as :func:`topic`) with its posts numbered ``numbers`` and its
    accepted answer, in no particular order; or None."""
    rows = await _rows("page", [topic_id, reader_id, _numbers(numbers)])
    if not rows:
        return None
    return _topic(rows[0]), _posts(row[TOPIC_COLUMNS:] for row in rows if row[TOPIC_COLUMNS] is not None)


def _topic(row: Sequence[Any]) -> TopicView:
    (ident, title, kind, category_id, slug, name, author_id, author_name, tags, solved_post_id, solved_number,
     post_count, locked_at, hidden_at, pinned, last_read, watching) = row[:TOPIC_COLUMNS]  # fmt: skip
    return TopicView(
        id=ident,
        title=title,
        kind=TopicKind(kind),
        category_id=category_id,
        category=CategoryRef(category_id, slug, name),
        author_id=author_id,
        author=Author(author_id, author_name),
        tags=_tag_names(tags),
        solved_post_id=solved_post_id,
        solved_number=solved_number,
        post_count=post_count,
        locked_at=locked_at,
        hidden_at=hidden_at,
        pinned=bool(pinned),
        last_read=last_read or 0,
        watching=bool(watching),
    )


def _tag_names(tags: str | list[str]) -> list[str]:
    if isinstance(tags, str):
        return [name for _, name in sorted(json.loads(tags))]
    return list(tags)


def _posts(rows: Iterable[Sequence[Any]]) -> list[PostView]:
    return [
        PostView(
            ident,
            number,
            author_id,
            Author(author_id, name, bool(gone)),
            html,
            score,
            created,
            edited,
            hidden,
            vote or 0,
        )
        for ident, number, author_id, name, html, score, created, edited, hidden, vote, gone in rows
    ]


async def posts(topic_id: int, numbers: list[int], reader_id: int | None) -> list[PostView]:
    """The posts of ``topic_id`` numbered ``numbers``, in no particular order."""
    return _posts(await _rows("posts", [topic_id, reader_id, _numbers(numbers)]))


def _numbers(numbers: list[int]) -> Any:
    # one parameter: an array in PostgreSQL, a JSON array in SQLite
    return numbers if db.dialect() == "postgres" else json.dumps(numbers)


async def posts_after(topic_id: int, after: int, limit: int, reader_id: int | None) -> list[PostView]:
    """The first ``limit`` posts of ``topic_id`` numbered after ``after``, in order."""
    return _posts(await _rows("after", [topic_id, reader_id, after, limit]))


# The tags of several topics, in the order they were made
_TAG_NAMES = {
    "postgres": (
        "SELECT tt.topic_id, g.name FROM forum_topic_tag tt JOIN forum_tag g ON g.id = tt.tag_id "
        "WHERE tt.topic_id = ANY($1::int[]) ORDER BY g.id"
    ),
    "sqlite": (
        "SELECT tt.topic_id, g.name FROM forum_topic_tag tt JOIN forum_tag g ON g.id = tt.tag_id "
        "WHERE tt.topic_id IN (SELECT value FROM json_each(?1)) ORDER BY g.id"
    ),
}


async def tag_names(topic_ids: list[int]) -> dict[int, list[str]]:
    """Topic id → the names of its tags (topics without tags are left out)."""
    if not topic_ids:
        return {}
    _, rows = await connections.get("default").execute_query(_TAG_NAMES[db.dialect()], [_numbers(topic_ids)])
    names: dict[int, list[str]] = {}
    for topic_id, name in rows:
        names.setdefault(topic_id, []).append(name)
    return names
