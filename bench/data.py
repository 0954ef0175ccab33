"""Realistic volumes for the benchmarks, written straight into a migrated database.

People, a forum with long questions and a 100,000-post search corpus, rooms with 100,000
bookings, events with registrations: the volumes of ``VOLUMES`` (``--quick`` divides them
by ten). Rows go in through the parts' own models in batches (``bulk_create``), so the
database's rules (the bookings' no-overlap constraint, unique registrations, the search
triggers) check every one of them; the text is French teaching vocabulary, rendered with
the forum's Markdown renderer once per distinct text.

The generator is deterministic (a fixed seed): two runs build the same data, so figures
from two runs compare. It prints its progress on standard error and returns what the
benches need (ids, the signed-in person, the personal calendar token).
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

PASSWORD = "bench-password-0123456789"  # noqa: S105 - the benchmark people's password
BATCH = 2000

VOLUMES = {
    "people": 1000,
    "topics": 200,  # questions and discussions of up to 500 posts, browsed
    "longest_topic": 500,
    "search_posts": 100_000,  # every post, the browsed topics' included
    "rooms": 50,
    "bookings": 100_000,
    "events": 5000,
}

WORDS = (
    "élèves algorithmique récursivité python tableau dictionnaire boucle fonction variable réseau internet "
    "protocole données image photo capteur robot projet évaluation grille compétence seconde première "
    "terminale enseignant progression activité débranchée tortue fractale arbre graphe parcours tri "
    "microcontrôleur carte capteurs pédagogie différenciation notebook jupyter évaluation sommative"
).split()
FILLER = [
    f"{a}{b}{c}"
    for a in ("ba", "co", "di", "fu", "ga", "li", "mo", "pa", "ri", "su")
    for b in ("ral", "ten", "vid", "mon", "sel", "pir", "dun", "ker", "lop", "zan")
    for c in ("ette", "ion", "age", "eur", "ique")
]
QUERIES = ["eleve", "recursivite", "python boucle", "reseau", "evaluation projet", "tortue", "algo", "graphe tri"]
FIRST_NAMES = ["Sophie", "Mamadou", "Claire", "Yao", "Nadia", "Pierre", "Awa", "Lucas", "Fatou", "Hugo"]
LAST_NAMES = ["Laurent", "Diallo", "Martin", "Kouassi", "Benali", "Dubois", "Ndiaye", "Petit", "Traoré", "Moreau"]
TIMEZONES = ["Europe/Paris", "Europe/Brussels", "Africa/Dakar", "Africa/Abidjan", "Africa/Douala"]


def text_for(n: int) -> str:
    """About 40 words: 5 from the teaching vocabulary and 35 from 500 others, so a common
    word appears in about one post in seven, as in a real forum."""
    topical = [WORDS[(n * 7 + i * 13) % len(WORDS)] for i in range(5)]
    filler = [FILLER[(n * 31 + i * 17) % len(FILLER)] for i in range(35)]
    return "Bonjour, " + " ".join(topical + filler) + f". Message numéro {n}."


@dataclass
class Built:
    """What the benches need to know about the data."""

    counts: dict[str, int] = field(default_factory=dict)
    member_email: str = ""
    calendar_token: str = ""
    topic_id: int = 0  # a question of 200 posts (the topic page bench reads its first 20)
    category_slug: str = ""
    room_id: int = 0  # a room with its share of the 100,000 bookings
    event_ids: list[int] = field(default_factory=list)  # open events with places left
    registrant_emails: list[str] = field(default_factory=list)


class Progress:
    """One line on standard error per step, rewritten as it goes."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def show(self, what: str, done: int, total: int) -> None:
        """On a terminal the line is rewritten as it goes; in a log, written once done."""
        if done < total and not sys.stderr.isatty():
            return
        elapsed = time.monotonic() - self.started
        share = 100 * done // max(total, 1)
        sys.stderr.write(f"\r  {what:<24} {done:>9,}/{total:,} ({share:3d} %)  {elapsed:6.1f} s")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


async def _in_batches(model: Any, rows: list[Any], what: str, progress: Progress) -> None:
    for start in range(0, len(rows), BATCH):
        await model.bulk_create(rows[start : start + BATCH])
        progress.show(what, min(start + BATCH, len(rows)), len(rows))
    if not rows:
        progress.show(what, 0, 0)


async def build(volumes: dict[str, int], secret_key: str) -> Built:
    """Fill the database Tortoise is connected to (migrated and empty)."""
    rng, progress, built, now = random.Random(2026), Progress(), Built(counts=dict(volumes)), _hour()
    ids, facilitators = await _people(volumes, built, secret_key, now, progress)
    await _forum(volumes, built, ids, rng, now, progress)
    await _bookings(volumes, built, ids, rng, now, progress)
    await _events(volumes, built, ids, facilitators, rng, now, progress)
    return built


