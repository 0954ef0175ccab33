"""The skill vocabulary: one list of skill slugs that mentoring, the help desk and badges
share, kept by coordinators.

This module is the skills part's public surface: other parts check the slugs they are
given with :func:`check` and show stored ones with :func:`labels`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tortoise.exceptions import IntegrityError

from skills import permissions
from skills.forms import SkillCreate, SkillLabels
from skills.models import Skill as Skill  # re-exported: other parts' tables point at it
from tierslieu.errors import N_, Conflict, Forbidden, Invalid, NotFound
from tierslieu.i18n import Message


def _label(skill: Skill, locale: str) -> str:
    return skill.label_en if locale == "en" else skill.label_fr


async def check(slugs: Iterable[str], *, field: str = "skills") -> list[str]:
    """The distinct ``slugs`` in the order given; a 422 naming ``field`` when one is not a
    skill on offer (unknown or retired)."""
    wanted = list(dict.fromkeys(slugs))
    if not wanted:
        return []
    offered = set(await Skill.filter(slug__in=wanted, retired=False).values_list("slug", flat=True))
    unknown = [slug for slug in wanted if slug not in offered]
    if unknown:
        message = Message(N_("Unknown skill: %(skills)s."), {"skills": ", ".join(unknown)[:200]})
        raise Invalid("unknown_skill", N_("Some fields are missing or invalid."), fields={field: message})
    return wanted


async def vocabulary(locale: str) -> list[tuple[str, str]]:
    """The skills on offer, as (slug, label in ``locale``), by label."""
    skills = await Skill.filter(retired=False)
    return sorted(((skill.slug, _label(skill, locale)) for skill in skills), key=lambda pair: pair[1].casefold())


async def labels(locale: str) -> dict[str, str]:
    """Every skill's label in ``locale``, retired ones included (to show what was stored)."""
    return {skill.slug: _label(skill, locale) for skill in await Skill.all()}


async def every_skill() -> list[Skill]:
    """The whole vocabulary, retired skills last, for the coordinators' page and the API."""
    return await Skill.all().order_by("retired", "slug")


async def get_skill(slug: str) -> Skill:
    skill = await Skill.get_or_none(slug=slug)
    if skill is None:
        raise NotFound()
    return skill


def _require_manager(user: Any) -> None:
    if not permissions.can_manage_skills(user):
        raise Forbidden("forbidden", N_("Only coordinators keep the skill vocabulary."))


async def add_skill(user: Any, data: SkillCreate) -> Skill:
    _require_manager(user)
    try:
        return await Skill.create(slug=data.slug, label_fr=data.label_fr, label_en=data.label_en, retired=data.retired)
    except IntegrityError:
        taken = {"slug": N_("Already in use.")}
        raise Conflict("skill_exists", N_("This skill exists already."), fields=taken) from None


async def change_skill(user: Any, slug: str, data: SkillLabels) -> Skill:
    """Rename a skill or retire it (what was stored with it keeps reading; it is offered no
    more); a slug never changes, since other parts store it."""
    _require_manager(user)
    skill = await get_skill(slug)
    skill.label_fr, skill.label_en, skill.retired = data.label_fr, data.label_en, data.retired
    await skill.save(update_fields=["label_fr", "label_en", "retired"])
    return skill
