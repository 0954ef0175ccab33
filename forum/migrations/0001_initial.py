import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from forum.models import TopicKind


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    initial = True

    operations = [
        ops.CreateModel(
            name="Category",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("slug", fields.CharField(unique=True, max_length=80)),
                ("name", fields.CharField(max_length=80)),
                ("description", fields.TextField(default="", unique=False)),
                (
                    "parent",
                    fields.ForeignKeyField(
                        "forum.Category",
                        source_field="parent_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="children",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("position", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "forum_category", "app": "forum", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Tag",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("name", fields.CharField(unique=True, max_length=30)),
            ],
            options={"table": "forum_tag", "app": "forum", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Topic",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "category",
                    fields.ForeignKeyField(
                        "forum.Category",
                        source_field="category_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="topics",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "author",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="author_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="forum_topics",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("title", fields.CharField(max_length=150)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="QUESTION: question\nDISCUSSION: discussion", enum_type=TopicKind, max_length=12
                    ),
                ),
                (
                    "tags",
                    fields.ManyToManyField(
                        "forum.Tag",
                        unique=True,
                        db_constraint=True,
                        through="forum_topic_tag",
                        forward_key="tag_id",
                        backward_key="topic_id",
                        related_name="topics",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("solved_post_id", fields.IntField(null=True)),
                ("post_count", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ("last_post_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ("locked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("hidden_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("pinned", fields.BooleanField(default=False)),
            ],
            options={"table": "forum_topic", "app": "forum", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Post",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "topic",
                    fields.ForeignKeyField(
                        "forum.Topic",
                        source_field="topic_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="posts",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "author",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="author_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="forum_posts",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("number", fields.IntField()),
                ("body_markdown", fields.TextField(unique=False)),
                ("body_html", fields.TextField(unique=False)),
                ("score", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("edited_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("hidden_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "forum_post", "app": "forum", "unique_together": (("topic", "number"),), "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Flag",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "post",
                    fields.ForeignKeyField(
                        "forum.Post",
                        source_field="post_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="flags",
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
                        related_name="forum_flags",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("reason", fields.CharField(max_length=500)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("resolved_at", fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                (
                    "resolved_by",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="resolved_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="forum_flags_resolved",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("resolution", fields.CharField(default="", max_length=20)),
            ],
            options={"table": "forum_flag", "app": "forum", "unique_together": (("post", "user"),), "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ModerationEntry",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "actor",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="actor_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="forum_moderation",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("action", fields.CharField(max_length=30)),
                (
                    "topic",
                    fields.ForeignKeyField(
                        "forum.Topic",
                        source_field="topic_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="moderation",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "post",
                    fields.ForeignKeyField(
                        "forum.Post",
                        source_field="post_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="moderation",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("reason", fields.TextField(default="", unique=False)),
                (
                    "details",
                    fields.JSONField(
                        default=dict, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("created_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={"table": "forum_moderation_entry", "app": "forum", "pk_attr": "id"},
            bases=["Model"],
        ),
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
                        related_name="forum_notifications",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("kind", fields.CharField(max_length=20)),
                (
                    "topic",
                    fields.ForeignKeyField(
                        "forum.Topic",
                        source_field="topic_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="notifications",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "post",
                    fields.ForeignKeyField(
                        "forum.Post",
                        source_field="post_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="notifications",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "actor",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="actor_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="forum_notifications_caused",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("read_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("digest_pending", fields.BooleanField(default=False)),
            ],
            options={"table": "forum_notification", "app": "forum", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PostRevision",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "post",
                    fields.ForeignKeyField(
                        "forum.Post",
                        source_field="post_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="revisions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "editor",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="editor_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="forum_revisions",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("title", fields.CharField(default="", max_length=150)),
                ("body_markdown", fields.TextField(unique=False)),
                ("body_html", fields.TextField(unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "forum_post_revision", "app": "forum", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ReadState",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="forum_reads",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "topic",
                    fields.ForeignKeyField(
                        "forum.Topic",
                        source_field="topic_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="reads",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("last_read_number", fields.IntField(default=0)),
            ],
            options={
                "table": "forum_read_state",
                "app": "forum",
                "unique_together": (("user", "topic"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SearchEntry",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "post",
                    fields.OneToOneField(
                        "forum.Post",
                        source_field="post_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="search_entry",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("topic_id", fields.IntField(db_index=True)),
                ("title", fields.TextField(unique=False)),
                ("body", fields.TextField(unique=False)),
            ],
            options={"table": "forum_search_entry", "app": "forum", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Vote",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "post",
                    fields.ForeignKeyField(
                        "forum.Post",
                        source_field="post_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="votes",
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
                        related_name="forum_votes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("value", fields.SmallIntField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "forum_vote", "app": "forum", "unique_together": (("post", "user"),), "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Watch",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="forum_watches",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "topic",
                    fields.ForeignKeyField(
                        "forum.Topic",
                        source_field="topic_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="watches",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "category",
                    fields.ForeignKeyField(
                        "forum.Category",
                        source_field="category_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="watches",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "forum_watch",
                "app": "forum",
                "unique_together": (("user", "topic"), ("user", "category")),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
