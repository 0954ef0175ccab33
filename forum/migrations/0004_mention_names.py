"""forum_mention_name: each person's display name folded, to find them from an @handle.

Filled as it is used (forum.mentions.refresh_names): nothing to copy here.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("forum", "0003_notifications_moved"), ("accounts", "0001_initial")]

    initial = False

    operations = [
        ops.CreateModel(
            name="MentionName",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "user",
                    fields.OneToOneField(
                        "accounts.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="forum_mention_name",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("display_name", fields.CharField(max_length=80)),
                ("handle_key", fields.CharField(db_index=True, max_length=255)),
                ("words_key", fields.CharField(max_length=255)),
            ],
            options={"table": "forum_mention_name", "app": "forum", "pk_attr": "id"},
            bases=["Model"],
        ),
    ]
