from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("accounts", "0002_two_factor"), ("events", "0002_capacity")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Feedback",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "event",
                    fields.ForeignKeyField(
                        "events.Event",
                        source_field="event_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="feedback",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="event_feedback",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("rating", fields.IntField()),
                ("comment", fields.TextField(default="", unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "events_feedback",
                "app": "events",
                "unique_together": (("event", "user"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Registration",
            name="feedback_requested_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
