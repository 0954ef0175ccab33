"""Demo events (idempotent): an intensive NSI week with a 5-day programme and parallel
workshops, a weekly webinar series, and a weekend on AI. No mail is written: the demo may
run outside the app, with no outbox configured."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from accounts.services import User, load_roles
from bookings import services as bookings
from events import services
from events.forms import EventCreate, SeriesCreate, SessionCreate, local_instant
from events.models import Attendance, Event, Facilitator, Registration, RegistrationStatus, Session
from tierslieu import clock
from tierslieu.errors import DomainError

PARIS = "Europe/Paris"
FACILITATOR = "animation@demo.tierslieu.fr"
WEEK_TITLE = "Semaine intensive NSI : algorithmique et programmation"
SERIES_TITLE = "Les mardis du numérique : un webinaire par semaine"
WEEKEND_TITLE = "Week-end IA : comprendre et enseigner l'intelligence artificielle"

WEEK_PROGRAMME = [
    # (day, start, end, title, speaker, room)
    (0, "09:30", "12:00", "Accueil, tour de table et rappels Python", "Équipe d'animation", "Salle Ada Lovelace"),
    (0, "13:30", "17:00", "Structures de données : listes, piles, files", "Claire Martin", "Salle Ada Lovelace"),
    (1, "09:30", "12:00", "Récursivité et diviser pour régner", "Karim Benali", "Salle Ada Lovelace"),
    (1, "13:30", "17:00", "Arbres et parcours", "Claire Martin", "Salle Ada Lovelace"),
    (2, "09:30", "12:00", "Graphes : représentations et parcours", "Karim Benali", "Salle Ada Lovelace"),
    (2, "13:30", "17:00", "Programmation dynamique", "Aïssatou Diop", "Salle Ada Lovelace"),
    (3, "09:30", "12:00", "Bases de données et SQL", "Aïssatou Diop", "Salle Ada Lovelace"),
    (3, "13:30", "16:00", "Atelier A : préparer une séance sur les graphes", "Claire Martin", "Salle Ada Lovelace"),
    (3, "13:30", "16:00", "Atelier B : évaluer un projet d'élèves", "Karim Benali", "Salle Grace Hopper"),
    (4, "09:30", "12:00", "Projets : présentations des participants", "Équipe d'animation", "Salle Ada Lovelace"),
    (4, "13:30", "16:00", "Bilan et suite du parcours", "Équipe d'animation", "Salle Ada Lovelace"),
]
WEEKEND_PROGRAMME = [
    (0, "10:00", "12:30", "Qu'est-ce qu'un modèle d'apprentissage ?", "Aïssatou Diop", "Salle Ada Lovelace"),
    (0, "13:30", "17:00", "Atelier : entraîner un classifieur avec des élèves", "Karim Benali", "Salle Ada Lovelace"),
    (1, "10:00", "12:00", "En ligne : IA générative en classe, usages et limites", "Claire Martin", None),
]


# Past events, so that the evaluation dashboard has months of history: (weeks ago, weekday,
# start hour, kind, title, people registered, people checked in, sessions).
PAST = [
    (16, 1, 18, "webinar", "Webinaire : débuter avec Python en seconde", 7, 5, 0),
    (14, 3, 14, "workshop", "Atelier : micro:bit et capteurs", 6, 6, 0),
    (12, 1, 18, "webinar", "Webinaire : les graphes au programme de NSI", 7, 4, 0),
    (10, 0, 9, "intensive_week", "Semaine intensive passée : préparer le CAPES NSI", 7, 6, 4),
    (8, 5, 10, "weekend", "Week-end passé : robotique éducative", 5, 3, 0),
    (6, 1, 18, "webinar", "Webinaire : évaluer par compétences en SNT", 7, 6, 0),
    (4, 3, 14, "workshop", "Atelier : SQL avec des données ouvertes", 6, 5, 0),
    (2, 1, 18, "webinar", "Webinaire : l'IA générative en classe", 7, 7, 0),
]
PAST_MARK = "Événement passé de la démonstration."


async def _history(facilitator: User, today: date, report: Callable[[str], None]) -> list[str]:
    """Past events with their registrations and check-ins, written directly (the services
    refuse the past and would mail everyone): the dashboard's history."""
    if await Event.exists(description=PAST_MARK):
        return []
    people = await User.filter(deleted_at=None).exclude(id=facilitator.id).order_by("id")
    monday = today - timedelta(days=today.weekday())
    made = []
    for weeks, weekday, hour, kind, title, registered, present, days in PAST:
        day = monday - timedelta(weeks=weeks) + timedelta(days=weekday)
        starts_at = local_instant(day, f"{hour:02d}:00", PARIS)
        length = timedelta(days=days - 1, hours=8) if days else timedelta(hours=2 if kind == "webinar" else 3)
        ends_at = starts_at + length
        chosen = people[:registered]
        event = await Event.create(
            title=title,
            kind=kind,
            mode="online" if kind == "webinar" else "onsite",
            timezone=PARIS,
            description=PAST_MARK,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=20,
            confirmed_count=len(chosen),
            registration_opens_at=starts_at - timedelta(days=30),
            registration_closes_at=starts_at,
            created_by_id=facilitator.id,
        )
        await Facilitator.create(event_id=event.id, user_id=facilitator.id)
        sessions = [
            await Session.create(
                event_id=event.id,
                title=f"Jour {number + 1}",
                starts_at=starts_at + timedelta(days=number),
                ends_at=starts_at + timedelta(days=number, hours=7),
            )
            for number in range(days)
        ]
        for person in chosen:
            await Registration.create(
                event_id=event.id,
                user_id=person.id,
                status=RegistrationStatus.CONFIRMED,
                confirmed_at=starts_at - timedelta(days=7),
            )
        for person in chosen[:present]:
            for session in sessions or [None]:
                await Attendance.create(
                    event_id=event.id, session=session, user_id=person.id, checked_by_id=facilitator.id
                )
        made.append(title)
        report(f"  {title}")
    return made


