import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from bookings.models import Origin, Status


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    initial = True

    operations = [
        ops.CreateModel(
            name="Room",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("name", fields.CharField(unique=True, max_length=100)),
                ("description", fields.TextField(default="", unique=False)),
                ("capacity", fields.IntField()),
                (
                    "equipment",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("accessibility", fields.TextField(default="", unique=False)),
                ("timezone", fields.CharField(default="Europe/Paris", max_length=64)),
                (
                    "opening_hours",
                    fields.JSONField(
                        default=dict, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("granularity_minutes", fields.IntField(default=15)),
                ("min_minutes", fields.IntField(default=15)),
                ("max_minutes", fields.IntField(default=480)),
                ("max_advance_days", fields.IntField(default=90)),
                ("weekly_quota_minutes", fields.IntField(default=1200)),
                ("requires_approval", fields.BooleanField(default=False)),
                ("allowed_role", fields.CharField(default="member", max_length=20)),
                ("checkin_grace_minutes", fields.IntField(default=15)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "bookings_room", "app": "bookings", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Closure",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "room",
                    fields.ForeignKeyField(
                        "bookings.Room",
                        source_field="room_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="closures",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("starts_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ends_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ("reason", fields.CharField(max_length=200)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "bookings_closure", "app": "bookings", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Series",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "room",
                    fields.ForeignKeyField(
                        "bookings.Room",
                        source_field="room_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="series",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="user_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="booking_series",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "weekdays",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("start_time", fields.CharField(max_length=5)),
                ("end_time", fields.CharField(max_length=5)),
                ("first_date", fields.DateField()),
                ("last_date", fields.DateField()),
                ("purpose", fields.CharField(max_length=200)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "bookings_series", "app": "bookings", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Booking",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "room",
                    fields.ForeignKeyField(
                        "bookings.Room",
                        source_field="room_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="bookings",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "accounts.User",
                        source_field="user_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="bookings",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "series",
                    fields.ForeignKeyField(
                        "bookings.Series",
                        source_field="series_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="bookings",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("starts_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ends_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("purpose", fields.CharField(max_length=200)),
                ("people", fields.IntField(default=1)),
                (
                    "status",
                    fields.CharEnumField(
                        default=Status.CONFIRMED,
                        description="PENDING: pending\nCONFIRMED: confirmed\nREJECTED: rejected\nCANCELLED: cancelled",
                        enum_type=Status,
                        max_length=10,
                    ),
                ),
                (
                    "origin",
                    fields.CharEnumField(
                        default=Origin.MEMBER,
                        description="MEMBER: member\nEVENT: event\nMENTORING: mentoring\nHELPDESK: helpdesk",
                        enum_type=Origin,
                        max_length=10,
                    ),
                ),
                ("decided_by_id", fields.IntField(null=True)),
                ("decision_message", fields.TextField(default="", unique=False)),
                ("checked_in_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("cancelled_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("cancel_reason", fields.CharField(default="", max_length=20)),
                ("sequence", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "bookings_booking",
                "app": "bookings",
                "indexes": [
                    Index(fields=["room_id", "ends_at"]),
                    Index(fields=["user_id", "starts_at"]),
                    Index(fields=["status", "starts_at"]),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
