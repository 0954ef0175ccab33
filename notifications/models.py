"""The notifications' tables: one row per notification, one per person and kind chosen."""

from __future__ import annotations

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from tierslieu.parts import NOTIFICATION_MODES

# (No docstrings on models: Tortoise copies them into SQL comments unescaped.)

MODES_CHECK = "mode IN ({})".format(", ".join(f"'{mode}'" for mode in NOTIFICATION_MODES))


class Notification(Model):
    # ``kind`` is a NotificationKind name ("forum.mention"); ``message`` a tierslieu.i18n.Message
    # as JSON, rendered in the reader's locale; ``url`` the local path it opens; ``data`` small
    # plain values the notifying part adds to the live message (e.g. topic_id).
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.User", related_name="notifications", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=40)
    message: dict = fields.JSONField()
    url = fields.CharField(max_length=500)
    excerpt = fields.TextField(default="")
    data: dict = fields.JSONField(default=dict)
    actor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "accounts.User", related_name="notifications_caused", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)
    # set when the daily digest mail should include it, cleared when that mail is written
    digest_pending = fields.BooleanField(default=False)

    class Meta:
        table = "notifications_notification"
        indexes = (("user_id", "read_at"), ("user_id", "created_at"), ("digest_pending", "created_at"))


class Preference(Model):
    # How one person wants to hear of one kind; without a row, the kind's default holds.
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.User", related_name="notification_preferences", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=40)
    mode = fields.CharField(max_length=10)

    class Meta:
        table = "notifications_preference"
        unique_together = (("user", "kind"),)
        constraints = (CheckConstraint(check=MODES_CHECK, name="notifications_preference_mode"),)
