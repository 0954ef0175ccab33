"""Demo duty hours, appointments and a follow-up (idempotent; no mail is written: the demo
may run outside the app, with no outbox configured)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from accounts.services import User, load_roles
from bookings import services as bookings
from helpdesk.forms import HoursCreate
from helpdesk.models import Appointment, Format, Hours, Status
from helpdesk.services import create_hours, free_slots, hours_topics
from tierslieu import clock
from tierslieu.errors import DomainError

HELPER = "accueil@demo.tierslieu.fr"
PERSON = "membre@demo.tierslieu.fr"
DESK = "Bureau d'accueil"
HOURS = [
    {
        "weekday": "wed",
        "starts": "14:00",
        "ends": "18:00",
        "timezone": "Europe/Paris",
        "format": "onsite",
        "slot_minutes": 45,
        "buffer_minutes": 15,
        "topics": ["python", "reseaux", "snt"],
        "languages": ["fr", "en"],
    },
    {
        "weekday": "fri",
        "starts": "17:00",
        "ends": "19:00",
        "timezone": "Europe/Paris",
        "format": "online",
        "slot_minutes": 30,
        "buffer_minutes": 0,
        "topics": ["python", "capes", "pedagogie"],
        "languages": ["fr"],
        "join_url": "https://visio.demo.tierslieu.fr/accueil",
    },
]
NEED = (
    "Je suis professeure de SVT et j'enseigne la SNT depuis la rentrée. Je voudrais démarrer "
    "Python avec mes élèves : par où commencer, et quel environnement installer en salle ?"
)
FOLLOW_UP = (
    "Prochaines étapes : installer Thonny sur les postes, faire les exercices 1 à 5 du parcours "
    "« Premiers pas en Python ». Pensez à demander un mentorat pour préparer la séquence complète."
)


async def run(report: Callable[[str], None]) -> list[str]:
    helper = await User.get_or_none(email=HELPER)
    person = await User.get_or_none(email=PERSON)
    if helper is None:
        return ["Help desk: no demo helper account, nothing made."]
    await load_roles(helper)
    desk = next((room for room in await bookings.list_rooms() if room.name == DESK), None)
    made = 0
    if not await Hours.filter(helper_id=helper.id, active=True).exists():
        for spec in HOURS:
            values = dict(spec)
            if values["format"] == "onsite":
                if desk is None:
                    continue
                values["room_id"] = desk.id
            try:
                await create_hours(helper, HoursCreate(**values))
                made += 1
            except DomainError:
                continue
    booked = 0
    if person is not None and not await Appointment.filter(person_id=person.id).exists():
        now = clock.now()
        slots = await free_slots(now + timedelta(days=1), now + timedelta(weeks=4), topic="python", helper_id=helper.id)
        if slots:
            slot = slots[min(2, len(slots) - 1)]
            await Appointment.create(
                helper_id=helper.id,
                person_id=person.id,
                hours_id=slot.hours_id,
                topic_id="python",
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                timezone=slot.timezone,
                format=Format(slot.format),
                need=NEED,
                room_id=slot.room_id,
                join_url=slot.join_url,
            )
            booked += 1
        hours = await Hours.filter(helper_id=helper.id, active=True, format=Format.ONSITE).first()
        if hours is not None and "python" in (await hours_topics([hours.id]))[hours.id]:
            zone = ZoneInfo(hours.timezone)
            last_week = (now - timedelta(days=7)).astimezone(zone).replace(hour=14, minute=0, second=0, microsecond=0)
            await Appointment.create(
                helper_id=helper.id,
                person_id=person.id,
                hours_id=hours.id,
                topic_id="python",
                starts_at=last_week,
                ends_at=last_week + timedelta(minutes=hours.slot_minutes),
                timezone=hours.timezone,
                format=Format.ONSITE,
                need="Premiers pas : installer Python et écrire un premier programme.",
                room_id=hours.room_id,
                status=Status.DONE,
                follow_up=FOLLOW_UP,
                followed_up_at=last_week + timedelta(hours=1),
            )
            booked += 1
    report(f"  help desk: {made} duty hours, {booked} appointment(s)")
    return [f"Help desk: {made} new duty hours, {booked} demo appointment(s) ({HELPER} is on duty)."]
