"""Duty hours, their blocks, absences, appointments and the per-topic waiting list."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

# (No docstrings on models: Tortoise copies them into SQL comments unescaped.)


class Format(StrEnum):
    ONSITE = "onsite"
    ONLINE = "online"


class Status(StrEnum):
    BOOKED = "booked"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


# The statuses that hold a helper's slot: two of them never share one (migration 0002).
HOLDING = (Status.BOOKED, Status.DONE, Status.NO_SHOW)


class BlockProblem(StrEnum):
    NONE = ""
    ROOM_TAKEN = "room_taken"
    ROOM_CLOSED = "room_closed"


class Hours(Model):
    # Recurring duty hours (weekday 0 = Monday) or one-off extra hours (on_date), in local
    # time of ``timezone``; split into slots of slot_minutes, with buffer_minutes between.
    id = fields.IntField(primary_key=True)
    helper = fields.ForeignKeyField("accounts.User", related_name="helpdesk_hours", on_delete=fields.CASCADE)
    weekday = fields.IntField(null=True)
    on_date = fields.DateField(null=True)
    starts = fields.CharField(max_length=5)
    ends = fields.CharField(max_length=5)
    timezone = fields.CharField(max_length=64)
    format = fields.CharEnumField(Format, max_length=10)
    slot_minutes = fields.IntField()
    buffer_minutes = fields.IntField(default=0)
    languages: list = fields.JSONField(default=list)
    room_id = fields.IntField(null=True)
    join_url = fields.CharField(max_length=500, default="")
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    topics: fields.ReverseRelation[HoursTopic]
    blocks: fields.ReverseRelation[Block]

    class Meta:
        table = "helpdesk_hours"
        indexes = (("helper_id", "active"),)


class HoursTopic(Model):
    id = fields.IntField(primary_key=True)
    hours: fields.ForeignKeyRelation[Hours] = fields.ForeignKeyField(
        "helpdesk.Hours", related_name="topics", on_delete=fields.CASCADE
    )
    skill = fields.ForeignKeyField("skills.Skill", related_name="helpdesk_hours", on_delete=fields.RESTRICT)

    class Meta:
        table = "helpdesk_hours_topic"
        unique_together = (("hours", "skill"),)


class Block(Model):
    # One occurrence of duty hours, in UTC; on site it holds its room booking (booking_id),
    # or says why the room could not be had (problem), and then offers no slots.
    id = fields.IntField(primary_key=True)
    hours: fields.ForeignKeyRelation[Hours] = fields.ForeignKeyField(
        "helpdesk.Hours", related_name="blocks", on_delete=fields.CASCADE
    )
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField(db_index=True)
    booking_id = fields.IntField(null=True)
    problem = fields.CharEnumField(BlockProblem, max_length=12, default=BlockProblem.NONE)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "helpdesk_block"
        unique_together = (("hours", "starts_at"),)


class Absence(Model):
    # A helper away (holiday): no slots, and appointments inside are cancelled.
    id = fields.IntField(primary_key=True)
    helper = fields.ForeignKeyField("accounts.User", related_name="helpdesk_absences", on_delete=fields.CASCADE)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    reason = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "helpdesk_absence"
        indexes = (("helper_id", "ends_at"),)


class Appointment(Model):
    # One holding appointment per helper and start (a partial unique index, migration 0002);
    # at most two upcoming booked ones per person (a trigger, migration 0002).
    id = fields.IntField(primary_key=True)
    helper = fields.ForeignKeyField("accounts.User", related_name="helpdesk_given", on_delete=fields.CASCADE)
    person = fields.ForeignKeyField("accounts.User", related_name="helpdesk_appointments", on_delete=fields.CASCADE)
    hours = fields.ForeignKeyField("helpdesk.Hours", related_name="appointments", null=True, on_delete=fields.SET_NULL)
    topic = fields.ForeignKeyField("skills.Skill", related_name="helpdesk_appointments", on_delete=fields.RESTRICT)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    timezone = fields.CharField(max_length=64)
    format = fields.CharEnumField(Format, max_length=10)
    need = fields.TextField()
    room_id = fields.IntField(null=True)
    join_url = fields.CharField(max_length=500, default="")
    status = fields.CharEnumField(Status, max_length=10, default=Status.BOOKED)
    cancelled_at = fields.DatetimeField(null=True)
    cancelled_by_id = fields.IntField(null=True)
    late_cancel = fields.BooleanField(default=False)
    follow_up = fields.TextField(default="")
    followed_up_at = fields.DatetimeField(null=True)
    reminded_at = fields.DatetimeField(null=True)
    sequence = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "helpdesk_appointment"
        indexes = (("person_id", "status", "starts_at"), ("helper_id", "starts_at"), ("status", "starts_at"))


class WaitEntry(Model):
    # "Tell me if something earlier frees up", per person and topic.
    id = fields.IntField(primary_key=True)
    person = fields.ForeignKeyField("accounts.User", related_name="helpdesk_waits", on_delete=fields.CASCADE)
    topic = fields.ForeignKeyField("skills.Skill", related_name="helpdesk_waits", on_delete=fields.RESTRICT)
    notified_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "helpdesk_wait"
        unique_together = (("person", "topic"),)
