"""Who may do what in the forum. Pure predicates: routes, services and templates ask the same ones."""

from __future__ import annotations

from typing import Any

from accounts.services import Role, has_role
from forum.models import Post, Topic, TopicKind


def is_moderator(user: Any) -> bool:
    return user is not None and (has_role(user, Role.MODERATOR) or has_role(user, Role.ADMIN))


def is_active(user: Any) -> bool:
    """A signed-in person whose account is neither suspended nor deleted."""
    return user is not None and user.deleted_at is None and user.suspended_at is None


def can_manage_categories(user: Any) -> bool:
    return is_moderator(user)


def can_see_topic(user: Any, topic: Topic) -> bool:
    return topic.hidden_at is None or is_moderator(user)


def can_see_post_body(user: Any, post: Post) -> bool:
    return post.hidden_at is None or is_moderator(user)


def can_create_topic(user: Any) -> bool:
    return is_active(user)


def can_reply_topic(user: Any, topic: Topic) -> bool:
    return is_active(user) and topic.hidden_at is None and topic.locked_at is None


def can_edit_post(user: Any, post: Post, topic: Topic) -> bool:
    if is_moderator(user):
        return True
    return (
        is_active(user)
        and post.author_id == user.id  # type: ignore[attr-defined]
        and post.hidden_at is None
        and topic.hidden_at is None
        and topic.locked_at is None
    )


def can_vote_post(user: Any, post: Post, topic: Topic) -> bool:
    return (
        is_active(user)
        and post.author_id != user.id  # type: ignore[attr-defined]
        and post.hidden_at is None
        and topic.hidden_at is None
    )


def can_accept_answer(user: Any, topic: Topic) -> bool:
    if topic.kind != TopicKind.QUESTION or topic.hidden_at is not None:
        return False
    return is_moderator(user) or (is_active(user) and topic.author_id == user.id)  # type: ignore[attr-defined]


def can_flag_post(user: Any, post: Post) -> bool:
    return is_active(user) and post.author_id != user.id  # type: ignore[attr-defined]


def can_moderate(user: Any) -> bool:
    return is_moderator(user)


def can_watch(user: Any) -> bool:
    return is_active(user)


def can_see_person(user: Any, wrote_in_public: bool) -> bool:
    """A person's forum page: signed-in people see anyone's (they may mention anyone); anonymous
    visitors only the pages of people who wrote in a topic they can read (no directory of
    members for them)."""
    return user is not None or wrote_in_public
