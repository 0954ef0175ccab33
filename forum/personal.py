"""What the forum adds to "download my data" and "delete my account", and its live channel."""

from __future__ import annotations

from typing import Any

from forum.models import Flag, MentionName, Post, PostRevision, ReadState, Topic, Vote, Watch
from tierslieu.validation import parse_id


async def export(user: Any) -> dict[str, Any]:
    posts = await Post.filter(author_id=user.id).order_by("id").prefetch_related("topic")
    return {
        "topics": [
            {"id": t.id, "title": t.title, "kind": t.kind.value, "created_at": t.created_at}
            for t in await Topic.filter(author_id=user.id).order_by("id")
        ],
        "posts": [
            {
                "id": p.id,
                "topic_id": p.topic_id,  # type: ignore[attr-defined]
                "topic_title": p.topic.title,
                "body_markdown": p.body_markdown,
                "created_at": p.created_at,
                "edited_at": p.edited_at,
            }
            for p in posts
        ],
        "revisions_i_made": [
            {"post_id": r.post_id, "body_markdown": r.body_markdown, "created_at": r.created_at}  # type: ignore[attr-defined]
            for r in await PostRevision.filter(editor_id=user.id).order_by("id")
        ],
        "votes": [
            {"post_id": v.post_id, "value": v.value, "created_at": v.created_at}  # type: ignore[attr-defined]
            for v in await Vote.filter(user_id=user.id).order_by("id")
        ],
        "flags": [
            {"post_id": f.post_id, "reason": f.reason, "created_at": f.created_at}  # type: ignore[attr-defined]
            for f in await Flag.filter(user_id=user.id).order_by("id")
        ],
        "watching": [
            {"topic_id": w.topic_id, "category_id": w.category_id}  # type: ignore[attr-defined]
            for w in await Watch.filter(user_id=user.id).order_by("id")
        ],
        "reading": [
            {"topic_id": r.topic_id, "last_read_number": r.last_read_number}  # type: ignore[attr-defined]
            for r in await ReadState.filter(user_id=user.id).order_by("id")
        ],
    }


async def erase(user: Any) -> None:
    """Posts stay (accounts anonymises the name shown with them); private traces go (the
    folded name that found the person from a mention too), and votes are withdrawn along
    with the score they gave."""
    for found in await Vote.filter(user_id=user.id).prefetch_related("post"):
        found.post.score -= found.value
        await found.post.save(update_fields=["score"])
        await found.delete()
    await Flag.filter(user_id=user.id).delete()
    await Watch.filter(user_id=user.id).delete()
    await ReadState.filter(user_id=user.id).delete()
    await MentionName.filter(user_id=user.id).delete()


async def can_read_topic(user: Any, roles: frozenset[str], ident: str) -> bool:
    # public: anyone may follow a visible topic (hidden ones only moderators)
    topic_id = parse_id(ident)
    if topic_id is None:
        return False
    topic = await Topic.get_or_none(id=topic_id)
    if topic is None:
        return False
    return topic.hidden_at is None or bool({"moderator", "admin"} & set(roles))
