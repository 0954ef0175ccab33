"""The skill vocabulary: one row per skill slug, kept by coordinators."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

# (No docstrings on models: Tortoise copies them into SQL comments unescaped.)


class Skill(Model):
    # ``slug`` is what other parts store and what the API speaks ("python", "gestion-de-classe");
    # a retired skill stays, so that what was stored with it still reads, but is offered no more.
    slug = fields.CharField(max_length=40, primary_key=True)
    label_fr = fields.CharField(max_length=80)
    label_en = fields.CharField(max_length=80)
    retired = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "skills_skill"
