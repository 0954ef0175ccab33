"""Demo content (idempotent): the space's issuer profile, badge classes linked to demo events,
and awards given the way the space gives them, over the past months. No mail is written and
nobody is notified: the demo may run outside the app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from accounts.services import User, load_roles
from badges import services
from badges.forms import AwardCreate, ClassCreate, EventLinkCreate
from badges.models import BadgeClass, Issuer
from badges.services.classes import ISSUER_ID
from events import services as events
from tierslieu import mail

FACILITATOR = "animation@demo.tierslieu.fr"
COORDINATOR = "coordination@demo.tierslieu.fr"
MEMBER = "membre@demo.tierslieu.fr"
MENTOR = "mentor@demo.tierslieu.fr"

# (creator, name, description, criteria, skills, linked event titles)
CLASSES = [
    (
        FACILITATOR,
        "Premiers pas en Python",
        "A suivi l'initiation à Python du tiers-lieu et sait écrire de petits programmes avec ses élèves.",
        "Avoir suivi le webinaire « débuter avec Python en seconde ».",
        ["python"],
        ["Webinaire : débuter avec Python en seconde"],
    ),
    (
        FACILITATOR,
        "Préparation au CAPES NSI",
        "A suivi la semaine intensive de préparation au CAPES NSI : algorithmique, graphes, bases de données.",
        "Avoir été présent aux quatre journées de la semaine intensive.",
        ["capes", "nsi", "python"],
        ["Semaine intensive passée : préparer le CAPES NSI", "Semaine intensive NSI : algorithmique et programmation"],
    ),
    (
        FACILITATOR,
        "L'IA expliquée en classe",
        "Sait présenter ce qu'est un modèle d'apprentissage et en discuter les usages avec des élèves.",
        "Avoir suivi le webinaire sur l'IA générative ou le week-end IA.",
        ["ia"],
        ["Webinaire : l'IA générative en classe", "Week-end IA : comprendre et enseigner l'intelligence artificielle"],
    ),
    (
        COORDINATOR,
        "Pédagogie de projet",
        "A conduit un projet d'élèves accompagné par le tiers-lieu, de l'idée à la présentation.",
        "Avoir présenté au tiers-lieu un projet mené avec une classe.",
        ["pedagogie", "gestion-de-classe"],
        [],
    ),
]


async def _person(email: str) -> User | None:
    person = await User.get_or_none(email=email)
    return await load_roles(person) if person is not None else None


async def run(report: Callable[[str], None]) -> list[str]:
    facilitator, coordinator = await _person(FACILITATOR), await _person(COORDINATOR)
    if facilitator is None or coordinator is None:
        return ["Badges: no demo facilitator or coordinator, nothing added."]
    if not await Issuer.exists(id=ISSUER_ID):
        await Issuer.create(
            id=ISSUER_ID,
            name="Tiers-lieu numérique (démonstration)",
            url=mail.base_url() if _mail_ready() else "https://tiers-lieu.example.org",
            email="contact@tiers-lieu.example.org",
            description="Le tiers-lieu où l'on apprend l'informatique et son enseignement, sur place et à distance.",
        )
    if await BadgeClass.exists(name=CLASSES[0][1]):
        return []
    run_by = {event.title: event for event in await events.events_run_by(facilitator)}
    awarded = 0
    classes: dict[str, Any] = {}
    for creator_email, name, description, criteria, skills, titles in CLASSES:
        creator = facilitator if creator_email == FACILITATOR else coordinator
        data = ClassCreate(name=name, description=description, criteria=criteria, skills=skills)
        badge_class = await services.create_class(creator, data)
        classes[name] = badge_class
        for title in titles:
            event = run_by.get(title)
            if event is None:
                continue
            await services.link_event(facilitator, badge_class.id, EventLinkCreate(event_id=event.id))
            if event.ends_at < badge_class.created_at:
                awarded += len(await _award_past(event))
        report(f"  badge: {name}")
    member, mentor = await _person(MEMBER), await _person(MENTOR)
    project = classes["Pédagogie de projet"]
    for person, note, days in (
        (member, "Projet « Cartographier son quartier » présenté avec une classe de seconde.", 20),
        (mentor, "Projet de robot suiveur de ligne avec un club de collégiens.", 45),
    ):
        if person is not None:
            given = await services.award_badge(
                coordinator,
                project.id,
                AwardCreate(user_id=person.id, evidence=note),
                tell=False,
                issued_at=project.created_at - timedelta(days=days),
            )
            awarded += 1
            if person is member:
                await services.set_shared(member, given.id, True)
    return [f"Badges: {len(classes)} badge classes at /badges, {awarded} awards."]


def _mail_ready() -> bool:
    try:
        mail.base_url()
    except RuntimeError:
        return False
    return True


async def _award_past(event: Any) -> list[Any]:
    """The awards an event's check-ins earned, dated at its end."""
    people: set[int] = set(await events.attended(event.id, None))
    for session in await events.sessions_of(event):
        people |= await events.attended(event.id, session.id)
    return await services.award_for_attendance(event.id, sorted(people), tell=False, issued_at=event.ends_at)
