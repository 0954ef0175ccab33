"""Demo people: one per role, so that every part of the platform can be tried."""

from __future__ import annotations

from collections.abc import Callable

from accounts import services
from accounts.models import Motivation, Role, User, UserRole

DEMO_PASSWORD = "demo-tierslieu"  # noqa: S105 - a published demo password, by design

PEOPLE = [
    (
        "admin@demo.tierslieu.fr",
        "Nadia Haddad",
        (Role.ADMIN,),
        Motivation.OTHER,
        "Europe/Paris",
        "Administratrice de la plateforme du tiers-lieu.",
    ),
    (
        "coordination@demo.tierslieu.fr",
        "Aminata Diallo",
        (Role.COORDINATOR,),
        Motivation.FACILITATOR,
        "Africa/Dakar",
        "Coordinatrice du réseau des tuteurs à distance en Afrique de l'Ouest et du Centre.",
    ),
    (
        "moderation@demo.tierslieu.fr",
        "Karim Benali",
        (Role.MODERATOR,),
        Motivation.TEACHER,
        "Europe/Paris",
        "Professeur de NSI à Nice, je veille à la qualité des échanges du forum.",
    ),
    (
        "animation@demo.tierslieu.fr",
        "Claire Dubois",
        (Role.FACILITATOR,),
        Motivation.FACILITATOR,
        "Europe/Brussels",
        "Formatrice en pensée informatique, j'anime les semaines intensives et les webinaires.",
    ),
    (
        "espace@demo.tierslieu.fr",
        "Jean-Marc Lefèvre",
        (Role.SPACE_MANAGER,),
        Motivation.OTHER,
        "Europe/Paris",
        "Je gère les salles, les horaires et l'accueil du tiers-lieu.",
    ),
    (
        "mentor@demo.tierslieu.fr",
        "Fatou Ndiaye",
        (Role.MENTOR,),
        Motivation.IT_PROFESSIONAL,
        "Africa/Dakar",
        "Ancienne développeuse devenue enseignante, j'accompagne les reconversions vers le CAPES NSI.",
    ),
    (
        "accueil@demo.tierslieu.fr",
        "Thomas Martin",
        (Role.HELPER,),
        Motivation.IT_PROFESSIONAL,
        "Europe/Paris",
        "Je tiens l'accueil personnalisé du mercredi : Python, réseaux et outils numériques.",
    ),
    (
        "membre@demo.tierslieu.fr",
        "Sophie Laurent",
        (),
        Motivation.TEACHER,
        "Africa/Douala",
        "Professeure de SVT, j'enseigne désormais la SNT en seconde et je me forme.",
    ),
]


async def run(report: Callable[[str], None]) -> list[str]:
    lines = [f"Demo logins (password: {DEMO_PASSWORD}):"]
    for email, name, roles, motivation, timezone, bio in PEOPLE:
        user = await User.get_or_none(email=email)
        if user is None:
            user = await services.create_user(email, DEMO_PASSWORD, name, timezone=timezone, roles=roles, verified=True)
            user.bio, user.motivation = bio, motivation
            await user.save(update_fields=["bio", "motivation"])
        else:
            for role in roles:
                await UserRole.get_or_create(user=user, role=role)
        report(f"  {email}")
        label = ", ".join(role.value for role in roles) or "member"
        lines.append(f"  {label:<14} {email}")
    lines.append("Staff accounts (all but mentor and member) set up two-step sign-in at their first sign-in.")
    return lines
