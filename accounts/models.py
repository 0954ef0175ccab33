"""People, their roles, sessions, tokens and the audit log."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    MEMBER = "member"
    MENTOR = "mentor"
    HELPER = "helper"
    FACILITATOR = "facilitator"
    MODERATOR = "moderator"
    SPACE_MANAGER = "space_manager"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Motivation(StrEnum):
    TEACHER = "teacher"
    IT_PROFESSIONAL = "it_professional"
    CAREER_CHANGER = "career_changer"
    FACILITATOR = "facilitator"
    OTHER = "other"


class TokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose, not a password
    CHANGE_EMAIL = "change_email"


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    email_verified_at = fields.DatetimeField(null=True)
    display_name = fields.CharField(max_length=80)
    password_hash = fields.CharField(max_length=255)
    bio = fields.TextField(default="")
    locale = fields.CharField(max_length=5, default="fr")
    timezone = fields.CharField(max_length=64, default="Europe/Paris")
    motivation = fields.CharEnumField(Motivation, max_length=20, null=True)
    mail_preferences: dict = fields.JSONField(default=dict)
    calendar_token_version = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    suspended_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)

    roles: fields.ReverseRelation[UserRole]

    class Meta:
        table = "accounts_user"

    def __str__(self) -> str:
        return self.display_name


class UserRole(Model):
    # One role held by one person. ``member`` is implied and never stored.

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="roles", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(Role, max_length=20)
    granted_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "accounts_user_role"
        unique_together = (("user", "role"),)


class Session(Model):
    # A signed-in browser. The cookie holds a random value, the table its SHA-256.
    # (No docstrings on models: Tortoise copies them into SQL comments unescaped.)

    id = fields.CharField(max_length=64, primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="sessions", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    ip = fields.CharField(max_length=45, default="")
    user_agent = fields.CharField(max_length=255, default="")

    class Meta:
        table = "accounts_session"


class ApiToken(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="api_tokens", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=80)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "accounts_api_token"


class OneTimeToken(Model):
    # Single-use links sent by mail: address verification, password reset, new address.

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="one_time_tokens", on_delete=fields.CASCADE
    )
    purpose = fields.CharEnumField(TokenPurpose, max_length=20)
    token_hash = fields.CharField(max_length=64, unique=True)
    new_email = fields.CharField(max_length=254, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "accounts_one_time_token"


class AuditEntry(Model):
    # Who did what to whom, when and why: role changes, suspensions, resets.

    id = fields.IntField(primary_key=True)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="audit_actions", null=True, on_delete=fields.SET_NULL
    )
    target: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharField(max_length=40)
    reason = fields.TextField(default="")
    details: dict = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "accounts_audit_entry"
        ordering = ("-created_at", "-id")


class TwoFactor(Model):
    # A person's authenticator (RFC 6238 time-based codes). ``secret`` is the base32 secret
    # encrypted with a key derived from the site's secret key (see accounts.two_factor).
    # ``last_used_step`` is the time step of the last code accepted: a code is accepted
    # only for a later step, by a conditional UPDATE, so no code is ever used twice.
    # Unconfirmed while enrolling (``confirmed_at`` null): it then protects nothing.

    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "accounts.User", related_name="two_factor", on_delete=fields.CASCADE
    )
    secret = fields.CharField(max_length=255)
    confirmed_at = fields.DatetimeField(null=True)
    last_used_step = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "accounts_two_factor"


class RecoveryCode(Model):
    # A single-use code for the second step when the authenticator is lost. Shown once;
    # the table keeps the SHA-256 of the code (60 random bits, so a fast hash is enough).

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="recovery_codes", on_delete=fields.CASCADE
    )
    code_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "accounts_recovery_code"
        unique_together = (("user", "code_hash"),)


class PendingLogin(Model):
    # Between a right password and the second step: a short-lived record reached with the
    # ``tl_2fa`` cookie (the table keeps the SHA-256 of its value). Not a session: it
    # opens nothing but the code form, and dies after a few wrong codes.

    id = fields.CharField(max_length=64, primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="pending_logins", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)
    attempts = fields.IntField(default=0)
    next_url = fields.CharField(max_length=500, default="/")

    class Meta:
        table = "accounts_pending_login"
