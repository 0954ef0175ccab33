"""Seed a harness database from outside the app processes (``python -m tests.scale.seed
URL``): people, a room and a forum topic; prints their ids as JSON."""

from __future__ import annotations

import asyncio
import json
import sys

from bookings.models import Room
from tests.forum.factories import make_category, make_topic
from tests.helpers import PASSWORD, make_user
from tierslieu import db
from tierslieu.app import install

EVERY_DAY = {day: [["07:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def seed(url: str) -> dict[str, object]:
    await db.init(url, install().with_models())
    try:
        people = [
            await make_user(email=f"member{n}@example.org", display_name=f"Member {n}", locale="en")
            for n in range(1, 5)
        ]
        room = await Room.create(
            name="Salle Ada Lovelace",
            capacity=10,
            timezone="Europe/Paris",
            opening_hours=EVERY_DAY,
            max_advance_days=365,
            weekly_quota_minutes=7 * 15 * 60,
        )
        topic = await make_topic(people[0], category=await make_category())
        return {
            "password": PASSWORD,
            "people": [{"id": person.id, "email": person.email} for person in people],
            "room": room.id,
            "topic": topic.id,
        }
    finally:
        await db.close()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(seed(sys.argv[1]))))
