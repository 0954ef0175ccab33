"""Seed a harness database from outside the app processes (``python -m tests.scale.seed
URL [background]``); prints what it made as JSON.

- default: people, a room, a forum topic, events open for registration and a help-desk
  helper's free slot;
- ``background``: work the processes' periodic jobs find due at once: registrations to an
  event starting within the day (a reminder each), and bookings that began without a
  check-in past the grace period (released as no-shows)."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import timedelta

from accounts.models import User
from bookings.models import Booking, Room
from events.services.registrations import register
from helpdesk import services as helpdesk
from tests.events.helpers import make_event, make_facilitator
from tests.forum.factories import make_category, make_topic
from tests.helpdesk.helpers import make_hours
from tests.helpers import PASSWORD, make_user
from tests.scale.harness import SECRET_KEY
from tierslieu import clock, db, mail
from tierslieu.app import install
from tierslieu.settings import Settings

EVERY_DAY = {day: [["07:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
PEOPLE = 4
EVENTS = 12


async def seed() -> dict[str, object]:
    people = [
        await make_user(email=f"member{n}@example.org", display_name=f"Member {n}", locale="en")
        for n in range(1, PEOPLE + 1)
    ]
    # members of a month's standing: the scenarios post more than a newcomer's pace allows
    await User.filter(id__in=[person.id for person in people]).update(created_at=clock.now() - timedelta(days=30))
    room = await Room.create(
        name="Salle Ada Lovelace",
        capacity=10,
        timezone="Europe/Paris",
        opening_hours=EVERY_DAY,
        max_advance_days=365,
        weekly_quota_minutes=7 * 15 * 60,
    )
    topic = await make_topic(people[0], category=await make_category())
    facilitator = await make_facilitator()
    events = [await make_event(facilitator, capacity=PEOPLE) for _ in range(EVENTS)]
    lockable = await make_user(email="wrong-password@example.org", display_name="Locked out", locale="en")
    hours = await make_hours()  # a helper on duty online on Wednesdays
    now = clock.now()
    desk_slot = (await helpdesk.free_slots(now + timedelta(days=1), now + timedelta(weeks=3), limit=1))[0]
    return {
        "lockable": lockable.email,
        "helpdesk": {"helper_id": hours.helper_id, "slot": desk_slot.starts_at.isoformat()},  # type: ignore[attr-defined]
        "password": PASSWORD,
        "people": [{"id": person.id, "email": person.email} for person in people],
        "room": room.id,
        "topic": topic.id,
        "events": [event.id for event in events],
    }


async def seed_background() -> dict[str, object]:
    now = clock.now()
    people = [
        await make_user(email=f"sweep{n}@example.org", display_name=f"Sweep {n}", locale="en")
        for n in range(1, PEOPLE + 1)
    ]
    facilitator = await make_facilitator(email="sweep-facilitator@example.org")
    event = await make_event(facilitator, starts_at=now + timedelta(hours=12), capacity=PEOPLE)
    for person in people:
        await register(person, event.id)
    room = await Room.create(name="Salle Grace Hopper", capacity=4, checkin_grace_minutes=5, opening_hours=EVERY_DAY)
    bookings = [
        await Booking.create(
            room=room,
            user=person,
            starts_at=now - timedelta(minutes=30 + 60 * n),
            ends_at=now - timedelta(minutes=30 + 60 * n) + timedelta(minutes=45),
            purpose="Révisions",
        )
        for n, person in enumerate(people)
    ]
    return {
        "people": [{"id": person.id, "email": person.email} for person in people],
        "event": event.id,
        "bookings": [booking.id for booking in bookings],
    }


async def seed_replies(topic_id: int, count: int = 199) -> dict[str, object]:
    """A long question (the topic page bench of docs/performance.md reads 200-post ones)."""
    from forum.models import Topic
    from tests.forum.factories import make_reply

    topic = await Topic.get(id=topic_id)
    people = [await make_user(email=f"replier{n}@example.org", locale="en") for n in range(1, 11)]
    for n in range(count):
        await make_reply(
            topic, people[n % len(people)], body=f"Une réponse détaillée numéro {n}, avec du **Markdown**."
        )
    return {"topic": topic_id, "replies": count}


async def main(url: str, mode: str, base_url: str) -> dict[str, object]:
    await db.init(url, install().with_models())
    # mails written here (registration confirmations) are sent by the processes
    mail.configure(Settings(database_url=url, secret_key=SECRET_KEY, base_url=base_url))
    try:
        if mode.startswith("replies:"):
            return await seed_replies(int(mode.split(":", 1)[1]))
        return await (seed_background() if mode == "background" else seed())
    finally:
        await db.close()


if __name__ == "__main__":
    url, mode, base_url = (sys.argv[1:] + ["", "https://tierslieu.example.org"][len(sys.argv) - 2 :])[:3]
    print(json.dumps(asyncio.run(main(url, mode, base_url))))