async def build_bookings(volumes: dict[str, int], secret_key: str) -> Built:
    """The people, rooms and bookings only: the booking benches on SQLite."""
    rng, progress, built, now = random.Random(2026), Progress(), Built(counts=dict(volumes)), _hour()
    ids, _facilitators = await _people(volumes, built, secret_key, now, progress)
    await _bookings(volumes, built, ids, rng, now, progress)
    return built


def _hour() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


async def _people(volumes, built: Built, secret_key: str, now: datetime, progress: Progress) -> tuple[list, list]:
    """The signed-in member, the other people (one password hash for all: hashing 1,000
    would take minutes), and 20 facilitators; the ids of all, then the facilitators'."""
    from accounts import services as accounts
    from accounts.models import Role, User, UserRole

    member = await accounts.create_user("membre@example.org", PASSWORD, "Sophie Laurent", verified=True)
    await User.filter(id=member.id).update(created_at=now - timedelta(days=90))  # not a newcomer
    built.member_email = member.email
    password_hash = member.password_hash
    people = [
        User(
            email=f"personne{n}@example.org",
            display_name=f"{FIRST_NAMES[n % 10]} {LAST_NAMES[(n // 10) % 10]} {n}",
            password_hash=password_hash,
            email_verified_at=now,
            timezone=TIMEZONES[n % len(TIMEZONES)],
            locale="fr" if n % 5 else "en",
        )
        for n in range(1, volumes["people"])
    ]
    await _in_batches(User, people, "people", progress)
    ids = [member.id, *await User.filter(email__startswith="personne").order_by("id").values_list("id", flat=True)]
    facilitators = ids[1:21]
    await UserRole.bulk_create([UserRole(user_id=user_id, role=Role.FACILITATOR) for user_id in facilitators])
    built.registrant_emails = [f"personne{n}@example.org" for n in range(1, min(401, volumes["people"]))]
    built.calendar_token = accounts.calendar_token(member, secret_key)
    return ids, facilitators


async def _forum(volumes, built: Built, ids: list[int], rng: random.Random, now: datetime, progress: Progress) -> None:
    from forum.models import Category, Post, SearchEntry, Topic, TopicKind
    from forum.search import plain_text
    from tierslieu.markdown import render

    names = [
        "Python au lycée",
        "NSI",
        "SNT",
        "Intelligence artificielle",
        "Réseaux",
        "Pédagogie",
        "CAPES",
        "Vie du lieu",
    ]
    categories = [
        await Category.create(slug=f"bench-{n}", name=name, position=n) for n, name in enumerate(names, start=1)
    ]
    built.category_slug = categories[0].slug
    # the browsed topics: up to 500 posts each (the first one 200, read by the topic bench),
    # then topics of 50 posts until the search corpus has its size
    sizes = [200, volumes["longest_topic"]] + [
        rng.randint(5, volumes["longest_topic"]) for _ in range(volumes["topics"] - 2)
    ]
    total = volumes["search_posts"]
    while sum(sizes) < total:
        sizes.append(min(50, total - sum(sizes)))
    topics = []
    for n, size in enumerate(sizes):
        created = now - timedelta(days=400) + timedelta(hours=n)
        topics.append(
            Topic(
                category_id=categories[n % len(categories)].id,
                author_id=ids[n % len(ids)],
                title=f"Question {n} : {WORDS[n % len(WORDS)]} et {WORDS[(n * 3) % len(WORDS)]} en classe",
                kind=TopicKind.QUESTION if n % 3 else TopicKind.DISCUSSION,
                post_count=size,
                created_at=created,
                last_post_at=created + timedelta(hours=size),
            )
        )
    await _in_batches(Topic, topics, "topics", progress)
    topic_ids = await Topic.filter(category__slug__startswith="bench-").order_by("id").values_list("id", flat=True)
    built.topic_id = topic_ids[0]
    rendered: dict[int, tuple[str, str, str]] = {}
    posts, done = [], 0
    for topic_id, topic, size in zip(topic_ids, topics, sizes, strict=True):
        for number in range(1, size + 1):
            key = (topic_id * 1000 + number) % 5000  # 5,000 distinct texts, rendered once each
            if key not in rendered:
                body = text_for(key)
                rendered[key] = (body, render(body), plain_text(body))
            body, html, _ = rendered[key]
            posts.append(
                Post(
                    topic_id=topic_id,
                    author_id=ids[(topic_id + number) % len(ids)],
                    number=number,
                    body_markdown=body,
                    body_html=html,
                    score=rng.randint(-1, 8),
                    created_at=topic.created_at + timedelta(hours=number),
                )
            )
        if len(posts) >= BATCH or topic_id == topic_ids[-1]:
            await Post.bulk_create(posts)
            done += len(posts)
            progress.show("posts", done, total)
            posts = []
    entries, done = [], 0
    titles = dict(zip(topic_ids, (topic.title for topic in topics), strict=True))
    rows = Post.filter(topic_id__in=topic_ids).order_by("id").values_list("id", "topic_id", "number")
    for post_id, topic_id, number in await rows:
        text = rendered[(topic_id * 1000 + number) % 5000][2]
        entries.append(
            SearchEntry(post_id=post_id, topic_id=topic_id, title=titles[topic_id] if number == 1 else "", body=text)
        )
        if len(entries) >= BATCH:
            await SearchEntry.bulk_create(entries)
            done += len(entries)
            progress.show("search entries", done, total)
            entries = []
    if entries:
        await SearchEntry.bulk_create(entries)
        progress.show("search entries", done + len(entries), total)


