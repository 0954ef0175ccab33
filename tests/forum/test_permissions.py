"""The forum's predicates, as a matrix: anonymous, member, author, asker, moderator."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from forum import permissions
from forum.models import TopicKind

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def person(ident: int, *roles: str, suspended: bool = False) -> SimpleNamespace:
    return SimpleNamespace(
        id=ident,
        role_names=frozenset({"member", *roles}),
        deleted_at=None,
        suspended_at=NOW if suspended else None,
    )


ANONYMOUS = None
ASKER = person(1)
AUTHOR = person(2)  # wrote the answer
MEMBER = person(3)
MODERATOR = person(4, "moderator")
SUSPENDED = person(5, suspended=True)


def topic(**changes) -> SimpleNamespace:
    values = {"author_id": ASKER.id, "kind": TopicKind.QUESTION, "hidden_at": None, "locked_at": None}
    return SimpleNamespace(**{**values, **changes})


def answer(**changes) -> SimpleNamespace:
    return SimpleNamespace(**{"author_id": AUTHOR.id, "hidden_at": None, **changes})


@pytest.mark.parametrize(
    ("who", "reply", "vote", "accept", "edit", "flag", "moderate"),
    [
        (ANONYMOUS, False, False, False, False, False, False),
        (MEMBER, True, True, False, False, True, False),
        (AUTHOR, True, False, False, True, False, False),
        (ASKER, True, True, True, False, True, False),
        (MODERATOR, True, True, True, True, True, True),
        (SUSPENDED, False, False, False, False, False, False),
    ],
)
def test_permission_matrix(who, reply, vote, accept, edit, flag, moderate) -> None:
    question, post = topic(), answer()
    assert permissions.can_reply_topic(who, question) is reply
    assert permissions.can_vote_post(who, post, question) is vote
    assert permissions.can_accept_answer(who, question) is accept
    assert permissions.can_edit_post(who, post, question) is edit
    assert permissions.can_flag_post(who, post) is flag
    assert permissions.can_moderate(who) is moderate
    assert permissions.can_manage_categories(who) is moderate


def test_locked_hidden_and_discussions() -> None:
    locked, hidden, discussion = topic(locked_at=NOW), topic(hidden_at=NOW), topic(kind=TopicKind.DISCUSSION)
    assert not permissions.can_reply_topic(MEMBER, locked)
    assert not permissions.can_reply_topic(MODERATOR, locked)
    assert not permissions.can_edit_post(AUTHOR, answer(), locked)
    assert permissions.can_edit_post(MODERATOR, answer(), locked)
    assert not permissions.can_see_topic(MEMBER, hidden) and permissions.can_see_topic(MODERATOR, hidden)
    assert not permissions.can_accept_answer(ASKER, discussion)
    assert permissions.can_vote_post(MEMBER, answer(), discussion)  # thanked (never voted down: the service)
    assert not permissions.can_see_post_body(ANONYMOUS, answer(hidden_at=NOW))
    assert permissions.can_see_post_body(MODERATOR, answer(hidden_at=NOW))
