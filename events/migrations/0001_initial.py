from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from events.models import EventStatus, Kind, Language, Mode, Place, RegistrationStatus


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_two_factor")]

    initial = True

    operations = [
        ops.CreateModel(
            name="Event",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("title", fields.CharField(max_length=200)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="WEBINAR: webinar\nINTENSIVE_WEEK: intensive_week\nWEEKEND: weekend\nWORKSHOP: workshop",
                        enum_type=Kind,
                        max_length=20,
                    ),
                ),
                (
                    "mode",
                    fields.CharEnumField(
                        description="ONLINE: online\nONSITE: onsite\nHYBRID: hybrid", enum_type=Mode, max_length=10
                    ),
                ),
                (
                    "language",
                    fields.CharEnumField(
                        default=Language.FR,
                        description="FR: fr\nEN: en\nINTERPRETED: interpreted",
                        enum_type=Language,
                        max_length=12,
                    ),
                ),
                ("description", fields.TextField(default="", unique=False)),
                ("timezone", fields.CharField(default="Europe/Paris", max_length=64)),
                ("starts_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ends_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("capacity", fields.IntField()),
                ("online_capacity", fields.IntField(default=0)),
                ("confirmed_count", fields.IntField(default=0)),
                ("online_confirmed_count", fields.IntField(default=0)),
                ("waitlist_ticket", fields.IntField(default=0)),
                ("registration_opens_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("registration_closes_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "status",
                    fields.CharEnumField(
                        default=EventStatus.PUBLISHED,
                        description="DRAFT: draft\nPUBLISHED: published\nCANCELLED: cancelled",
                        enum_type=EventStatus,
                        max_length=10,
                    ),
                ),
                ("room_id", fields.IntField(null=True)),
                ("join_url", fields.CharField(default="", max_length=500)),
                ("badge_class_id", fields.IntField(null=True)),
                ("series_key", fields.CharField(null=True, db_index=True, max_length=36)),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="created_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="created_events",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("sequence", fields.IntField(default=0)),
                ("cancelled_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "events_event",
                "app": "events",
                "indexes": [Index(fields=["status", "starts_at"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Facilitator",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "event",
                    fields.ForeignKeyField(
                        "events.Event",
                        source_field="event_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="facilitators",
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
                        related_name="facilitated_events",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "events_facilitator",
                "app": "events",
                "unique_together": (("event", "user"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Registration",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "event",
                    fields.ForeignKeyField(
                        "events.Event",
                        source_field="event_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="registrations",
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
                        related_name="event_registrations",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "place",
                    fields.CharEnumField(
                        default=Place.ONSITE,
                        description="ONSITE: onsite\nONLINE: online",
                        enum_type=Place,
                        max_length=10,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        description="CONFIRMED: confirmed\nWAITLISTED: waitlisted\nCANCELLED: cancelled",
                        enum_type=RegistrationStatus,
                        max_length=10,
                    ),
                ),
                ("ticket", fields.IntField(null=True)),
                ("confirmed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("cancelled_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("reminded_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("sequence", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "events_registration",
                "app": "events",
                "unique_together": (("event", "user"),),
                "indexes": [Index(fields=["event_id", "status", "ticket"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Session",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "event",
                    fields.ForeignKeyField(
                        "events.Event",
                        source_field="event_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="sessions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("title", fields.CharField(max_length=200)),
                ("speaker", fields.CharField(default="", max_length=200)),
                ("starts_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ends_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("room_id", fields.IntField(null=True)),
                ("booking_id", fields.IntField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "events_session", "app": "events", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Attendance",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "event",
                    fields.ForeignKeyField(
                        "events.Event",
                        source_field="event_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="attendances",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "session",
                    fields.ForeignKeyField(
                        "events.Session",
                        source_field="session_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="attendances",
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
                        related_name="event_attendances",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("checked_by_id", fields.IntField(null=True)),
                ("checked_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "events_attendance",
                "app": "events",
                "unique_together": (("event", "session", "user"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
