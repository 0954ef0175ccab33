"""Migration forum 0003 moves the forum's notification rows and mail choices, both ways."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tortoise import connections
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

from forum.models import Post
from notifications import services
from notifications.models import Notification, Preference
from tests.conftest import DATABASE_URL, IS_POSTGRES
from tests.forum.factories import make_reply, make_topic
from tests.helpers import make_user
from tierslieu import db, parts


def _executor() -> MigrationExecutor:
    apps = db.tortoise_config(DATABASE_URL, parts.installed().with_models())["apps"]
    return MigrationExecutor(connections.get("default"), apps)


async def _insert(sql: str, values: list) -> None:
    if IS_POSTGRES:
        for number in range(1, len(values) + 1):
            sql = sql.replace("?", f"${number}", 1)
    await connections.get("default").execute_query(sql, values)


async def test_old_forum_notifications_and_mail_choices_move() -> None:
    asker = await make_user(display_name="Sophie Laurent")
    replier = await make_user(display_name="Karim Benali")
    digest_reader = await make_user()
    mail_refuser = await make_user()
    topic = await make_topic(asker, title="Les boucles en seconde")
    reply = await make_reply(topic, replier, body="Essayez la tortue.")
    await Notification.all().delete()
    await Preference.all().delete()
    await _executor().migrate([MigrationTarget("forum", "0002_search")])  # back to before the move
    read_at = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    insert = (
        "INSERT INTO forum_notification (id, user_id, kind, topic_id, post_id, actor_id, created_at, read_at,"
        " digest_pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    created_at = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    await _insert(insert, [41, asker.id, "reply", topic.id, reply.id, replier.id, created_at, read_at, False])
    await _insert(insert, [42, digest_reader.id, "topic", topic.id, None, asker.id, created_at, None, True])
    update = "UPDATE accounts_user SET mail_preferences = ? WHERE id = ?"
    if IS_POSTGRES:
        update = "UPDATE accounts_user SET mail_preferences = $1::jsonb WHERE id = $2"
    await connections.get("default").execute_query(
        update, [json.dumps({"forum": "digest", "account": "never"}), digest_reader.id]
    )
    await connections.get("default").execute_query(update, [json.dumps({"forum": "never"}), mail_refuser.id])

    await _executor().migrate()

    moved = {row.id: row for row in await Notification.all().prefetch_related("actor")}
    assert set(moved) == {41, 42}
    assert moved[41].kind == "forum.reply" and moved[41].url == f"/forum/p/{reply.id}"
    assert moved[41].read_at == read_at and moved[41].created_at == created_at
    assert moved[41].excerpt == "Essayez la tortue." and moved[41].data == {"topic_id": topic.id}
    assert services.shown_message(moved[41]).text("en") == "Karim Benali replied in “Les boucles en seconde”"
    assert moved[42].kind == "forum.topic" and moved[42].url == f"/forum/t/{topic.id}" and moved[42].digest_pending
    assert moved[42].message["params"] == {"actor": "Sophie Laurent", "title": "Les boucles en seconde"}
    assert (await services.preferences(digest_reader))["forum.mention"] == "digest"
    assert (await services.preferences(asker))["forum.mention"] == "immediate"
    # the old "never" stopped the mails only: the notifications themselves still come, in-app
    assert (await services.preferences(mail_refuser))["forum.reply"] == "inapp"
    await digest_reader.refresh_from_db()
    assert digest_reader.mail_preferences == {"account": "never"}
    assert await services.send_digests() == 1
    newer = await services.notify([asker.id], "forum.reply", services.shown_message(moved[41]), url="/forum")
    assert newer[0].id > 42  # the sequence follows the copied ids
    assert await Post.exists(id=reply.id)
