"""@mentions: the handle that names a person in a post, the people a text mentions, the
mentions made links to their forum page, and people suggested while a handle is typed.

A handle is a display name without spaces ("Sophie Laurent" → ``@SophieLaurent``). It is
compared folded (case, accents and punctuation dropped: ``@sophie.laurent`` and
``@SophieLaurent`` name the same person) against ``forum_mention_name``, which keeps every
person's folded name beside an index; :func:`refresh_names` makes the rows of people who
joined or changed their name since, so that a search never folds the whole directory.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from tortoise import connections
from tortoise.expressions import Q, Subquery

from accounts.services import User
from forum.models import MentionName, Post, Topic
from tierslieu.markdown import Document
from tierslieu.urls import path_for

MAX_MENTIONS = 10  # handles of a post looked up (and made links, and notified)
SUGGESTIONS = 8
KEY_LENGTH = 255  # forum_mention_name's columns
_NOT_IN_HANDLE = re.compile(r"[^\w.-]+")
_WORD_BREAKS = re.compile(r"[\s.'’-]+")


def fold(text: str) -> str:
    """Only letters and digits, without case or accents: "Émilie Côté" → "emiliecote"."""
    return "".join(char for char in unicodedata.normalize("NFKD", text.casefold()) if char.isalnum())


def mention_handle(person: Any) -> str:
    """How to mention someone (anything with a ``display_name``): the name without spaces
    nor the punctuation a handle cannot hold, e.g. @SophieLaurent for "Sophie Laurent"."""
    return _NOT_IN_HANDLE.sub("", person.display_name).rstrip(".-")


def _keys(display_name: str) -> tuple[str, str]:
    """The folded name whole, and its words each after a space (" sophie laurent")."""
    words = (fold(word) for word in _WORD_BREAKS.split(display_name))
    return fold(display_name)[:KEY_LENGTH], "".join(f" {word}" for word in words if word)[:KEY_LENGTH]


async def refresh_names() -> None:
    """Make the rows of the people whose name has no row yet, or a row made from another name."""
    people, names = User._meta.db_table, MentionName._meta.db_table
    stale = await connections.get("default").execute_query_dict(
        f"SELECT u.id, u.display_name FROM {people} u LEFT JOIN {names} m ON m.user_id = u.id"  # noqa: S608 - table names, no input
        " WHERE u.deleted_at IS NULL AND (m.id IS NULL OR m.display_name <> u.display_name) ORDER BY u.id"
    )
    if not stale:
        return
    rows = []
    for row in stale:
        handle_key, words_key = _keys(row["display_name"])
        rows.append(
            MentionName(user_id=row["id"], display_name=row["display_name"], handle_key=handle_key, words_key=words_key)
        )
    # two requests may make the same rows at once (in the same order): the second one's win
    await MentionName.bulk_create(
        rows, batch_size=500, on_conflict=["user_id"], update_fields=["display_name", "handle_key", "words_key"]
    )


async def people_named(handles: list[str]) -> dict[str, list[User]]:
    """The people (accounts not deleted) each of the first :data:`MAX_MENTIONS` handles names,
    by folded handle; two people with the same name share a handle."""
    keys: list[str] = []
    for handle in handles:
        key = fold(handle)[:KEY_LENGTH]
        if key and key not in keys:
            keys.append(key)
    if not keys:
        return {}
    await refresh_names()
    rows = (
        await MentionName.filter(handle_key__in=keys[:MAX_MENTIONS], user__deleted_at=None)
        .order_by("user_id")
        .prefetch_related("user")
    )
    found: dict[str, list[User]] = {}
    for row in rows:
        found.setdefault(row.handle_key, []).append(row.user)
    return found


@dataclass
class Rendered:
    html: str
    mentioned: list[User]  # everyone the text mentions, to notify


async def render(text: str) -> Rendered:
    """A post's safe HTML, each mention that names one person a link to their forum page (a
    handle two people share stays text: the link would pick one of them)."""
    document = Document(text)
    named = await people_named(document.mentions)

    def link(handle: str) -> str | None:
        people = named.get(fold(handle), [])
        return path_for("forum:person", user_id=people[0].id) if len(people) == 1 else None

    mentioned: list[User] = []
    for people in named.values():
        mentioned += [person for person in people if person not in mentioned]
    return Rendered(document.html(link), mentioned)


async def suggest(viewer: Any, typed: str, topic: Topic | None = None) -> list[dict[str, str]]:
    """Up to :data:`SUGGESTIONS` people whose handle, or a word of whose name, starts with
    ``typed`` (case and accents aside), the viewer left out: first those who wrote in
    ``topic``, then handles before words, then in alphabetical order."""
    key = fold(typed)[:KEY_LENGTH]
    if not key:
        return []
    await refresh_names()
    people = MentionName.filter(user__deleted_at=None).exclude(user_id=viewer.id)
    by_handle, by_word = Q(handle_key__startswith=key), Q(words_key__contains=f" {key}")
    rows: list[MentionName] = []
    writers: set[int] = set()
    if topic is not None:
        wrote = Subquery(Post.filter(topic_id=topic.id).values("author_id"))
        rows += (
            await people.filter(by_handle | by_word, user_id__in=wrote).order_by("handle_key", "id").limit(SUGGESTIONS)
        )
        writers = {row.user_id for row in rows}  # type: ignore[attr-defined]
    for match in (by_handle, by_word):
        rows += await people.filter(match).order_by("handle_key", "id").limit(SUGGESTIONS)
    chosen: dict[int, MentionName] = {}
    for row in rows:
        chosen.setdefault(row.user_id, row)  # type: ignore[attr-defined]
    ranked = sorted(
        chosen.values(),
        key=lambda row: (row.user_id not in writers, not row.handle_key.startswith(key), row.handle_key, row.id),  # type: ignore[attr-defined]
    )
    return [{"handle": mention_handle(row), "name": row.display_name} for row in ranked[:SUGGESTIONS]]
