"""The forum's notifications move to the notifications part, then forum_notification goes.

Each row keeps its id (links in mails already sent still open it), its reader, actor, times
and digest state; its text becomes a message id and values (the topic's title, the actor's
name) and its target a path. Each person's choice for the former "forum" mail kind becomes
their choice for the four forum kinds of notification, and the "forum" entry leaves their
mail preferences.
"""

import json

from tortoise import migrations
from tortoise.migrations import operations as ops

# forum.notify.KIND_LABELS when the rows moved (a migration keeps its own copy)
LABELS = {
    "mention": "%(actor)s mentioned you in “%(title)s”",
    "reply": "%(actor)s replied in “%(title)s”",
    "topic": "%(actor)s opened “%(title)s”",
    "accepted": "%(actor)s accepted your answer in “%(title)s”",
}
KINDS = tuple(LABELS)
# the former "forum" mail kind's modes: "never" stopped the mails, not the in-app notifications
MODES = {"immediate": "immediate", "digest": "digest", "never": "inapp"}

COPY = """
INSERT INTO notifications_notification
    (id, user_id, kind, message, url, excerpt, data, actor_id, created_at, read_at, digest_pending)
SELECT n.id, n.user_id,
       'forum.' || CASE WHEN n.kind IN ('mention', 'topic', 'accepted') THEN n.kind ELSE 'reply' END,
       {obj}(
           'id', CASE n.kind WHEN 'mention' THEN CAST({m1} AS TEXT) WHEN 'topic' THEN CAST({m2} AS TEXT)
                 WHEN 'accepted' THEN CAST({m3} AS TEXT) ELSE CAST({m4} AS TEXT) END,
           'params', {obj}('actor', COALESCE(a.display_name, '?'), 'title', t.title)
       ),
       CASE WHEN n.post_id IS NULL THEN '/forum/t/' || n.topic_id ELSE '/forum/p/' || n.post_id END,
       COALESCE(substr(p.body_markdown, 1, 300), ''),
       {obj}('topic_id', n.topic_id),
       n.actor_id, n.created_at, n.read_at, n.digest_pending
FROM forum_notification n
JOIN forum_topic t ON t.id = n.topic_id
LEFT JOIN forum_post p ON p.id = n.post_id
LEFT JOIN accounts_user a ON a.id = n.actor_id
ORDER BY n.id
"""

# the next notification id follows the copied ones (SQLite's AUTOINCREMENT does it alone)
POSTGRES_SEQUENCE = """
SELECT setval(pg_get_serial_sequence('notifications_notification', 'id'),
              COALESCE((SELECT MAX(id) FROM notifications_notification), 0) + 1, false)
"""


def _postgres(client) -> bool:
    return client.capabilities.dialect == "postgres"


def _marks(client, count: int) -> list[str]:
    return [f"${n}" for n in range(1, count + 1)] if _postgres(client) else ["?"] * count


# (statement, the same with PostgreSQL's numbered parameters)
INSERT_PREFERENCE = (
    "INSERT INTO notifications_preference (user_id, kind, mode) VALUES (?, ?, ?)",
    "INSERT INTO notifications_preference (user_id, kind, mode) VALUES ($1, $2, $3)",
)
UPDATE_MAIL_PREFERENCES = (
    "UPDATE accounts_user SET mail_preferences = ? WHERE id = ?",
    "UPDATE accounts_user SET mail_preferences = $1::jsonb WHERE id = $2",
)
INSERT_BACK = (
    "INSERT INTO forum_notification (id, user_id, kind, topic_id, post_id, actor_id, created_at, read_at,"
    " digest_pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "INSERT INTO forum_notification (id, user_id, kind, topic_id, post_id, actor_id, created_at, read_at,"
    " digest_pending) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
)


def _sql(client, statement: tuple[str, str]) -> str:
    return statement[_postgres(client)]


def _json(value):
    return json.loads(value) if isinstance(value, str) else value or {}


async def forward(apps, schema_editor) -> None:
    client = schema_editor.client
    m1, m2, m3, m4 = _marks(client, 4)
    obj = "jsonb_build_object" if _postgres(client) else "json_object"
    await client.execute_query(
        COPY.format(obj=obj, m1=m1, m2=m2, m3=m3, m4=m4),
        [LABELS["mention"], LABELS["topic"], LABELS["accepted"], LABELS["reply"]],
    )
    if _postgres(client):
        await client.execute_query(POSTGRES_SEQUENCE)
    await _move_mail_choices(client)


async def _move_mail_choices(client) -> None:
    insert, update = _sql(client, INSERT_PREFERENCE), _sql(client, UPDATE_MAIL_PREFERENCES)
    for row in await client.execute_query_dict("SELECT id, mail_preferences FROM accounts_user ORDER BY id"):
        chosen = _json(row["mail_preferences"])
        if not isinstance(chosen, dict) or "forum" not in chosen:
            continue
        if chosen["forum"] in MODES:
            mode = MODES[chosen["forum"]]
            await client.execute_many(insert, [[row["id"], f"forum.{name}", mode] for name in KINDS])
        rest = {key: mode for key, mode in chosen.items() if key != "forum"}
        await client.execute_query(update, [json.dumps(rest), row["id"]])


async def backward(apps, schema_editor) -> None:
    client = schema_editor.client
    insert = _sql(client, INSERT_BACK)
    rows = await client.execute_query_dict(
        "SELECT n.id, n.user_id, n.kind, n.url, n.data, n.actor_id, n.created_at, n.read_at, n.digest_pending"
        " FROM notifications_notification n WHERE n.kind LIKE 'forum.%' ORDER BY n.id"
    )
    topics = {row["id"] for row in await client.execute_query_dict("SELECT id FROM forum_topic")}
    posts = {row["id"] for row in await client.execute_query_dict("SELECT id FROM forum_post")}
    values = []
    for row in rows:
        topic_id = _json(row["data"]).get("topic_id")
        post_id = int(row["url"].rsplit("/", 1)[1]) if row["url"].startswith("/forum/p/") else None
        if topic_id not in topics or (post_id is not None and post_id not in posts):
            continue
        kind = row["kind"].removeprefix("forum.")
        values.append([row["id"], row["user_id"], kind, topic_id, post_id, row["actor_id"], row["created_at"],
                       row["read_at"], row["digest_pending"]])  # fmt: skip
    if values:
        await client.execute_many(insert, values)
    await client.execute_query("DELETE FROM notifications_notification WHERE kind LIKE 'forum.%'")


class Migration(migrations.Migration):
    dependencies = [("forum", "0002_search"), ("notifications", "0001_initial")]

    initial = False

    operations = [
        ops.RunPython(forward, backward),
        ops.DeleteModel(name="Notification"),
    ]
