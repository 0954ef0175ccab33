"""Rooms, closures, bookings and recurring series."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Status(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


# The statuses of a booking that holds its room: two of them never overlap (migration 0002).
LIVE = (Status.PENDING, Status.CONFIRMED)
# No booking lasts longer than this (every path checks it), so that an overlap search reads
# a narrow range of the (room_id, ends_at) index.
MAX_BOOKING = timedelta(hours=24)


class Origin(StrEnum):
    MEMBER = "member"
    EVENT = "event"
    MENTORING = "mentoring"
    HELPDESK = "helpdesk"


class Room(Model):
    # A room of the space. Opening hours are in the room's own zone:
    # {"mon": [["08:00", "20:00"]], ...}; a missing day is closed.
    # (No docstrings on models: Tortoise copies them into SQL comments unescaped.)

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    description = fields.TextField(default="")
    capacity = fields.IntField()
    equipment: list = fields.JSONField(default=list)
    accessibility = fields.TextField(default="")
    timezone = fields.CharField(max_length=64, default="Europe/Paris")
    opening_hours: dict = fields.JSONField(default=dict)
    granularity_minutes = fields.IntField(default=15)
    min_minutes = fields.IntField(default=15)
    max_minutes = fields.IntField(default=480)
    max_advance_days = fields.IntField(default=90)
    weekly_quota_minutes = fields.IntField(default=1200)
    requires_approval = fields.BooleanField(default=False)
    allowed_role = fields.CharField(max_length=20, default="member")
    checkin_grace_minutes = fields.IntField(default=15)
    created_at = fields.DatetimeField(auto_now_add=True)

    bookings: fields.ReverseRelation[Booking]

    class Meta:
        table = "bookings_room"
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Closure(Model):
    # The whole site (room is null) or one room closed: holidays, maintenance.

    id = fields.IntField(primary_key=True)
    room: fields.ForeignKeyNullableRelation[Room] = fields.ForeignKeyField(
        "bookings.Room", related_name="closures", null=True, on_delete=fields.CASCADE
    )
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField(db_index=True)
    reason = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "bookings_closure"
        ordering = ("starts_at",)


class Series(Model):
    # A recurring booking: the same local hours on chosen weekdays, week after week.

    id = fields.IntField(primary_key=True)
    room: fields.ForeignKeyRelation[Room] = fields.ForeignKeyField(
        "bookings.Room", related_name="series", on_delete=fields.CASCADE
    )
    user = fields.ForeignKeyField("accounts.User", related_name="booking_series", null=True, on_delete=fields.SET_NULL)
    weekdays: list = fields.JSONField(default=list)
    start_time = fields.CharField(max_length=5)
    end_time = fields.CharField(max_length=5)
    first_date = fields.DateField()
    last_date = fields.DateField()
    purpose = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "bookings_series"


class Booking(Model):
    # Two live bookings (pending or confirmed) of a room never overlap: an exclusion
    # constraint (PostgreSQL) or triggers (SQLite) added by migration 0002 make sure.

    id = fields.IntField(primary_key=True)
    room: fields.ForeignKeyRelation[Room] = fields.ForeignKeyField(
        "bookings.Room", related_name="bookings", on_delete=fields.CASCADE
    )
    user = fields.ForeignKeyField("accounts.User", related_name="bookings", null=True, on_delete=fields.SET_NULL)
    series: fields.ForeignKeyNullableRelation[Series] = fields.ForeignKeyField(
        "bookings.Series", related_name="bookings", null=True, on_delete=fields.SET_NULL
    )
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    purpose = fields.CharField(max_length=200)
    people = fields.IntField(default=1)
    status = fields.CharEnumField(Status, max_length=10, default=Status.CONFIRMED)
    origin = fields.CharEnumField(Origin, max_length=10, default=Origin.MEMBER)
    decided_by_id = fields.IntField(null=True)
    decision_message = fields.TextField(default="")
    checked_in_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)
    cancel_reason = fields.CharField(max_length=20, default="")
    sequence = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "bookings_booking"
        # (room_id, ends_at, …) and (user_id, starts_at, …) cover the overlap, busy-time and
        # quota queries: they read the index alone, never the table
        indexes = (
            ("room_id", "ends_at", "starts_at", "status"),
            ("user_id", "starts_at", "ends_at", "status"),
            ("status", "starts_at"),
        )
