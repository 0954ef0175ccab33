"""Full-text search over forum_search_entry, by dialect.

SQLite: an external-content FTS5 table (accents folded, prefix indexes) kept in step with
forum_search_entry by triggers. PostgreSQL: a ``forum_french`` text-search configuration
(the ``french`` stemmer after ``unaccent``), a generated tsvector column and a GIN index.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

SQLITE_FORWARD = """
CREATE VIRTUAL TABLE forum_search USING fts5(
    title, body, content='forum_search_entry', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3 4'
);
CREATE TRIGGER forum_search_ai AFTER INSERT ON forum_search_entry BEGIN
    INSERT INTO forum_search(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER forum_search_ad AFTER DELETE ON forum_search_entry BEGIN
    INSERT INTO forum_search(forum_search, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER forum_search_au AFTER UPDATE ON forum_search_entry BEGIN
    INSERT INTO forum_search(forum_search, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO forum_search(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
-- the tag links go with their topic or tag even when foreign keys are off (bulk clean-ups)
CREATE TRIGGER forum_topic_tag_topic_ad AFTER DELETE ON forum_topic BEGIN
    DELETE FROM forum_topic_tag WHERE topic_id = old.id;
END;
CREATE TRIGGER forum_topic_tag_tag_ad AFTER DELETE ON forum_tag BEGIN
    DELETE FROM forum_topic_tag WHERE tag_id = old.id;
END;
"""

SQLITE_BACKWARD = """
DROP TRIGGER IF EXISTS forum_topic_tag_topic_ad;
DROP TRIGGER IF EXISTS forum_topic_tag_tag_ad;
DROP TRIGGER IF EXISTS forum_search_ai;
DROP TRIGGER IF EXISTS forum_search_ad;
DROP TRIGGER IF EXISTS forum_search_au;
DROP TABLE IF EXISTS forum_search;
"""

POSTGRES_FORWARD = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'forum_french') THEN
        CREATE TEXT SEARCH CONFIGURATION forum_french (COPY = french);
        ALTER TEXT SEARCH CONFIGURATION forum_french
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
    END IF;
END $$;
ALTER TABLE forum_search_entry ADD COLUMN document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('forum_french'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('forum_french'::regconfig, coalesce(body, '')), 'B')
) STORED;
CREATE INDEX forum_search_entry_document ON forum_search_entry USING gin (document);
"""

POSTGRES_BACKWARD = """
DROP INDEX IF EXISTS forum_search_entry_document;
ALTER TABLE forum_search_entry DROP COLUMN IF EXISTS document;
"""


COMMON_FORWARD = """
CREATE INDEX forum_notification_user_read ON forum_notification (user_id, read_at);
CREATE INDEX forum_topic_category_last ON forum_topic (category_id, last_post_at);
CREATE INDEX forum_post_author ON forum_post (author_id);
"""

COMMON_BACKWARD = """
DROP INDEX IF EXISTS forum_notification_user_read;
DROP INDEX IF EXISTS forum_topic_category_last;
DROP INDEX IF EXISTS forum_post_author;
"""


def _dialect(schema_editor) -> str:
    return schema_editor.client.capabilities.dialect


async def forward(apps, schema_editor) -> None:
    script = SQLITE_FORWARD if _dialect(schema_editor) == "sqlite" else POSTGRES_FORWARD
    await schema_editor.client.execute_script(COMMON_FORWARD + script)


async def backward(apps, schema_editor) -> None:
    script = SQLITE_BACKWARD if _dialect(schema_editor) == "sqlite" else POSTGRES_BACKWARD
    await schema_editor.client.execute_script(script + COMMON_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("forum", "0001_initial")]

    operations = [ops.RunPython(forward, backward)]
