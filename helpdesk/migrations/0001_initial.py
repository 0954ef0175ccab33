from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from helpdesk.models import BlockProblem, Format, Status


def _id():
    return ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True))


def _fk(name: str, model: str, related: str, on_delete: str, *, null: bool = False, to: str = "id"):
    return (
        name,
        fields.ForeignKeyField(
            model,
            source_field=f"{name}_id",
            null=null,
            db_constraint=True,
            to_field=to,
            related_name=related,
            on_delete=on_delete,
        ),
    )


def _when(name: str, *, null: bool = False, auto_now: bool = False, auto_now_add: bool = False, index: bool = False):
    return (name, fields.DatetimeField(null=null, auto_now=auto_now, auto_now_add=auto_now_add, db_index=index))


FORMAT = "ONSITE: onsite\nONLINE: online"


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_two_factor"), ("skills", "0001_initial")]

    initial = True

    operations = [
        ops.CreateModel(
            name="Hours",
            fields=[
                _id(),
                _fk("helper", "accounts.User", "helpdesk_hours", OnDelete.CASCADE),
                ("weekday", fields.IntField(null=True)),
                ("on_date", fields.DateField(null=True)),
                ("starts", fields.CharField(max_length=5)),
                ("ends", fields.CharField(max_length=5)),
                ("timezone", fields.CharField(max_length=64)),
                ("format", fields.CharEnumField(description=FORMAT, enum_type=Format, max_length=10)),
                ("slot_minutes", fields.IntField()),
                ("buffer_minutes", fields.IntField(default=0)),
                ("languages", fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ("room_id", fields.IntField(null=True)),
                ("join_url", fields.CharField(default="", max_length=500)),
                ("active", fields.BooleanField(default=True)),
                _when("created_at", auto_now_add=True),
            ],
            options={
                "table": "helpdesk_hours",
                "app": "helpdesk",
                "indexes": [Index(fields=["helper_id", "active"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="HoursTopic",
            fields=[
                _id(),
                _fk("hours", "helpdesk.Hours", "topics", OnDelete.CASCADE),
                _fk("skill", "skills.Skill", "helpdesk_hours", OnDelete.RESTRICT, to="slug"),
            ],
            options={
                "table": "helpdesk_hours_topic",
                "app": "helpdesk",
                "unique_together": (("hours", "skill"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Block",
            fields=[
                _id(),
                _fk("hours", "helpdesk.Hours", "blocks", OnDelete.CASCADE),
                _when("starts_at"),
                _when("ends_at", index=True),
                ("booking_id", fields.IntField(null=True)),
                (
                    "problem",
                    fields.CharEnumField(
                        default=BlockProblem.NONE,
                        description="NONE: \nROOM_TAKEN: room_taken\nROOM_CLOSED: room_closed",
                        enum_type=BlockProblem,
                        max_length=12,
                    ),
                ),
                _when("created_at", auto_now_add=True),
            ],
            options={
                "table": "helpdesk_block",
                "app": "helpdesk",
                "unique_together": (("hours", "starts_at"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Absence",
            fields=[
                _id(),
                _fk("helper", "accounts.User", "helpdesk_absences", OnDelete.CASCADE),
                _when("starts_at"),
                _when("ends_at"),
                ("reason", fields.CharField(default="", max_length=200)),
                _when("created_at", auto_now_add=True),
            ],
            options={
                "table": "helpdesk_absence",
                "app": "helpdesk",
                "indexes": [Index(fields=["helper_id", "ends_at"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Appointment",
            fields=[
                _id(),
                _fk("helper", "accounts.User", "helpdesk_given", OnDelete.CASCADE),
                _fk("person", "accounts.User", "helpdesk_appointments", OnDelete.CASCADE),
                _fk("hours", "helpdesk.Hours", "appointments", OnDelete.SET_NULL, null=True),
                _fk("topic", "skills.Skill", "helpdesk_appointments", OnDelete.RESTRICT, to="slug"),
                _when("starts_at"),
                _when("ends_at"),
                ("timezone", fields.CharField(max_length=64)),
                ("format", fields.CharEnumField(description=FORMAT, enum_type=Format, max_length=10)),
                ("need", fields.TextField(unique=False)),
                ("room_id", fields.IntField(null=True)),
                ("join_url", fields.CharField(default="", max_length=500)),
                (
                    "status",
                    fields.CharEnumField(
                        default=Status.BOOKED,
                        description="BOOKED: booked\nDONE: done\nNO_SHOW: no_show\nCANCELLED: cancelled",
                        enum_type=Status,
                        max_length=10,
                    ),
                ),
                _when("cancelled_at", null=True),
                ("cancelled_by_id", fields.IntField(null=True)),
                ("late_cancel", fields.BooleanField(default=False)),
                ("follow_up", fields.TextField(default="", unique=False)),
                _when("followed_up_at", null=True),
                _when("reminded_at", null=True),
                ("sequence", fields.IntField(default=0)),
                _when("created_at", auto_now_add=True),
                _when("updated_at", auto_now=True),
            ],
            options={
                "table": "helpdesk_appointment",
                "app": "helpdesk",
                "indexes": [
                    Index(fields=["person_id", "status", "starts_at"]),
                    Index(fields=["helper_id", "starts_at"]),
                    Index(fields=["status", "starts_at"]),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="WaitEntry",
            fields=[
                _id(),
                _fk("person", "accounts.User", "helpdesk_waits", OnDelete.CASCADE),
                _fk("topic", "skills.Skill", "helpdesk_waits", OnDelete.RESTRICT, to="slug"),
                _when("notified_at", null=True),
                _when("created_at", auto_now_add=True),
            ],
            options={
                "table": "helpdesk_wait",
                "app": "helpdesk",
                "unique_together": (("person", "topic"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
