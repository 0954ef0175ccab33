from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.indexes import Index
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import CheckConstraint

# Tortoise 1.1's CreateModel leaves Meta.constraints' CHECKs out of CREATE TABLE (and its
# SQLite AddConstraint rebuilds the table without its unique pair), so the check is added
# here: a constraint on PostgreSQL, triggers on SQLite (which cannot add one to a table).
MODES_CHECK = "mode IN ('inapp', 'immediate', 'digest', 'never')"

POSTGRES_FORWARD = (
    f"ALTER TABLE notifications_preference ADD CONSTRAINT notifications_preference_mode CHECK ({MODES_CHECK})"
)
POSTGRES_BACKWARD = "ALTER TABLE notifications_preference DROP CONSTRAINT IF EXISTS notifications_preference_mode"
SQLITE_FORWARD = f"""
CREATE TRIGGER notifications_preference_mode_ai BEFORE INSERT ON notifications_preference
WHEN NOT (NEW.{MODES_CHECK}) BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: notifications_preference_mode');
END;
CREATE TRIGGER notifications_preference_mode_au BEFORE UPDATE OF mode ON notifications_preference
WHEN NOT (NEW.{MODES_CHECK}) BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: notifications_preference_mode');
END;
"""
SQLITE_BACKWARD = """
DROP TRIGGER IF EXISTS notifications_preference_mode_ai;
DROP TRIGGER IF EXISTS notifications_preference_mode_au;
"""


def _postgres(schema_editor) -> bool:
    return schema_editor.client.capabilities.dialect == "postgres"


async def add_mode_check(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(POSTGRES_FORWARD if _postgres(schema_editor) else SQLITE_FORWARD)


async def drop_mode_check(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(POSTGRES_BACKWARD if _postgres(schema_editor) else SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("accounts", "0002_two_factor")]

    initial = True

    operations = [
        ops.CreateModel(
            name="Notification",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="notifications",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("kind", fields.CharField(max_length=40)),
                ("message", fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ("url", fields.CharField(max_length=500)),
                ("excerpt", fields.TextField(default="", unique=False)),
                ("data", fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                (
                    "actor",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="actor_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="notifications_caused",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("read_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("digest_pending", fields.BooleanField(default=False)),
            ],
            options={
                "table": "notifications_notification",
                "app": "notifications",
                "indexes": [
                    Index(fields=["user_id", "read_at"]),
                    Index(fields=["user_id", "created_at"]),
                    Index(fields=["digest_pending", "created_at"]),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Preference",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="notification_preferences",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("kind", fields.CharField(max_length=40)),
                ("mode", fields.CharField(max_length=10)),
            ],
            options={
                "table": "notifications_preference",
                "app": "notifications",
                "unique_together": (("user", "kind"),),
                "constraints": [CheckConstraint(check=MODES_CHECK, name="notifications_preference_mode")],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.RunPython(add_mode_check, drop_mode_check),
    ]
