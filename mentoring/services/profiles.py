"""Mentor profiles: applying, the coordinators' queue, the profile itself and its pause.

Granting the ``mentor`` role is the approval (done on the person's admin page, where a
coordinator may change the mentor and helper roles): the profile is active while its
person holds the role, not paused and not suspended."""

from __future__ import annotations

from datetime import date
from typing import Any

from tortoise.transactions import in_transaction

from accounts.services import User, load_roles
from mentoring import permissions
from mentoring.forms import MentorProfileIn
from mentoring.models import MentorProfile, MentorSkill
from mentoring.services import notices
from notifications import services as notifications
from skills import services as skills
from tierslieu import clock
from tierslieu.errors import N_, Conflict, Invalid, NotFound
from tierslieu.i18n import Message


async def profile_of(user: Any) -> MentorProfile | None:
    if user is None:
        return None
    return await MentorProfile.get_or_none(user_id=user.id)


async def skill_slugs(profile: MentorProfile) -> list[str]:
    return list(await MentorSkill.filter(profile_id=profile.id).order_by("id").values_list("skill_id", flat=True))


def is_paused(profile: MentorProfile, today: date | None = None) -> bool:
    today = today or clock.now().date()
    return profile.paused_until is not None and profile.paused_until > today


async def is_active(profile: MentorProfile) -> bool:
    user = await User.get_or_none(id=profile.user_id, deleted_at=None, suspended_at=None)
    return user is not None and permissions.is_mentor(await load_roles(user))


async def save_profile(user: Any, data: MentorProfileIn) -> tuple[MentorProfile, bool]:
    """Apply (first time) or change one's mentor profile. Returns (profile, created).
    A new application waits in the coordinators' queue unless the person already holds
    the mentor role (then the profile is active at once)."""
    slugs = await skills.check(data.skills)
    if not slugs:
        raise Invalid("invalid", N_("Choose at least one skill."), fields={"skills": N_("Choose at least one skill.")})
    told: list[Any] = []
    async with in_transaction():
        profile = await MentorProfile.select_for_update().get_or_none(user_id=user.id)
        created = profile is None
        if profile is None:
            profile = MentorProfile(user_id=user.id)
        elif data.max_mentees < profile.active_count:
            raise Invalid(
                "invalid",
                N_("You have %(count)s active mentees: the maximum cannot be lower."),
                fields={"max_mentees": N_("Lower than your active mentees.")},
                count=profile.active_count,
            )
        reapplied = not created and profile.declined_at is not None
        profile.bio, profile.motivation = data.bio, data.motivation
        profile.languages, profile.formats = data.languages, [str(item) for item in data.formats]
        profile.max_mentees, profile.timezone = data.max_mentees, data.timezone
        profile.availability, profile.paused_until = data.availability, data.paused_until
        if reapplied:
            profile.declined_at, profile.decline_reason, profile.applied_at = None, "", clock.now()
        await profile.save()
        await MentorSkill.filter(profile_id=profile.id).delete()
        for slug in slugs:
            await MentorSkill.create(profile_id=profile.id, skill_id=slug)
        if (created or reapplied) and not permissions.is_mentor(user):
            told = await notifications.notify(
                await notices.coordinator_ids(),
                notices.APPLICATION,
                notices_message(user),
                url="/mentoring/applications",
                actor_id=user.id,
                excerpt=data.motivation,
            )
    await notifications.publish(told)
    return profile, created


def notices_message(user: Any) -> Message:
    return Message(N_("New mentor application: %(name)s"), {"name": user.display_name})


async def set_pause(user: Any, until: date | None) -> MentorProfile:
    profile = await profile_of(user)
    if profile is None:
        raise NotFound()
    if until is not None and until <= clock.now().date():
        raise Invalid(
            "invalid", N_("Choose a day after today."), fields={"paused_until": N_("Choose a day after today.")}
        )
    profile.paused_until = until
    await profile.save(update_fields=["paused_until", "updated_at"])
    return profile


async def applications(actor: Any) -> list[tuple[MentorProfile, Any, list[str]]]:
    """The pending applications: profiles whose person does not hold the mentor role yet."""
    if not permissions.is_coordinator(actor):
        raise NotFound()
    rows = await MentorProfile.filter(declined_at=None).prefetch_related("user").order_by("applied_at", "id")
    result = []
    for profile in rows:
        person = await load_roles(profile.user)
        if person.deleted_at is None and not permissions.is_mentor(person):
            result.append((profile, person, await skill_slugs(profile)))
    return result


async def decline_application(actor: Any, user_id: int, reason: str) -> MentorProfile:
    if not permissions.is_coordinator(actor):
        raise NotFound()
    profile = await MentorProfile.get_or_none(user_id=user_id).prefetch_related("user")
    if profile is None:
        raise NotFound()
    person = await load_roles(profile.user)
    if permissions.is_mentor(person) or profile.declined_at is not None:
        raise Conflict("conflict", N_("This application has already been decided."))
    profile.declined_at, profile.decline_reason = clock.now(), reason
    await profile.save(update_fields=["declined_at", "decline_reason", "updated_at"])
    return profile


async def get_mentor(user_id: int) -> tuple[Any, MentorProfile]:
    """An active mentor and their profile (404 otherwise)."""
    person = await User.get_or_none(id=user_id, deleted_at=None)
    profile = await MentorProfile.get_or_none(user_id=user_id) if person else None
    if person is None or profile is None:
        raise NotFound()
    if not permissions.is_mentor(await load_roles(person)):
        raise NotFound()
    return person, profile
