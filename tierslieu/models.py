"""The shell's own tables: the mail outbox and the editable site pages."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class OutboxMail(Model):
    # A mail waiting to be sent (or sent), written in the same transaction as the
    # change that causes it and sent afterwards by the mail sender.
    # (No docstrings on models: Tortoise copies them into SQL comments unescaped.)

    id = fields.IntField(primary_key=True)
    user_id = fields.IntField(null=True, db_index=True)
    to_address = fields.CharField(max_length=254)
    kind = fields.CharField(max_length=40)
    subject = fields.CharField(max_length=255)
    body_text = fields.TextField()
    headers: dict = fields.JSONField(default=dict)
    attachments: list = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    send_after = fields.DatetimeField(db_index=True)
    sent_at = fields.DatetimeField(null=True, db_index=True)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(default="")
    # A mail written by mail.send_later: the composer that writes its text when it is sent,
    # and what the composer needs; subject and body stay empty until then.
    composer = fields.CharField(max_length=60, default="")
    params: dict | None = fields.JSONField(null=True)

    class Meta:
        table = "tierslieu_outbox_mail"


class SitePage(Model):
    """The version of a legal page edited by an admin (privacy, legal notice, accessibility)."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=40)
    locale = fields.CharField(max_length=5)
    title = fields.CharField(max_length=200)
    body_markdown = fields.TextField()
    body_html = fields.TextField()
    updated_at = fields.DatetimeField(auto_now=True)
    updated_by_id = fields.IntField(null=True)

    class Meta:
        table = "tierslieu_site_page"
        unique_together = (("slug", "locale"),)
