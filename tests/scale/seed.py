"""Seed a harness database from outside the app processes (``python -m tests.scale.seed
URL [background]``); prints what it made as JSON.

- default: people, a room, a forum topic, events open for registration and a help-desk
  helper's free slot;
- ``background``: work the processes' periodic jobs find due at once: registrations to an
  event starting within the day (a reminder each), bookings that began without a check-in
  past the grace period (released as no-shows), mentoring offers and requests at each step
  of the sweep (an offer to remind, one to lapse, a request to remind, one to expire),
  help-desk appointments starting within the day (a reminder each), on-site duty hours
  whose blocks are not made yet (each block books its room once), and notifications a day
  old for someone who chose the daily digest."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import timedelta

from accounts.models import Role, User
from bookings.models import Booking, Room
from events.services.registrations import register
from helpdesk import services as helpdesk
from helpdesk.models import Appointment, Block, Format
from mentoring import services as mentoring
from mentoring.forms import RequestIn
from mentoring.models import Offer
from mentoring.models import Request as MentoringRequest
from mentoring.services.notices import coordinator_ids
from notifications import services as notifications
from notifications.models import Notification
from tests.events.helpers import make_event, make_facilitator
from tests.forum.factories import make_category, make_topic
from tests.helpdesk.helpers import make_helper, make_hours
from tests.helpers import PASSWORD, make_user
from tests.mentoring.helpers import make_mentor
from tests.scale.harness import SECRET_KEY
from tierslieu import clock, db, mail
from tierslieu.app import install
from tierslieu.i18n import Message
from tierslieu.parts import DIGEST
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
        "mentoring": await seed_mentoring_due(),
        "helpdesk": await seed_helpdesk_due(),
        "digest": await seed_digest_due(),
    }


def sweeper(n: int) -> dict[str, str]:
    """Person ``sweep{n}``: the test tells this run's mails by these addresses."""
    return {"email": f"sweep{n}@example.org", "display_name": f"Sweep {n}", "locale": "en"}


async def seed_mentoring_due() -> dict[str, object]:
    """A request at each step of the mentoring sweep, made as many days ago as it takes: an
    offer 5 days old (its mentor is reminded), one 7 days old and reminded on day 5 (it
    lapses), a request 23 days old (its mentee and the coordinators are reminded) and one
    30 days old and reminded on day 23 (it expires)."""
    now = clock.now()
    mentor = await make_mentor(**sweeper(10))
    await make_user(roles=(Role.COORDINATOR,), two_factor=False, **sweeper(11))
    ages = {
        "offer_to_remind": timedelta(days=5, hours=1),
        "offer_to_lapse": timedelta(days=7, hours=1),
        "request_to_remind": timedelta(days=23, hours=1),
        "request_to_expire": timedelta(days=30, hours=1),
    }
    steps: dict[str, dict[str, int]] = {}
    for n, (step, age) in enumerate(ages.items(), start=12):
        mentee = await make_user(**sweeper(n))
        topic = f"Sweep: {step.replace('_', ' ')}"  # one subject per mail and person
        request = await mentoring.create_request(
            mentee, RequestIn(topic=topic, skills=["nsi"], languages=["fr"]), now=now - age
        )
        if step.startswith("offer"):
            await mentoring.offer(mentee, request.id, mentor.id, now=now - age)
        steps[step] = {"request": request.id, "mentee": mentee.id}
    reminded = now - timedelta(days=2)
    await Offer.filter(request_id=steps["offer_to_lapse"]["request"]).update(reminded_at=reminded)
    await MentoringRequest.filter(id=steps["request_to_expire"]["request"]).update(expiry_reminded_at=reminded)
    return {"mentor": mentor.id, "coordinators": await coordinator_ids(), **steps}


async def seed_helpdesk_due() -> dict[str, object]:
    """Appointments starting within the day, one a person (a reminder each), and on-site
    duty hours whose blocks the daily job has not made yet: the blocks are made once by
    the service here, what it made is kept as the expectation, then they and their room
    bookings are removed for the processes to make again."""
    now = clock.now()
    helper = await make_helper(two_factor=False, **sweeper(20))
    room = await Room.create(name="Salle Alan Turing", capacity=2, timezone="Europe/Paris", opening_hours=EVERY_DAY)
    hours = await make_hours(helper, format="onsite", room_id=room.id, join_url="", weekday="thu")
    blocks = await Block.filter(hours_id=hours.id).order_by("starts_at")
    expected = [{"starts_at": block.starts_at.isoformat(), "problem": str(block.problem)} for block in blocks]
    await Booking.filter(id__in=[block.booking_id for block in blocks if block.booking_id]).delete()
    await Block.filter(hours_id=hours.id).delete()
    appointments = []
    for n in range(4):
        person = await make_user(**sweeper(21 + n))
        starts_at = now + timedelta(hours=2 + 3 * n)
        appointment = await Appointment.create(
            helper_id=helper.id,
            person_id=person.id,
            topic_id="python",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=30),
            timezone="Europe/Paris",
            format=Format.ONLINE,
            need="Installer Python sur les postes de la salle",
            join_url="https://visio.example.org/desk",
        )
        appointments.append({"id": appointment.id, "person": person.email})
    return {"hours": hours.id, "room": room.id, "blocks": expected, "appointments": appointments}


async def seed_digest_due() -> dict[str, object]:
    """A person who chose the daily digest for replies, with two replies a day old: one
    digest mail is due."""
    person = await make_user(**sweeper(30))
    await notifications.set_preferences(person, {"forum.reply": DIGEST})
    for n in range(2):
        await notifications.notify([person.id], "forum.reply", Message(f"Réponse {n}", {}), url="/forum")
    await Notification.filter(user_id=person.id).update(created_at=clock.now() - timedelta(hours=25))
    return {"person": person.id}


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
