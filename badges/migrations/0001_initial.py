from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from badges.models import Origin


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("accounts", "0002_two_factor"), ("skills", "0001_initial")]

    initial = True

    operations = [
        ops.CreateModel(
            name="BadgeClass",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("name", fields.CharField(max_length=120)),
                ("description", fields.TextField(unique=False)),
                ("criteria", fields.TextField(unique=False)),
                ("image", fields.BinaryField()),
                ("image_generated", fields.BooleanField(default=True)),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="created_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="badge_classes_created",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("archived_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={"table": "badges_class", "app": "badges", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Award",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "badge_class",
                    fields.ForeignKeyField(
                        "badges.BadgeClass",
                        source_field="badge_class_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="awards",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "recipient",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="recipient_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="badges",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("identity_hash", fields.CharField(max_length=71)),
                ("salt", fields.CharField(max_length=32)),
                (
                    "origin",
                    fields.CharEnumField(
                        description="EVENT: event\nMANUAL: manual\nMENTORING: mentoring",
                        enum_type=Origin,
                        max_length=10,
                    ),
                ),
                (
                    "awarded_by",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="awarded_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="badges_awarded",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("evidence_note", fields.TextField(default="", unique=False)),
                ("event_id", fields.IntField(null=True)),
                ("session_ids", fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ("relationship_id", fields.IntField(null=True)),
                ("issued_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("shared", fields.BooleanField(default=False)),
                ("share_token", fields.CharField(unique=True, max_length=43)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("revocation_reason", fields.TextField(default="", unique=False)),
                ("revoked_by_id", fields.IntField(null=True)),
            ],
            options={
                "table": "badges_award",
                "app": "badges",
                "indexes": [Index(fields=["recipient_id", "revoked_at"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ClassSkill",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "badge_class",
                    fields.ForeignKeyField(
                        "badges.BadgeClass",
                        source_field="badge_class_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="skills",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "skill",
                    fields.ForeignKeyField(
                        "skills.Skill",
                        source_field="skill_id",
                        db_constraint=True,
                        to_field="slug",
                        related_name="badge_classes",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
            ],
            options={
                "table": "badges_class_skill",
                "app": "badges",
                "unique_together": (("badge_class", "skill"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="EventLink",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "badge_class",
                    fields.ForeignKeyField(
                        "badges.BadgeClass",
                        source_field="badge_class_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="event_links",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("event_id", fields.IntField(db_index=True)),
                ("required_session_ids", fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ("linked_by_id", fields.IntField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "badges_event_link",
                "app": "badges",
                "unique_together": (("badge_class", "event_id"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Issuer",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("name", fields.CharField(max_length=120)),
                ("url", fields.CharField(max_length=300)),
                ("email", fields.CharField(max_length=254)),
                ("description", fields.TextField(default="", unique=False)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={"table": "badges_issuer", "app": "badges", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="MentorGrant",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("relationship_id", fields.IntField(unique=True)),
                (
                    "mentor",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="mentor_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="badge_grants_given",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "mentee",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="mentee_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="badge_grants_received",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("skills", fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "badges_mentor_grant", "app": "badges", "pk_attr": "id"},
            bases=["Model"],
        ),
    ]
