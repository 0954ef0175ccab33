import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from accounts.models import Motivation, Role, TokenPurpose


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="User",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("email", fields.CharField(unique=True, max_length=254)),
                ("email_verified_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("display_name", fields.CharField(max_length=80)),
                ("password_hash", fields.CharField(max_length=255)),
                ("bio", fields.TextField(default="", unique=False)),
                ("locale", fields.CharField(default="fr", max_length=5)),
                ("timezone", fields.CharField(default="Europe/Paris", max_length=64)),
                (
                    "motivation",
                    fields.CharEnumField(
                        null=True,
                        description="TEACHER: teacher\nIT_PROFESSIONAL: it_professional\nCAREER_CHANGER: career_changer\nFACILITATOR: facilitator\nOTHER: other",
                        enum_type=Motivation,
                        max_length=20,
                    ),
                ),
                (
                    "mail_preferences",
                    fields.JSONField(
                        default=dict, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("calendar_token_version", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("suspended_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "accounts_user", "app": "accounts", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ApiToken",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="api_tokens",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(max_length=80)),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("last_used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "accounts_api_token", "app": "accounts", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AuditEntry",
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
                        related_name="audit_actions",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "target",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="target_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="audit_entries",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("action", fields.CharField(max_length=40)),
                ("reason", fields.TextField(default="", unique=False)),
                (
                    "details",
                    fields.JSONField(
                        default=dict, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("created_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={"table": "accounts_audit_entry", "app": "accounts", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="OneTimeToken",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="one_time_tokens",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "purpose",
                    fields.CharEnumField(
                        description="VERIFY_EMAIL: verify_email\nRESET_PASSWORD: reset_password\nCHANGE_EMAIL: change_email",
                        enum_type=TokenPurpose,
                        max_length=20,
                    ),
                ),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                ("new_email", fields.CharField(null=True, max_length=254)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "accounts_one_time_token", "app": "accounts", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Session",
            fields=[
                ("id", fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="sessions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("last_seen_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ip", fields.CharField(default="", max_length=45)),
                ("user_agent", fields.CharField(default="", max_length=255)),
            ],
            options={"table": "accounts_session", "app": "accounts", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="UserRole",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="roles",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "role",
                    fields.CharEnumField(
                        description="MEMBER: member\nMENTOR: mentor\nHELPER: helper\nFACILITATOR: facilitator\nMODERATOR: moderator\nSPACE_MANAGER: space_manager\nCOORDINATOR: coordinator\nADMIN: admin",
                        enum_type=Role,
                        max_length=20,
                    ),
                ),
                ("granted_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "accounts_user_role",
                "app": "accounts",
                "unique_together": (("user", "role"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
