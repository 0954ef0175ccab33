"""Every forum page answers 200 to the people who may see it."""

from __future__ import annotations

from forum.models import Post
from tests.forum.factories import make_category, make_moderator, make_reply, make_topic
from tests.helpers import login, make_user


async def test_every_page_renders(client) -> None:
    category = await make_category("Enseigner la NSI")
    topic = await make_topic(category=category, tags=["python", "nsi"])
    reply = await make_reply(topic)
    opening = await Post.get(topic_id=topic.id, number=1)
    public = (
        "/forum",
        "/forum?status=unanswered",
        "/forum?status=solved&tag=python",
        f"/forum/c/{category.slug}?status=unsolved&page=3",
        f"/forum/t/{topic.id}",
        f"/forum/t/{topic.id}?page=99",
        f"/forum/p/{opening.id}/history",
        "/forum/search?q=eleve",
        "/forum/search?q=",
        "/forum/feed.atom",
        f"/forum/c/{category.slug}/feed.atom",
        "/api/v1/forum/categories",
        "/api/v1/forum/topics",
        f"/api/v1/forum/topics/{topic.id}",
        "/api/v1/forum/search?q=eleve",
    )
    for path in public:
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
    member = await make_user()
    await login(client, member.email)
    for path in (
        "/forum/new",
        f"/forum/new?category={category.id}",
        f"/forum/t/{topic.id}?quote={reply.id}",
        "/notifications",
        f"/forum/p/{reply.id}/flag",
    ):
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
    moderator = await make_moderator()
    await login(client, moderator.email)
    for path in (
        f"/forum/t/{topic.id}",
        f"/forum/p/{reply.id}/edit",
        f"/forum/moderation/categories/{category.id}/edit",
    ):
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