async def _bookings(volumes, built: Built, ids, rng: random.Random, now: datetime, progress: Progress) -> None:
    from bookings.models import Booking, Origin, Room, Status

    # open 07:00-23:00 Paris time: the booking bench's evening slots (17:00-21:00 UTC) stay inside in summer time too
    opening = {day: [["07:00", "23:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    rooms = [
        Room(
            name=f"Salle {n}",
            capacity=rng.choice((4, 8, 12, 20, 40)),
            opening_hours=opening,
            max_advance_days=730,
            weekly_quota_minutes=10080,
        )
        for n in range(1, volumes["rooms"] + 1)
    ]
    await _in_batches(Room, rooms, "rooms", progress)
    room_ids = await Room.filter(name__startswith="Salle ").order_by("id").values_list("id", flat=True)
    built.room_id = room_ids[0]
    # one-hour bookings 08:00-18:00 (10 a day per room), a year back and a year ahead, no overlap
    per_room = volumes["bookings"] // len(room_ids)
    first_day = (now - timedelta(days=365)).replace(hour=7)  # 08:00 Paris in winter
    rows = []
    for room_id in room_ids:
        slots = rng.sample(range(730 * 10), min(per_room, 730 * 10))
        for slot in slots:
            starts = first_day + timedelta(days=slot // 10, hours=slot % 10)
            rows.append(
                Booking(
                    room_id=room_id,
                    user_id=ids[slot % len(ids)],
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=1),
                    purpose="Accompagnement personnalisé",
                    people=2,
                    status=Status.CONFIRMED,
                    origin=Origin.MEMBER,
                )
            )
    await _in_batches(Booking, rows, "bookings", progress)


async def _events(volumes, built: Built, ids, facilitators, rng: random.Random, now: datetime, progress) -> None:
    from events.models import Event, EventStatus, Facilitator, Kind, Mode, Registration, RegistrationStatus
    from events.models import Session as EventSession

    kinds = [Kind.WEBINAR, Kind.WORKSHOP, Kind.WEEKEND, Kind.INTENSIVE_WEEK]
    events = []
    for n in range(volumes["events"]):
        starts = now + timedelta(days=n % 700 - 350, hours=n % 9)
        events.append(
            Event(
                title=f"{['Webinaire', 'Atelier', 'Week-end', 'Semaine intensive'][n % 4]} : {WORDS[n % len(WORDS)]}",
                kind=kinds[n % 4],
                mode=Mode.ONLINE if n % 2 else Mode.ONSITE,
                description=text_for(n),
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                capacity=rng.choice((20, 30, 60, 500)),
                registration_opens_at=starts - timedelta(days=60),
                registration_closes_at=starts - timedelta(hours=1),
                status=EventStatus.PUBLISHED,
                join_url="https://visio.example.org/tierslieu" if n % 2 else "",
                created_by_id=facilitators[n % len(facilitators)],
            )
        )
    await _in_batches(Event, events, "events", progress)
    event_ids = await Event.filter(description__startswith="Bonjour").order_by("id").values_list("id", "starts_at")
    await Facilitator.bulk_create(
        [
            Facilitator(event_id=event_id, user_id=facilitators[i % len(facilitators)])
            for i, (event_id, _) in enumerate(event_ids)
        ]
    )
    sessions = [
        EventSession(event_id=event_id, title="Séance", starts_at=starts, ends_at=starts + timedelta(hours=2))
        for event_id, starts in event_ids
    ]
    await _in_batches(EventSession, sessions, "event sessions", progress)
    # past events: 10 confirmed registrations each
    registrations, counts = [], {}
    for event_id, starts in event_ids:
        if starts < now:
            for k in range(10):
                registrations.append(
                    Registration(
                        event_id=event_id,
                        user_id=ids[(event_id * 7 + k * 13) % len(ids)],
                        status=RegistrationStatus.CONFIRMED,
                        confirmed_at=starts - timedelta(days=3),
                    )
                )
            counts[event_id] = 10
    await _in_batches(Registration, registrations, "registrations", progress)
    await Event.filter(id__in=list(counts)).update(confirmed_count=10)
    built.event_ids = [event_id for event_id, starts in event_ids if starts > now + timedelta(days=2)][:50]