def _programme(first_day: date, rows: list, rooms: dict[str, int]) -> list[SessionCreate]:
    return [
        SessionCreate(
            title=title,
            speaker=speaker,
            starts_at=local_instant(first_day + timedelta(days=offset), start, PARIS),
            ends_at=local_instant(first_day + timedelta(days=offset), end, PARIS),
            room_id=rooms.get(room) if room else None,
        )
        for offset, start, end, title, speaker, room in rows
    ]


def _span(sessions: list[SessionCreate]) -> tuple[datetime, datetime]:
    return min(s.starts_at for s in sessions), max(s.ends_at for s in sessions)


async def run(report: Callable[[str], None]) -> list[str]:
    facilitator = await User.get_or_none(email=FACILITATOR)
    if facilitator is None:
        return ["Events: no demo facilitator, nothing added."]
    await load_roles(facilitator)
    rooms = {room.name: room.id for room in await bookings.list_rooms()}
    today = clock.now().astimezone(ZoneInfo(PARIS)).date()
    monday = today + timedelta(days=14 - today.weekday())  # the week after next
    made = []

    if not await Event.exists(title=WEEK_TITLE):
        made += await _first_free_week(monday, report, WEEK_TITLE, lambda day: _week(facilitator, day, rooms))

    if not await Event.exists(title=SERIES_TITLE):
        tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
        series = SeriesCreate(
            title=SERIES_TITLE,
            kind="webinar",
            mode="online",
            timezone=PARIS,
            first_date=tuesday,
            start="18:00",
            duration_minutes=60,
            weeks=8,
            capacity=80,
            join_url="https://visio.demo.tierslieu.fr/mardis-du-numerique",
            description="Une heure pour échanger entre collègues sur un thème du programme de SNT ou de NSI.",
        )
        made += await _create(services.create_series(facilitator, series), SERIES_TITLE, report)

    if not await Event.exists(title=WEEKEND_TITLE):
        made += await _first_free_week(monday, report, WEEKEND_TITLE, lambda day: _weekend(facilitator, day, rooms))
    made += await _history(facilitator, today, report)
    return [f"Events: {await Event.all().count()} in all; {len(made)} new ({', '.join(made) or 'none'})."]


async def _week(facilitator: User, monday: date, rooms: dict[str, int]) -> None:
    sessions = _programme(monday, WEEK_PROGRAMME, rooms)
    starts, ends = _span(sessions)
    data = EventCreate(
        title=WEEK_TITLE,
        kind="intensive_week",
        mode="onsite",
        language="fr",
        description=(
            "Cinq jours pour consolider l'enseignement de **NSI** : algorithmique, structures de "
            "données, graphes, bases de données.\n\nApportez votre ordinateur portable ; les repas "
            "du midi sont pris ensemble."
        ),
        timezone=PARIS,
        starts_at=starts,
        ends_at=ends,
        capacity=14,
        sessions=sessions,
    )
    await services.create_event(facilitator, data)


async def _weekend(facilitator: User, monday: date, rooms: dict[str, int]) -> None:
    sessions = _programme(monday + timedelta(days=5), WEEKEND_PROGRAMME, rooms)
    starts, ends = _span(sessions)
    data = EventCreate(
        title=WEEKEND_TITLE,
        kind="weekend",
        mode="hybrid",
        language="fr",
        description="Samedi sur place, dimanche matin en ligne : l'IA expliquée pour la classe.",
        timezone=PARIS,
        starts_at=starts,
        ends_at=ends,
        capacity=12,
        online_capacity=40,
        join_url="https://visio.demo.tierslieu.fr/week-end-ia",
        sessions=sessions,
    )
    await services.create_event(facilitator, data)


async def _first_free_week(monday: date, report: Callable[[str], None], title: str, plan) -> list[str]:
    # a closure (the end-of-year holidays) or a taken room moves the event a week later
    for weeks in range(6):
        try:
            await plan(monday + timedelta(weeks=weeks))
        except DomainError:
            continue
        report(f"  {title}")
        return [title]
    report(f"  {title}: no free week for its rooms, skipped")
    return []


async def _create(work, title: str, report: Callable[[str], None]) -> list[str]:
    try:
        await work
    except DomainError:
        report(f"  {title}: a room is taken or closed at that time, skipped")
        return []
    report(f"  {title}")
    return [title]
