"""Suggested mentors for a request: hard filters first, then a visible weighted score with
the reasons a person reads ("speaks French, 3 of 4 skills, free Tuesday evenings").

Hard filters: an active mentor (holds the role, not suspended), not paused, with a free
place, a shared language, the format the request asks for, weekly times that meet (at
least an hour, when both sides gave times), not the mentee, nobody blocked, and not a
mentor who already declined or let this request lapse.

Score out of 100: skills 50 (share of the wanted skills the mentor has; 25 when the request
names none), times 20 (hours in common each week, full at 6; 10 when a side gave none),
language 10 (the mentee's first language; 5 for another shared one), format 10 (the mentor
offers every format the request accepts; 5 otherwise), free places 10 (share of places free).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel import Locale

from accounts.services import Role, User
from mentoring import hours
from mentoring.forms import language_name
from mentoring.models import (
    Block,
    MentorProfile,
    MentorSkill,
    Offer,
    OfferOutcome,
    Request,
    RequestFormat,
    RequestSkill,
)
from skills import services as skills
from tierslieu import clock, i18n
from tierslieu.errors import N_

MIN_OVERLAP_HOURS = 1.0
FULL_OVERLAP_HOURS = 6.0
WEIGHTS = {"skills": 50, "times": 20, "language": 10, "format": 10, "places": 10}
PART_TEXT = {
    "morning": N_("%(day)s mornings"),
    "afternoon": N_("%(day)s afternoons"),
    "evening": N_("%(day)s evenings"),
}


@dataclass
class Candidate:
    """What the ranking reads of one mentor."""

    user_id: int
    display_name: str
    languages: list[str]
    formats: list[str]
    skills: list[str]
    max_mentees: int
    active_count: int
    timezone: str
    availability: dict
    paused_until: date | None = None
    bio: str = ""


@dataclass
class Wanted:
    """What the ranking reads of the request."""

    mentee_id: int
    languages: list[str]
    format: str
    skills: list[str]
    timezone: str
    availability: dict


@dataclass
class Suggestion:
    mentor_id: int
    display_name: str
    score: int
    reasons: list[str] = field(default_factory=list)
    bio: str = ""
    parts: dict[str, int] = field(default_factory=dict)


def _formats_wanted(wanted: Wanted) -> set[str]:
    return {"onsite", "online"} if wanted.format == RequestFormat.ANY else {wanted.format}


def passes(candidate: Candidate, wanted: Wanted, today: date) -> bool:
    if candidate.user_id == wanted.mentee_id:
        return False
    if candidate.paused_until is not None and candidate.paused_until > today:
        return False
    if candidate.active_count >= candidate.max_mentees:
        return False
    if not set(candidate.languages) & set(wanted.languages):
        return False
    if not _formats_wanted(wanted) & set(candidate.formats):
        return False
    if candidate.availability and wanted.availability:
        met = hours.overlap((candidate.availability, candidate.timezone), (wanted.availability, wanted.timezone))
        if hours.hours_of(met) < MIN_OVERLAP_HOURS:
            return False
    return True


def _join(items: list[str], locale: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return i18n.gettext(locale, N_("%(first)s and %(last)s"), first=", ".join(items[:-1]), last=items[-1])


def score(candidate: Candidate, wanted: Wanted, locale: str, labels: dict[str, str]) -> Suggestion:
    """The score and the reasons, in ``locale``, of a candidate that passed the filters."""
    parts: dict[str, int] = {}
    reasons: list[str] = []
    # language
    shared = [code for code in wanted.languages if code in candidate.languages]
    parts["language"] = WEIGHTS["language"] if wanted.languages and wanted.languages[0] in shared else 5
    names = [language_name(code, locale) for code in shared[:2]]
    reasons.append(i18n.gettext(locale, N_("speaks %(languages)s"), languages=_join(names, locale)))
    # skills
    if wanted.skills:
        matched = [slug for slug in wanted.skills if slug in candidate.skills]
        parts["skills"] = round(WEIGHTS["skills"] * len(matched) / len(wanted.skills))
        # the number is the skills matched ("1 compétence sur 4"); English says "skills" either way
        text = i18n.ngettext(
            locale,
            "%(num)s of %(total)s skills",
            "%(num)s of %(total)s skills",
            len(matched),
            total=len(wanted.skills),
        )
        if matched:
            text += " (" + ", ".join(labels.get(slug, slug) for slug in matched) + ")"
        reasons.append(text)
    else:
        parts["skills"] = WEIGHTS["skills"] // 2
    # times
    if candidate.availability and wanted.availability:
        met = hours.overlap((candidate.availability, candidate.timezone), (wanted.availability, wanted.timezone))
        common = hours.hours_of(met)
        parts["times"] = round(WEIGHTS["times"] * min(1.0, common / FULL_OVERLAP_HOURS))
        slots = hours.slots_in(met, wanted.timezone)
        days = Locale.parse(locale).days["format"]["wide"]
        said = [i18n.gettext(locale, PART_TEXT[part], day=days[weekday]) for weekday, part in slots[:3]]
        if said:
            reasons.append(i18n.gettext(locale, N_("free %(when)s"), when=_join(said, locale)))
    elif candidate.availability:
        parts["times"] = WEIGHTS["times"] // 2
    else:
        parts["times"] = WEIGHTS["times"] // 2
        reasons.append(i18n.gettext(locale, N_("available at any time")))
    # format
    asked = _formats_wanted(wanted)
    parts["format"] = WEIGHTS["format"] if asked <= set(candidate.formats) else 5
    offered = [f for f in ("onsite", "online") if f in candidate.formats and f in asked]
    format_names = {"onsite": i18n.gettext(locale, N_("on site")), "online": i18n.gettext(locale, N_("online"))}
    reasons.append(
        i18n.gettext(locale, N_("meets %(formats)s"), formats=_join([format_names[f] for f in offered], locale))
    )
    # places
    free = candidate.max_mentees - candidate.active_count
    parts["places"] = round(WEIGHTS["places"] * free / candidate.max_mentees)
    reasons.append(i18n.ngettext(locale, "%(num)s place free", "%(num)s places free", free))
    return Suggestion(
        mentor_id=candidate.user_id,
        display_name=candidate.display_name,
        score=sum(parts.values()),
        reasons=reasons,
        bio=candidate.bio,
        parts=parts,
    )


def rank(
    candidates: list[Candidate], wanted: Wanted, locale: str, labels: dict[str, str], today: date
) -> list[Suggestion]:
    """The candidates that pass the filters, best first (ties: more free places, then id)."""
    found = [score(c, wanted, locale, labels) for c in candidates if passes(c, wanted, today)]
    free = {c.user_id: c.max_mentees - c.active_count for c in candidates}
    return sorted(found, key=lambda s: (-s.score, -free[s.mentor_id], s.mentor_id))


# --- reading the database ----------------------------------------------------------------------


async def candidates() -> list[Candidate]:
    """Every active mentor with a profile (holds the role, not deleted or suspended)."""
    mentor_ids = set(
        await User.filter(roles__role=Role.MENTOR, deleted_at=None, suspended_at=None).values_list("id", flat=True)
    )
    if not mentor_ids:
        return []
    profiles = await MentorProfile.filter(user_id__in=sorted(mentor_ids)).prefetch_related("user")
    slugs: dict[int, list[str]] = {}
    for profile_id, slug in await MentorSkill.filter(profile_id__in=[p.id for p in profiles] or [0]).values_list(
        "profile_id", "skill_id"
    ):
        slugs.setdefault(profile_id, []).append(slug)
    return [
        Candidate(
            user_id=p.user_id,
            display_name=p.user.display_name,
            languages=list(p.languages),
            formats=list(p.formats),
            skills=slugs.get(p.id, []),
            max_mentees=p.max_mentees,
            active_count=p.active_count,
            timezone=p.timezone,
            availability=dict(p.availability),
            paused_until=p.paused_until,
            bio=p.bio,
        )
        for p in profiles
    ]


async def wanted_of(request: Request) -> Wanted:
    return Wanted(
        mentee_id=request.mentee_id,
        languages=list(request.languages),
        format=str(request.format),
        skills=list(await request_skills(request)),
        timezone=request.timezone,
        availability=dict(request.availability),
    )


async def request_skills(request: Request) -> list[str]:
    return list(await RequestSkill.filter(request_id=request.id).order_by("id").values_list("skill_id", flat=True))


async def excluded_mentors(request: Request) -> set[int]:
    """Mentors who declined or let this request lapse, and people blocked either way."""
    answered = await Offer.filter(
        request_id=request.id, outcome__in=[OfferOutcome.DECLINED, OfferOutcome.LAPSED]
    ).values_list("mentor_id", flat=True)
    blocked = await Block.filter(blocker_id=request.mentee_id).values_list("blocked_id", flat=True)
    blockers = await Block.filter(blocked_id=request.mentee_id).values_list("blocker_id", flat=True)
    return {*answered, *blocked, *blockers}


async def suggestions_for(request: Request, locale: str) -> list[Suggestion]:
    excluded = await excluded_mentors(request)
    pool = [c for c in await candidates() if c.user_id not in excluded]
    labels = await skills.labels(locale)
    return rank(pool, await wanted_of(request), locale, labels, clock.now().date())


def candidate_of(profile: MentorProfile, person: Any, slugs: list[str]) -> Candidate:
    return Candidate(
        user_id=profile.user_id,
        display_name=person.display_name,
        languages=list(profile.languages),
        formats=list(profile.formats),
        skills=slugs,
        max_mentees=profile.max_mentees,
        active_count=profile.active_count,
        timezone=profile.timezone,
        availability=dict(profile.availability),
        paused_until=profile.paused_until,
        bio=profile.bio,
    )
