"""Calendar entries an event no longer shows (kept as CANCELLED in the feeds for 30 days),
and an index for reading the sessions of many events at once (the feeds).

A removed entry is unique per event and session; the event's single entry (a null session)
is unique per event by a partial index, the same on PostgreSQL and SQLite.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

FORWARD = "CREATE UNIQUE INDEX events_removed_entry_single ON events_removed_entry (event_id) WHERE session_id IS NULL"
BACKWARD = "DROP INDEX IF EXISTS events_removed_entry_single"


async def forward(apps, state_editor) -> None:
    await state_editor.client.execute_script(FORWARD)


async def backward(apps, state_editor) -> None:
    await state_editor.client.execute_script(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("events", "0003_feedback")]

    initial = False

    operations = [
        ops.CreateModel(
            name="RemovedEntry",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "event",
                    fields.ForeignKeyField(
                        "events.Event",
                        source_field="event_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="removed_entries",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("session_id", fields.IntField(null=True)),
                ("title", fields.CharField(default="", max_length=200)),
                ("starts_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ends_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("removed_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "events_removed_entry",
                "app": "events",
                "unique_together": (("event", "session_id"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.RunPython(forward, backward),
        ops.AddIndex(model_name="Session", index=Index(fields=["event_id", "starts_at"])),
    ]
