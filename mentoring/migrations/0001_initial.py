from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from mentoring.models import Format, OfferOutcome, RequestFormat, RequestStatus, SessionStatus


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("accounts", "0002_two_factor"), ("skills", "0001_initial")]

    initial = True

    operations = [
        ops.CreateModel(
            name="Block",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "blocker",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="blocker_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="mentoring_blocks",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "blocked",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="blocked_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="mentoring_blocked_by",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "mentoring_block",
                "app": "mentoring",
                "unique_together": (("blocker", "blocked"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="MentorProfile",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "user",
                    fields.OneToOneField(
                        "accounts.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="mentor_profile",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("bio", fields.TextField(default="", unique=False)),
                ("motivation", fields.TextField(default="", unique=False)),
                ("languages", fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ("formats", fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ("max_mentees", fields.IntField(default=2)),
                ("active_count", fields.IntField(default=0)),
                ("timezone", fields.CharField(default="Europe/Paris", max_length=64)),
                ("availability", fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ("paused_until", fields.DateField(null=True)),
                ("applied_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("declined_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("decline_reason", fields.TextField(default="", unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={"table": "mentoring_mentorprofile", "app": "mentoring", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="MentorSkill",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "profile",
                    fields.ForeignKeyField(
                        "mentoring.MentorProfile",
                        source_field="profile_id",
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
                        related_name="mentor_skills",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
            ],
            options={
                "table": "mentoring_mentorskill",
                "app": "mentoring",
                "unique_together": (("profile", "skill"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Request",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "mentee",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="mentee_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="mentoring_requests",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "mentor",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="mentor_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="mentoring_assigned",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("topic", fields.CharField(max_length=200)),
                ("goal", fields.TextField(default="", unique=False)),
                ("background", fields.TextField(default="", unique=False)),
                ("languages", fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                (
                    "format",
                    fields.CharEnumField(
                        default=RequestFormat.ANY,
                        description="ONSITE: onsite\nONLINE: online\nANY: any",
                        enum_type=RequestFormat,
                        max_length=10,
                    ),
                ),
                ("timezone", fields.CharField(default="Europe/Paris", max_length=64)),
                ("availability", fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                (
                    "status",
                    fields.CharEnumField(
                        default=RequestStatus.OPEN,
                        description="OPEN: open\nOFFERED: offered\nACTIVE: active\nCOMPLETED: completed\nCANCELLED: cancelled\nEXPIRED: expired\nWITHDRAWN: withdrawn",
                        enum_type=RequestStatus,
                        max_length=10,
                    ),
                ),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("renewed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("expiry_reminded_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("accepted_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("closed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("closed_by_id", fields.IntField(null=True)),
                ("rating", fields.IntField(null=True)),
                ("feedback", fields.TextField(default="", unique=False)),
                ("purged_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "mentoring_request",
                "app": "mentoring",
                "indexes": [Index(fields=["status", "expires_at"]), Index(fields=["mentor_id", "status"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Goal",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "request",
                    fields.ForeignKeyField(
                        "mentoring.Request",
                        source_field="request_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="goals",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("title", fields.CharField(max_length=200)),
                ("done", fields.BooleanField(default=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "mentoring_goal", "app": "mentoring", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Message",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "request",
                    fields.ForeignKeyField(
                        "mentoring.Request",
                        source_field="request_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="messages",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "author",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="author_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="mentoring_messages",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("body", fields.TextField(unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("reported_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("reported_by_id", fields.IntField(null=True)),
                ("report_reason", fields.TextField(default="", unique=False)),
                ("report_handled_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "mentoring_message", "app": "mentoring", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Offer",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "request",
                    fields.ForeignKeyField(
                        "mentoring.Request",
                        source_field="request_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="offers",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "mentor",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="mentor_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="mentoring_offers",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("offered_by_id", fields.IntField(null=True)),
                ("offered_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("reminded_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("answered_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "outcome",
                    fields.CharEnumField(
                        default=OfferOutcome.PENDING,
                        description="PENDING: pending\nACCEPTED: accepted\nDECLINED: declined\nLAPSED: lapsed\nWITHDRAWN: withdrawn",
                        enum_type=OfferOutcome,
                        max_length=10,
                    ),
                ),
                ("message", fields.TextField(default="", unique=False)),
            ],
            options={
                "table": "mentoring_offer",
                "app": "mentoring",
                "indexes": [Index(fields=["outcome", "offered_at"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PrivateNote",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "request",
                    fields.ForeignKeyField(
                        "mentoring.Request",
                        source_field="request_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="private_notes",
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
                        related_name="mentoring_notes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("body", fields.TextField(default="", unique=False)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "mentoring_privatenote",
                "app": "mentoring",
                "unique_together": (("request", "author"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="RequestSkill",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "request",
                    fields.ForeignKeyField(
                        "mentoring.Request",
                        source_field="request_id",
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
                        related_name="request_skills",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
            ],
            options={
                "table": "mentoring_requestskill",
                "app": "mentoring",
                "unique_together": (("request", "skill"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Session",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "request",
                    fields.ForeignKeyField(
                        "mentoring.Request",
                        source_field="request_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="sessions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("mentor_id", fields.IntField()),
                ("starts_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ends_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "format",
                    fields.CharEnumField(description="ONSITE: onsite\nONLINE: online", enum_type=Format, max_length=10),
                ),
                ("room_id", fields.IntField(null=True)),
                ("room_name", fields.CharField(default="", max_length=100)),
                ("booking_id", fields.IntField(null=True)),
                ("link", fields.CharField(default="", max_length=500)),
                (
                    "status",
                    fields.CharEnumField(
                        default=SessionStatus.SCHEDULED,
                        description="SCHEDULED: scheduled\nCANCELLED: cancelled",
                        enum_type=SessionStatus,
                        max_length=10,
                    ),
                ),
                ("notes", fields.TextField(default="", unique=False)),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="created_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="mentoring_sessions_created",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("cancelled_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("sequence", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "mentoring_session",
                "app": "mentoring",
                "indexes": [Index(fields=["mentor_id", "ends_at", "starts_at", "status"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
