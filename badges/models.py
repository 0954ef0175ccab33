"""Micro-certificates: the space as issuer, badge classes, the events they are linked to,
awards (Open Badges assertions) and the mentors who may award their mentees."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Origin(StrEnum):
    EVENT = "event"  # given on its own once the required sessions were attended
    MANUAL = "manual"  # given by hand (a facilitator, the class's creator, a coordinator)
    MENTORING = "mentoring"  # given by a mentor once the relationship completed


class Issuer(Model):
    # The space as Open Badges issuer: one row (id 1), edited by admins and coordinators.
    # (No docstrings on models: Tortoise copies them into SQL comments unescaped.)

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120)
    url = fields.CharField(max_length=300)
    email = fields.CharField(max_length=254)
    description = fields.TextField(default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "badges_issuer"


class BadgeClass(Model):
    # What a badge attests. The image is a PNG (given, or drawn from the name).

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120)
    description = fields.TextField()
    criteria = fields.TextField()
    image = fields.BinaryField()
    image_generated = fields.BooleanField(default=True)
    created_by = fields.ForeignKeyField(
        "accounts.User", related_name="badge_classes_created", null=True, on_delete=fields.SET_NULL
    )
    archived_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "badges_class"


class ClassSkill(Model):
    # A skill of the shared vocabulary that a badge class attests.

    id = fields.IntField(primary_key=True)
    badge_class: fields.ForeignKeyRelation[BadgeClass] = fields.ForeignKeyField(
        "badges.BadgeClass", related_name="skills", on_delete=fields.CASCADE
    )
    skill = fields.ForeignKeyField("skills.Skill", related_name="badge_classes", on_delete=fields.RESTRICT)

    class Meta:
        table = "badges_class_skill"
        unique_together = (("badge_class", "skill"),)


class EventLink(Model):
    # An event whose attendance earns a badge class: attending every required session (all
    # of them while `required_session_ids` is empty; the whole event when it has none).

    id = fields.IntField(primary_key=True)
    badge_class: fields.ForeignKeyRelation[BadgeClass] = fields.ForeignKeyField(
        "badges.BadgeClass", related_name="event_links", on_delete=fields.CASCADE
    )
    event_id = fields.IntField(db_index=True)
    required_session_ids: list = fields.JSONField(default=list)
    linked_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "badges_event_link"
        unique_together = (("badge_class", "event_id"),)


class Award(Model):
    # An Open Badges assertion. The recipient's address is kept only as a salted SHA-256,
    # so that an award stays verifiable after the account is gone (recipient then null).
    # One live (unrevoked) award per class and person: a partial unique index (0002).

    id = fields.IntField(primary_key=True)
    badge_class: fields.ForeignKeyRelation[BadgeClass] = fields.ForeignKeyField(
        "badges.BadgeClass", related_name="awards", on_delete=fields.RESTRICT
    )
    recipient = fields.ForeignKeyField("accounts.User", related_name="badges", null=True, on_delete=fields.SET_NULL)
    identity_hash = fields.CharField(max_length=71)  # "sha256$" + 64 hex digits
    salt = fields.CharField(max_length=32)
    origin = fields.CharEnumField(Origin, max_length=10)
    awarded_by = fields.ForeignKeyField(
        "accounts.User", related_name="badges_awarded", null=True, on_delete=fields.SET_NULL
    )
    evidence_note = fields.TextField(default="")
    event_id = fields.IntField(null=True)
    session_ids: list = fields.JSONField(default=list)
    relationship_id = fields.IntField(null=True)
    issued_at = fields.DatetimeField()
    shared = fields.BooleanField(default=False)
    share_token = fields.CharField(max_length=43, unique=True)
    revoked_at = fields.DatetimeField(null=True)
    revocation_reason = fields.TextField(default="")
    revoked_by_id = fields.IntField(null=True)

    class Meta:
        table = "badges_award"
        indexes = (("recipient_id", "revoked_at"),)


class MentorGrant(Model):
    # A completed mentoring relationship: its mentor may award badges to its mentee.

    id = fields.IntField(primary_key=True)
    relationship_id = fields.IntField(unique=True)
    mentor = fields.ForeignKeyField("accounts.User", related_name="badge_grants_given", on_delete=fields.CASCADE)
    mentee = fields.ForeignKeyField("accounts.User", related_name="badge_grants_received", on_delete=fields.CASCADE)
    skills: list = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "badges_mentor_grant"
