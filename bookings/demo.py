"""Demo rooms with realistic opening hours, a closure and a few bookings (idempotent)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from accounts.services import User
from bookings import services
from bookings.models import Booking, Closure, Origin, Room
from tierslieu import clock, hours
from tierslieu.errors import DomainError

WEEKDAYS_9_19 = {day: [["09:00", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}

ROOMS = [
    {
        "name": "Salle Ada Lovelace",
        "description": "Salle de formation lumineuse, tables modulables, pour les ateliers et les groupes d'étude.",
        "capacity": 16,
        "equipment": ["projector", "whiteboard", "videoconference"],
        "accessibility": "Rez-de-chaussée, accès de plain-pied, boucle magnétique.",
        "opening_hours": {**WEEKDAYS_9_19, "wed": [["09:00", "21:00"]], "sat": [["10:00", "17:00"]]},
        "max_minutes": 480,
    },
    {
        "name": "Salle Grace Hopper",
        "description": "Salle de réunion pour 8 personnes, grand écran et caméra pour les séances hybrides.",
        "capacity": 8,
        "equipment": ["screen", "videoconference", "whiteboard"],
        "accessibility": "Premier étage, ascenseur.",
        "opening_hours": WEEKDAYS_9_19,
    },
    {
        "name": "Atelier",
        "description": "Atelier de fabrication : électronique, robots, cartes Arduino et micro:bit.",
        "capacity": 12,
        "equipment": ["computers", "soldering", "whiteboard"],
        "accessibility": "Rez-de-chaussée ; établis à hauteur réglable.",
        "opening_hours": {
            "tue": [["14:00", "20:00"]],
            "wed": [["10:00", "12:30"], ["13:30", "20:00"]],
            "thu": [["14:00", "20:00"]],
            "sat": [["10:00", "18:00"]],
        },
        "requires_approval": True,
        "max_minutes": 240,
    },
    {
        "name": "Bureau d'accueil",
        "description": "Petit bureau calme pour l'accompagnement personnalisé en tête-à-tête.",
        "capacity": 2,
        "equipment": ["computers", "screen"],
        "accessibility": "Rez-de-chaussée, à côté de l'accueil.",
        "opening_hours": {**WEEKDAYS_9_19, "sat": [["10:00", "13:00"]]},
        "granularity_minutes": 30,
        "min_minutes": 30,
        "max_minutes": 120,
        "checkin_grace_minutes": 0,
    },
]

# (email, room, days from next Monday, local start, local end, purpose, people)
BOOKINGS = [
    ("membre@demo.tierslieu.fr", "Salle Grace Hopper", 1, "14:00", "16:00", "Préparation d'une séquence SNT", 3),
    ("membre@demo.tierslieu.fr", "Bureau d'accueil", 2, "10:00", "11:00", "Aide personnalisée : Python", 2),
    ("animation@demo.tierslieu.fr", "Salle Ada Lovelace", 2, "14:00", "18:00", "Atelier pensée informatique", 14),
    ("accueil@demo.tierslieu.fr", "Bureau d'accueil", 2, "14:00", "16:00", "Permanence numérique", 2),
    ("mentor@demo.tierslieu.fr", "Salle Grace Hopper", 3, "17:00", "18:30", "Groupe de révision CAPES NSI", 6),
]


async def run(report: Callable[[str], None]) -> list[str]:
    rooms: dict[str, Room] = {}
    for spec in ROOMS:
        room = await Room.get_or_none(name=spec["name"])
        if room is None:
            room = await Room.create(timezone="Europe/Paris", **spec)
        rooms[room.name] = room
        report(f"  {room.name}")
    zone = ZoneInfo("Europe/Paris")
    today = clock.now().astimezone(zone).date()
    monday = hours.week_start(today) + timedelta(days=7)
    christmas_eve = today.replace(month=12, day=24)
    if christmas_eve < today:
        christmas_eve = christmas_eve.replace(year=today.year + 1)
    if not await Closure.filter(reason="Fermeture des fêtes de fin d'année").exists():
        await Closure.create(
            starts_at=hours.local_instant(christmas_eve, "00:00", zone),
            ends_at=hours.local_instant(christmas_eve + timedelta(days=9), "00:00", zone),
            reason="Fermeture des fêtes de fin d'année",
        )
    made = 0
    for email, room_name, offset, start, end, purpose, people in BOOKINGS:
        user = await User.get_or_none(email=email)
        if user is None:
            continue
        room = rooms[room_name]
        if await Booking.filter(user_id=user.id, purpose=purpose, ends_at__gt=clock.now()).exists():
            continue
        day = monday + timedelta(days=offset)
        try:
            # no mail from the demo: it may run outside the app, with no outbox configured
            starts_at, ends_at = hours.local_instant(day, start, zone), hours.local_instant(day, end, zone)
            await services.book_room(
                room.id, starts_at, ends_at, purpose, origin=Origin.MEMBER, user_id=user.id, people=people
            )
            made += 1
        except DomainError:
            continue  # taken or closed this week: the demo stays consistent
    past = await _history(rooms, monday, zone)
    return [f"Rooms: {len(rooms)} ({', '.join(rooms)}); {past} past booking(s); {made} new demo booking(s)."]


# The weeks before today, so that the evaluation dashboard has history: (room, weekday, start,
# end, purpose, people), booked every week, or every other week when the last item is True.
PAST_WEEKS = 16
PAST_BOOKINGS = [
    ("Salle Grace Hopper", 0, "10:00", "12:00", "Réunion d'équipe pédagogique", 6, False),
    ("Salle Ada Lovelace", 1, "14:00", "17:00", "Groupe d'étude NSI", 12, False),
    ("Bureau d'accueil", 1, "10:00", "11:00", "Aide personnalisée : messagerie", 2, False),
    ("Salle Ada Lovelace", 2, "09:00", "12:00", "Formation SNT des nouveaux collègues", 14, True),
    ("Atelier", 2, "14:00", "17:00", "Club robotique", 10, False),
    ("Salle Ada Lovelace", 2, "18:00", "20:00", "Soirée révision CAPES", 10, False),
    ("Salle Grace Hopper", 3, "14:00", "16:00", "Préparation d'une séquence", 4, False),
    ("Bureau d'accueil", 3, "10:00", "11:00", "Aide personnalisée : tableur", 2, True),
    ("Salle Grace Hopper", 4, "09:00", "11:00", "Visio avec un lycée partenaire", 5, True),
    ("Bureau d'accueil", 4, "15:00", "16:00", "Aide personnalisée : Python", 2, False),
    ("Atelier", 5, "14:00", "17:00", "Atelier parents-enfants : micro:bit", 12, True),
    ("Salle Ada Lovelace", 5, "10:00", "13:00", "Samedi du code", 14, False),
]


async def _history(rooms: dict[str, Room], monday, zone: ZoneInfo) -> int:
    """Bookings of the past weeks (a service booking, as events and the help desk make them,
    may be dated in the past): what the occupancy heat map shows."""
    people = await User.filter(deleted_at=None).order_by("id")
    if not people or await Booking.filter(ends_at__lt=clock.now() - timedelta(days=8)).exists():
        return 0
    made = 0
    for weeks in range(2, PAST_WEEKS + 2):
        first = monday - timedelta(weeks=weeks)
        for index, (room_name, weekday, start, end, purpose, count, fortnightly) in enumerate(PAST_BOOKINGS):
            if fortnightly and weeks % 2:
                continue
            day = first + timedelta(days=weekday)
            person = people[(index + weeks) % len(people)]
            try:
                await services.book_room(
                    rooms[room_name].id,
                    hours.local_instant(day, start, zone),
                    hours.local_instant(day, end, zone),
                    purpose,
                    origin=Origin.MEMBER,
                    user_id=person.id,
                    people=count,
                )
                made += 1
            except DomainError:
                continue
    return made
