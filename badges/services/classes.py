"""The issuer profile, badge classes and the events linked to them."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from badges import images, permissions
from badges.forms import ClassCreate, EventLinkCreate, IssuerChange
from badges.models import BadgeClass, ClassSkill, EventLink, Issuer
from events import services as events
from skills import services as skills
from tierslieu import mail
from tierslieu.errors import N_, Conflict, Forbidden, Invalid, NotFound

ISSUER_ID = 1


def forbidden() -> Forbidden:
    return Forbidden("forbidden", N_("You may not do this."))


# --- the issuer ------------------------------------------------------------------------------


async def issuer() -> Issuer:
    """The space's issuer profile; until an admin edits it, the site's name, address and
    sending address."""
    found = await Issuer.get_or_none(id=ISSUER_ID)
    if found is not None:
        return found
    try:
        async with in_transaction():
            return await Issuer.create(
                id=ISSUER_ID, name="Tiers-lieu", url=mail.base_url(), email=mail.sender_address(), description=""
            )
    except IntegrityError:
        return await Issuer.get(id=ISSUER_ID)


async def change_issuer(actor: Any, data: IssuerChange) -> Issuer:
    if not permissions.can_manage_issuer(actor):
        raise forbidden()
    profile = await issuer()
    profile.name, profile.url, profile.email, profile.description = (
        data.name,
        data.url,
        str(data.email),
        data.description,
    )
    await profile.save()
    return profile


# --- classes ---------------------------------------------------------------------------------


async def create_class(actor: Any, data: ClassCreate) -> BadgeClass:
    """A badge class by a facilitator or a coordinator; its image drawn from its name when
    none is given."""
    if not permissions.can_create_class(actor):
        raise Forbidden("forbidden", N_("Only facilitators and coordinators create badges."))
    slugs = await skills.check(data.skills)
    image = images.normalise(data.image) if data.image else images.generate(data.name)
    async with in_transaction():
        badge_class = await BadgeClass.create(
            name=data.name,
            description=data.description,
            criteria=data.criteria,
            image=image,
            image_generated=not data.image,
            created_by_id=actor.id,
        )
        for slug in slugs:
            await ClassSkill.create(badge_class_id=badge_class.id, skill_id=slug)
    return badge_class


async def attach_facts(*classes: BadgeClass) -> None:
    """Load what the predicates read: the people running the events linked to each class."""
    for badge_class in classes:
        links = await EventLink.filter(badge_class_id=badge_class.id).values_list("event_id", flat=True)
        facilitators: set[int] = set()
        for event_id in links:
            try:
                event = await events.get_event(None, event_id)
            except NotFound:
                continue
            facilitators |= event.facilitator_ids  # type: ignore[attr-defined]
        badge_class.linked_facilitator_ids = frozenset(facilitators)  # type: ignore[attr-defined]


async def get_class(badge_class_id: int) -> BadgeClass:
    """A badge class (public), with its facts for the predicates."""
    badge_class = await BadgeClass.get_or_none(id=badge_class_id)
    if badge_class is None:
        raise NotFound()
    await attach_facts(badge_class)
    return badge_class


async def list_classes() -> list[BadgeClass]:
    return await BadgeClass.filter(archived_at=None).order_by("name", "id")


async def skills_of(badge_class: BadgeClass) -> list[str]:
    return list(
        await ClassSkill.filter(badge_class_id=badge_class.id).order_by("skill_id").values_list("skill_id", flat=True)
    )


async def skill_labels(badge_class: BadgeClass, locale: str) -> list[str]:
    labels = await skills.labels(locale)
    return [labels.get(slug, slug) for slug in await skills_of(badge_class)]


# --- linked events ---------------------------------------------------------------------------


async def link_event(actor: Any, badge_class_id: int, data: EventLinkCreate) -> EventLink:
    """Link an event to a class: attending its required sessions (all of them when none is
    marked) earns the badge. A facilitator of the event or a coordinator links it."""
    badge_class = await get_class(badge_class_id)
    event = await events.get_event(actor, data.event_id)
    if not permissions.can_link_event(actor, event) or badge_class.archived_at is not None:
        raise forbidden()
    session_ids = {session.id for session in await events.sessions_of(event)}
    required = sorted(set(data.required_session_ids))
    if not set(required) <= session_ids:
        raise Invalid(
            "invalid",
            N_("Some fields are missing or invalid."),
            fields={"required_session_ids": N_("Pick sessions of this event.")},
        )
    if len(required) == len(session_ids):
        required = []  # all of them, sessions added later included
    try:
        async with in_transaction():
            return await EventLink.create(
                badge_class_id=badge_class.id, event_id=event.id, required_session_ids=required, linked_by_id=actor.id
            )
    except IntegrityError:
        raise Conflict("already_linked", N_("This event is already linked to this badge.")) from None


async def unlink_event(actor: Any, link_id: int) -> int:
    link = await EventLink.get_or_none(id=link_id)
    if link is None:
        raise NotFound()
    event = await events.get_event(actor, link.event_id)
    if not permissions.can_link_event(actor, event):
        raise forbidden()
    await link.delete()
    return link.badge_class_id


async def event_links(badge_class: BadgeClass) -> list[dict[str, Any]]:
    """The events linked to a class, each with its sessions and which are required."""
    shown = []
    for link in await EventLink.filter(badge_class_id=badge_class.id).order_by("id"):
        try:
            event = await events.get_event(None, link.event_id)
        except NotFound:
            continue
        sessions = await events.sessions_of(event)
        required = set(link.required_session_ids) or {session.id for session in sessions}
        shown.append({"link": link, "event": event, "sessions": sessions, "required": required})
    return shown


async def set_required_sessions(actor: Any, link_id: int, session_ids: list[int]) -> int:
    """Mark which sessions of a linked event are required (none marked: all of them)."""
    link = await EventLink.get_or_none(id=link_id)
    if link is None:
        raise NotFound()
    event = await events.get_event(actor, link.event_id)
    if not permissions.can_link_event(actor, event):
        raise forbidden()
    sessions = {session.id for session in await events.sessions_of(event)}
    required = sorted(set(session_ids) & sessions)
    link.required_session_ids = [] if len(required) == len(sessions) else required
    await link.save(update_fields=["required_session_ids"])
    return link.badge_class_id


async def linkable_events(actor: Any) -> list[Any]:
    """The events this person may link to a badge: those they facilitate."""
    return await events.events_run_by(actor)


async def skill_vocabulary(locale: str) -> list[tuple[str, str]]:
    return await skills.vocabulary(locale)
