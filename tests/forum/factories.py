"""Forum factories for tests."""

from __future__ import annotations

import itertools

from accounts.models import Role, User
from forum import services
from forum.forms import CategoryIn, TopicIn
from forum.models import Category, Post, Topic
from tests.helpers import make_user

_numbers = itertools.count(1)


async def make_moderator(**overrides) -> User:
    user = await make_user(roles=(Role.MODERATOR,), **overrides)
    user.role_names = frozenset({"member", "moderator"})  # type: ignore[attr-defined]
    return user


async def make_category(name: str | None = None, parent: Category | None = None) -> Category:
    moderator = await make_moderator()
    data = CategoryIn(name=name or f"Catégorie {next(_numbers)}", parent_id=parent.id if parent else None)
    return await services.create_category(moderator, data)


async def make_topic(
    author: User | None = None,
    *,
    category: Category | None = None,
    title: str | None = None,
    body: str = "Comment faire aimer Python à mes élèves de seconde ?",
    kind: str = "question",
    tags: list[str] | None = None,
) -> Topic:
    author = author or await make_user()
    category = category or await make_category()
    data = TopicIn(
        category_id=category.id,
        title=title or f"Une question numéro {next(_numbers)}",
        body=body,
        kind=kind,
        tags=tags or [],
    )
    return await services.create_topic(author, data)


async def make_reply(topic: Topic, author: User | None = None, body: str = "Une réponse utile.") -> Post:
    author = author or await make_user()
    post, _ = await services.reply(author, topic.id, body)
    return post
