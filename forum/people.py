"""A person's forum page (where a mention leads): their handle, and what they wrote lately
that the viewer may read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.services import User, find_active
from forum import permissions
from forum.models import Post, Topic
from tierslieu.errors import NotFound

RECENT = 10  # topics, and answers, listed


@dataclass
class PersonPage:
    person: User
    topics: list[Topic]  # the latest they opened
    topic_count: int
    answers: list[Post]  # their latest replies, each with its topic
    answer_count: int


async def person_page(viewer: Any, user_id: int) -> PersonPage:
    """A 404 for a deleted or unknown account, and for anonymous visitors when the person
    wrote nothing they can read (no directory of members for them)."""
    person = await find_active(user_id)
    if person is None:
        raise NotFound()
    topics = Topic.filter(author_id=person.id)
    answers = Post.filter(author_id=person.id, number__gt=1)
    if not permissions.is_moderator(viewer):  # what can_see_topic and can_see_post_body let through
        topics = topics.filter(hidden_at=None)
        answers = answers.filter(hidden_at=None, topic__hidden_at=None)
    if not permissions.can_see_person(viewer, await Post.exists(author_id=person.id, topic__hidden_at=None)):
        raise NotFound()
    return PersonPage(
        person=person,
        topics=await topics.order_by("-created_at", "-id").limit(RECENT).prefetch_related("category"),
        topic_count=await topics.count(),
        answers=await answers.order_by("-created_at", "-id").limit(RECENT).prefetch_related("topic"),
        answer_count=await answers.count(),
    )
