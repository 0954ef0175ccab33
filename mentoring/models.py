"""Mentor profiles, requests (each request is also the relationship once accepted), offers,
the private thread, sessions, goals and notes."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Format(StrEnum):
    ONSITE = "onsite"
    ONLINE = "online"


class RequestFormat(StrEnum):
    ONSITE = "onsite"
    ONLINE = "online"
    ANY = "any"


class RequestStatus(StrEnum):
    OPEN = "open"  # waiting to be offered to a mentor
    OFFERED = "offered"  # offered to one mentor, who has not answered yet
    ACTIVE = "active"  # accepted: a relationship under way
    COMPLETED = "completed"
    CANCELLED = "cancelled"  # closed before its end, or ended by a block
    EXPIRED = "expired"  # not matched within 30 days
    WITHDRAWN = "withdrawn"  # taken back by the mentee before any match


# the statuses of a request that count against the mentee's limit of 3
OPEN_STATUSES = (RequestStatus.OPEN, RequestStatus.OFFERED)
CLOSED_STATUSES = (RequestStatus.COMPLETED, RequestStatus.CANCELLED)


class OfferOutcome(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class MentorProfile(Model):
    # A person's mentor profile: written when they apply, active while they hold the
    # mentor role (granting the role is the approval). active_count never exceeds
    # max_mentees (migration 0002).

    id = fields.IntField(primary_key=True)
    user = fields.OneToOneField("accounts.User", related_name="mentor_profile", on_delete=fields.CASCADE)
    bio = fields.TextField(default="")
    motivation = fields.TextField(default="")
    languages: list = fields.JSONField(default=list)
    formats: list = fields.JSONField(default=list)
    max_mentees = fields.IntField(default=2)
    active_count = fields.IntField(default=0)
    timezone = fields.CharField(max_length=64, default="Europe/Paris")
    availability: dict = fields.JSONField(default=dict)
    paused_until = fields.DateField(null=True)
    applied_at = fields.DatetimeField(auto_now_add=True)
    declined_at = fields.DatetimeField(null=True)
    decline_reason = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    skills: fields.ReverseRelation[MentorSkill]

    class Meta:
        table = "mentoring_mentorprofile"


class MentorSkill(Model):
    id = fields.IntField(primary_key=True)
    profile: fields.ForeignKeyRelation[MentorProfile] = fields.ForeignKeyField(
        "mentoring.MentorProfile", related_name="skills", on_delete=fields.CASCADE
    )
    skill = fields.ForeignKeyField("skills.Skill", related_name="mentor_skills", on_delete=fields.RESTRICT)

    class Meta:
        table = "mentoring_mentorskill"
        unique_together = (("profile", "skill"),)


class Request(Model):
    # A request for mentoring; once accepted it is the relationship (its id is the
    # relationship's id). Offered to one mentor at a time (mentor = the current one).

    id = fields.IntField(primary_key=True)
    mentee = fields.ForeignKeyField("accounts.User", related_name="mentoring_requests", on_delete=fields.CASCADE)
    mentor = fields.ForeignKeyField(
        "accounts.User", related_name="mentoring_assigned", null=True, on_delete=fields.SET_NULL
    )
    topic = fields.CharField(max_length=200)
    goal = fields.TextField(default="")
    background = fields.TextField(default="")
    languages: list = fields.JSONField(default=list)
    format = fields.CharEnumField(RequestFormat, max_length=10, default=RequestFormat.ANY)
    timezone = fields.CharField(max_length=64, default="Europe/Paris")
    availability: dict = fields.JSONField(default=dict)
    status = fields.CharEnumField(RequestStatus, max_length=10, default=RequestStatus.OPEN)
    expires_at = fields.DatetimeField()
    renewed_at = fields.DatetimeField(null=True)
    expiry_reminded_at = fields.DatetimeField(null=True)
    accepted_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    closed_by_id = fields.IntField(null=True)
    rating = fields.IntField(null=True)
    feedback = fields.TextField(default="")
    purged_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    skills: fields.ReverseRelation[RequestSkill]

    class Meta:
        table = "mentoring_request"
        indexes = (("status", "expires_at"), ("mentor_id", "status"))


class RequestSkill(Model):
    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation[Request] = fields.ForeignKeyField(
        "mentoring.Request", related_name="skills", on_delete=fields.CASCADE
    )
    skill = fields.ForeignKeyField("skills.Skill", related_name="request_skills", on_delete=fields.RESTRICT)

    class Meta:
        table = "mentoring_requestskill"
        unique_together = (("request", "skill"),)


class Offer(Model):
    # One offer of a request to one mentor; at most one pending per request (migration 0002).

    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation[Request] = fields.ForeignKeyField(
        "mentoring.Request", related_name="offers", on_delete=fields.CASCADE
    )
    mentor = fields.ForeignKeyField("accounts.User", related_name="mentoring_offers", on_delete=fields.CASCADE)
    offered_by_id = fields.IntField(null=True)
    offered_at = fields.DatetimeField()
    reminded_at = fields.DatetimeField(null=True)
    answered_at = fields.DatetimeField(null=True)
    outcome = fields.CharEnumField(OfferOutcome, max_length=10, default=OfferOutcome.PENDING)
    message = fields.TextField(default="")

    class Meta:
        table = "mentoring_offer"
        indexes = (("outcome", "offered_at"),)


class Message(Model):
    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation[Request] = fields.ForeignKeyField(
        "mentoring.Request", related_name="messages", on_delete=fields.CASCADE
    )
    author = fields.ForeignKeyField(
        "accounts.User", related_name="mentoring_messages", null=True, on_delete=fields.SET_NULL
    )
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    reported_at = fields.DatetimeField(null=True)
    reported_by_id = fields.IntField(null=True)
    report_reason = fields.TextField(default="")
    report_handled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "mentoring_message"
        ordering = ("created_at", "id")


class Session(Model):
    # A meeting of a relationship; two scheduled sessions of one mentor never overlap
    # (migration 0002). On site, the room is booked through bookings (booking_id).

    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation[Request] = fields.ForeignKeyField(
        "mentoring.Request", related_name="sessions", on_delete=fields.CASCADE
    )
    mentor_id = fields.IntField()
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    format = fields.CharEnumField(Format, max_length=10)
    room_id = fields.IntField(null=True)
    room_name = fields.CharField(max_length=100, default="")
    booking_id = fields.IntField(null=True)
    link = fields.CharField(max_length=500, default="")
    status = fields.CharEnumField(SessionStatus, max_length=10, default=SessionStatus.SCHEDULED)
    notes = fields.TextField(default="")
    created_by = fields.ForeignKeyField(
        "accounts.User", related_name="mentoring_sessions_created", null=True, on_delete=fields.SET_NULL
    )
    cancelled_at = fields.DatetimeField(null=True)
    sequence = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "mentoring_session"
        ordering = ("starts_at", "id")
        indexes = (("mentor_id", "ends_at", "starts_at", "status"),)


class PrivateNote(Model):
    # The mentor's own notes on a relationship: nobody else reads them.

    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation[Request] = fields.ForeignKeyField(
        "mentoring.Request", related_name="private_notes", on_delete=fields.CASCADE
    )
    author = fields.ForeignKeyField("accounts.User", related_name="mentoring_notes", on_delete=fields.CASCADE)
    body = fields.TextField(default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "mentoring_privatenote"
        unique_together = (("request", "author"),)


class Goal(Model):
    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation[Request] = fields.ForeignKeyField(
        "mentoring.Request", related_name="goals", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=200)
    done = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mentoring_goal"
        ordering = ("id",)


class Block(Model):
    # Someone blocked someone: they are never suggested to each other again.

    id = fields.IntField(primary_key=True)
    blocker = fields.ForeignKeyField("accounts.User", related_name="mentoring_blocks", on_delete=fields.CASCADE)
    blocked = fields.ForeignKeyField("accounts.User", related_name="mentoring_blocked_by", on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mentoring_block"
        unique_together = (("blocker", "blocked"),)
