"""Demo mentors with realistic French profiles, and requests at every stage (idempotent)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accounts.services import Role, User, create_user, load_roles
from mentoring.forms import MentorProfileIn, RequestIn
from mentoring.models import Format, MentorProfile, Request, Session
from mentoring.services import accept, add_goal, create_request, offer, post_message, save_profile
from notifications import services as notifications
from tierslieu import clock
from tierslieu.errors import DomainError

DEMO_PASSWORD = "demo-tierslieu"  # noqa: S105 - the published demo password (accounts' demo)
EVENINGS = [["18:00", "21:00"]]

# (email, name, time zone, roles, profile)
MENTORS: list[tuple[str, str, str, tuple[Role, ...], dict[str, Any]]] = [
    (
        "claire.martin@demo.tierslieu.fr",
        "Claire Martin",
        "Europe/Paris",
        (Role.MENTOR,),
        {
            "skills": ["nsi", "python", "capes", "pedagogie"],
            "languages": ["fr", "en"],
            "formats": ["onsite", "online"],
            "max_mentees": 3,
            "bio": "Professeure de NSI au lycée Ampère à Lyon depuis 2019, ancienne développeuse web. "
            "Jurée du CAPES NSI : je vous aide à préparer l'écrit, l'oral et votre première rentrée.",
            "motivation": "J'ai changé de métier moi aussi ; je veux rendre ce qu'on m'a donné.",
            "availability": {"tue": EVENINGS, "thu": EVENINGS, "wed": [["14:00", "18:00"]]},
        },
    ),
    (
        "jean-pierre.morel@demo.tierslieu.fr",
        "Jean-Pierre Morel",
        "Europe/Paris",
        (Role.MENTOR,),
        {
            "skills": ["reseaux", "python", "ia"],
            "languages": ["fr", "en", "de"],
            "formats": ["onsite", "online"],
            "max_mentees": 2,
            "bio": "Ingénieur réseaux retraité (35 ans chez un opérateur télécom). J'anime l'atelier "
            "Raspberry Pi du tiers-lieu et j'aime expliquer TCP/IP avec des ficelles et des gobelets.",
            "motivation": "Transmettre mon expérience aux futurs enseignants de NSI et SNT.",
            "availability": {day: [["09:00", "12:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        },
    ),
    (
        "aminata.diallo@demo.tierslieu.fr",
        "Aminata Diallo",
        "Africa/Dakar",
        (Role.MENTOR,),
        {
            "skills": ["pedagogie", "gestion-de-classe", "snt"],
            "languages": ["fr", "wo", "en"],
            "formats": ["online"],
            "max_mentees": 2,
            "bio": "Formatrice en pédagogie à Dakar, j'accompagne les enseignants débutants : préparer une "
            "séquence, tenir une classe, évaluer sans décourager. Séances en visio.",
            "motivation": "Former des enseignants qui aiment leur métier, des deux côtés de la Méditerranée.",
            "availability": {"tue": [["17:00", "20:00"]], "thu": [["17:00", "20:00"]], "sat": [["09:00", "12:00"]]},
        },
    ),
    (
        "mentor@demo.tierslieu.fr",
        "Fatou Ndiaye",
        "Africa/Dakar",
        (Role.MENTOR,),
        {
            "skills": ["nsi", "python", "capes"],
            "languages": ["fr", "wo"],
            "formats": ["online"],
            "max_mentees": 2,
            "bio": "Ancienne développeuse devenue enseignante de NSI ; j'accompagne les reconversions "
            "vers le CAPES NSI.",
            "motivation": "Montrer qu'on peut réussir sa reconversion, même loin de Paris.",
            "availability": {"mon": EVENINGS, "wed": EVENINGS},
        },
    ),
    (
        "luc.bernard@demo.tierslieu.fr",
        "Luc Bernard",
        "Europe/Paris",
        (Role.MENTOR,),
        {
            "skills": ["python", "ia", "nsi"],
            "languages": ["fr"],
            "formats": ["onsite"],
            "max_mentees": 1,
            "bio": "Data scientist, je prépare moi-même l'agrégation d'informatique : en pause jusqu'aux vacances.",
            "availability": {"sat": [["10:00", "16:00"]]},
            "pause_days": 21,
        },
    ),
    (
        "nadia.haddad@demo.tierslieu.fr",
        "Nadia Haddad",
        "Europe/Paris",
        (),
        {
            "skills": ["snt", "pedagogie"],
            "languages": ["fr", "ar"],
            "formats": ["onsite"],
            "max_mentees": 1,
            "bio": "Professeure de technologie, j'enseigne la SNT en seconde depuis sa création.",
            "motivation": "Je voudrais aider les collègues qui arrivent en SNT sans formation.",
            "availability": {"wed": [["13:30", "17:30"]]},
        },
    ),
]

MENTEES = [
    ("thomas.girard@demo.tierslieu.fr", "Thomas Girard", "Europe/Paris"),
    # the demo member (accounts' demo), who teaches SNT and moves on to NSI
    ("membre@demo.tierslieu.fr", "Sophie Laurent", "Africa/Douala"),
    ("karim.benali@demo.tierslieu.fr", "Karim Benali", "Africa/Abidjan"),
]

# (mentee email, request, mentor to offer it to or None, accepted)
REQUESTS: list[tuple[str, dict[str, Any], str | None, bool]] = [
    (
        "thomas.girard@demo.tierslieu.fr",
        {
            "topic": "Préparer le CAPES NSI après dix ans de développement",
            "skills": ["nsi", "capes", "python", "pedagogie"],
            "goal": "Réussir l'écrit en mars et savoir construire une séance d'une heure "
            "devant des élèves de première.",
            "background": "Développeur Java et Python depuis 2014, je veux devenir enseignant. "
            "Aucune expérience devant une classe.",
            "languages": ["fr", "en"],
            "format": "any",
            "availability": {"tue": EVENINGS, "thu": EVENINGS, "sat": [["10:00", "12:00"]]},
        },
        None,
        False,
    ),
    (
        "karim.benali@demo.tierslieu.fr",
        {
            "topic": "Ma première rentrée en SNT",
            "skills": ["snt", "gestion-de-classe"],
            "goal": "Tenir une classe de seconde et préparer les trois premières séquences.",
            "background": "Technicien réseau pendant huit ans, contractuel en lycée à Abidjan depuis septembre.",
            "languages": ["fr"],
            "format": "online",
            "timezone": "Africa/Abidjan",
            "availability": {"tue": [["16:00", "20:00"]], "sat": [["08:00", "12:00"]]},
        },
        "aminata.diallo@demo.tierslieu.fr",
        False,
    ),
    (
        "membre@demo.tierslieu.fr",
        {
            "topic": "Passer de la SVT à la NSI : construire ma première progression",
            "skills": ["nsi", "pedagogie"],
            "goal": "Une progression annuelle de première, des projets et une évaluation par compétences.",
            "background": "Professeure de SVT à Douala, j'enseigne la SNT en seconde et je prépare l'habilitation NSI.",
            "languages": ["fr"],
            "format": "online",
        },
        "claire.martin@demo.tierslieu.fr",
        True,
    ),
]


async def _person(email: str, name: str, zone: str, roles: tuple[Role, ...]) -> User:
    user = await User.get_or_none(email=email)
    if user is None:
        user = await create_user(email, DEMO_PASSWORD, name, timezone=zone, roles=roles, verified=True)
    return user


async def run(report: Callable[[str], None]) -> list[str]:
    with notifications.without_mail():
        return await _fill(report)


async def _fill(report: Callable[[str], None]) -> list[str]:
    people: dict[str, User] = {}
    for email, name, zone, roles, spec in MENTORS:
        user = await _person(email, name, zone, roles)
        people[email] = user
        if await MentorProfile.exists(user_id=user.id):
            continue
        spec = dict(spec)
        pause_days = spec.pop("pause_days", None)
        if pause_days:
            spec["paused_until"] = (clock.now() + timedelta(days=pause_days)).date()
        await save_profile(user, MentorProfileIn(timezone=zone, **spec))
        report(f"  {name}")
    for email, name, zone in MENTEES:
        people[email] = await _person(email, name, zone, ())
    made = 0
    for email, spec, mentor_email, accepted in REQUESTS:
        mentee = people[email]
        if await Request.exists(mentee_id=mentee.id, topic=spec["topic"]):
            continue
        spec = {"timezone": mentee.timezone, **spec}
        try:
            request = await create_request(mentee, RequestIn(**spec))
            made += 1
            if mentor_email is None:
                continue
            mentor = await User.get(email=mentor_email)
            await offer(mentee, request.id, mentor.id)
            if not accepted:
                continue
            mentor = await _with_roles(mentor)
            await accept(mentor, request.id, "Avec plaisir ! Commençons par faire le point sur votre emploi du temps.")
            await post_message(mentee, request.id, "Merci beaucoup ! Je suis disponible le mardi soir en visio.")
            await post_message(mentor, request.id, "Parfait : premier rendez-vous mardi prochain, 18 h 30.")
            for title in (
                "Découper l'année en six périodes",
                "Préparer le premier projet (jeu du pendu)",
                "Une grille d'évaluation par compétences",
            ):
                await add_goal(mentee, request.id, title)
            await _first_session(mentor, request.id)
        except DomainError as error:
            report(f"  skipped a demo request: {error.message}")
    return [f"Mentoring: {len(MENTORS)} mentor profiles, {made} new demo request(s)."]


async def _with_roles(user: User) -> User:
    return await load_roles(user)


async def _first_session(mentor: User, request_id: int) -> None:
    """Next Tuesday 18:30–19:30 in Paris, online: written directly, as the service would,
    without its mails (the demo may run outside the app, with no outbox configured)."""
    zone = ZoneInfo("Europe/Paris")
    today = clock.now().astimezone(zone).date()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    starts = datetime.combine(tuesday, time(18, 30), tzinfo=zone).astimezone(UTC)
    await Session.create(
        request_id=request_id,
        mentor_id=mentor.id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        format=Format.ONLINE,
        link="https://visio.example.org/claire-sophie",
        created_by_id=mentor.id,
    )
