"""Daily use of the forum pages: the handle to mention someone is shown beside their posts."""

from __future__ import annotations

from tests.forum.factories import make_reply, make_topic
from tests.helpers import make_user, text_of


async def test_the_handle_to_mention_someone_is_shown_beside_their_posts(client) -> None:
    sophie = await make_user(display_name="Sophie Laurent")
    topic = await make_topic(sophie)
    await make_reply(topic, await make_user(display_name="Marc Dupont"))
    text = text_of((await client.get(f"/forum/t/{topic.id}")).text)
    assert "Sophie Laurent @SophieLaurent" in text and "Marc Dupont @MarcDupont" in text
