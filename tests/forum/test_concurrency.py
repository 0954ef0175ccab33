"""Concurrent requests through HTTP, with real commits: scores and post numbers stay right."""

from __future__ import annotations

import asyncio

from forum.models import Post, Vote
from tests.forum.factories import make_reply, make_topic
from tests.helpers import api_token, make_user


async def test_concurrent_votes_and_replies(client) -> None:
    topic = await make_topic()
    answer = await make_reply(topic)
    people = [await make_user() for _ in range(8)]
    tokens = [await api_token(client, person.email) for person in people]

    async def vote(headers: dict) -> int:
        return (
            await client.post(f"/api/v1/forum/posts/{answer.id}/votes", json={"value": 1}, headers=headers)
        ).status_code

    async def reply(headers: dict) -> int:
        path = f"/api/v1/forum/topics/{topic.id}/posts"
        return (await client.post(path, json={"body": "En même temps !"}, headers=headers)).status_code

    statuses = await asyncio.gather(*(vote(h) for h in tokens * 2), *(reply(h) for h in tokens))
    assert statuses == [200] * 16 + [201] * 8
    await answer.refresh_from_db()
    assert answer.score == 8 == await Vote.filter(post_id=answer.id).count()
    numbers = sorted(await Post.filter(topic_id=topic.id).values_list("number", flat=True))
    assert numbers == list(range(1, 11))
