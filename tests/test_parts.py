"""The part walk: what every installed part declares in its manifest is all it brings, and
all it leaves behind.

1. Personal data. Every model of every installed part that refers to a person (a foreign key
   to ``accounts.User``, or a plain integer column holding a user id) is listed in
   :data:`REFERENCES`, with the section of "download my data" that shows it and what
   "delete my account" does to it. A fill factory per part (:data:`FILLS`) writes a row of
   each such model for one person; the tests then export and delete that person's account.
   A model that refers to a person and is missing from the table fails the walk, by name:
   add it to the table and to its part's fill factory.
2. A part left out of :data:`tierslieu.app.PARTS` leaves no route, API route, live channel,
   calendar provider, mail kind, notification kind, CLI command, error code, job or page hook
   behind.
3. Importing a part's ``services`` loads no routes, API or manifest module.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from tortoise import Tortoise, fields
from tortoise.models import Model

import accounts.services
import tierslieu.app
from accounts import staff, two_factor
from accounts.models import Role, TokenPurpose, User, UserRole
from badges import services as badges_services
from badges.forms import AwardCreate, EventLinkCreate
from bookings import services as bookings_services
from events import services as events_services
from events.models import Feedback
from forum import mentions, moderation, reading
from forum import services as forum_services
from forum.forms import PostEdit
from forum.models import Post
from helpdesk import services as helpdesk_services
from helpdesk.forms import AbsenceCreate, AppointmentCreate
from helpdesk.models import Appointment
from mentoring import services as mentoring_services
from mentoring.forms import MentorProfileIn, RequestIn, SessionIn
from notifications import services as notifications_services
from tests.badges.helpers import make_class as make_badge_class
from tests.bookings.helpers import at, make_room, next_monday
from tests.conftest import SECRET_KEY, make_settings
from tests.events.helpers import make_event, soon
from tests.forum.factories import make_reply, make_topic
from tests.helpdesk.helpers import at as helpdesk_at
from tests.helpdesk.helpers import hours_data as helpdesk_hours
from tests.helpdesk.helpers import make_helper
from tests.helpdesk.helpers import make_hours as make_helpdesk_hours
from tests.helpdesk.helpers import make_room as make_helpdesk_room
from tests.helpdesk.helpers import upcoming as helpdesk_day
from tests.helpers import PASSWORD, make_user
from tests.notifications.factories import make_notification
from tierslieu import cli, mail, parts
from tierslieu.models import SitePage
from tierslieu.openapi import build_document, mounted_api_routes
from tierslieu.parts import Happening
from tierslieu.ratelimit import RateLimiter

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _configured(app) -> None:
    """Services write mails and publish live updates: the app configures both."""


# --- 1. personal data ---------------------------------------------------------------------------

DELETED = "deleted"  # the rows go
CLEARED = "cleared"  # the rows stay, their reference to the person is set to NULL
ANONYMISED = "anonymised"  # the rows stay, pointing to the account, which is anonymised


@dataclass(frozen=True)
class Reference:
    """What happens to one reference to a person.

    ``export``: the path, in ``export_personal_data(user)``, of what shows the rows (the
    first key is the part's section), or None with ``why`` saying why nothing is exported.
    ``erase``: DELETED, CLEARED or ANONYMISED. ``kept``: rows that DELETED leaves on
    purpose (filter arguments).
    """

    export: tuple[str, ...] | None
    erase: str
    why: str = ""
    kept: dict[str, Any] | None = None


# "<app>.<Model>.<field>": the field is the foreign key's name (``user``), a plain integer
# column's name (``decided_by_id``), or ``id`` for the account's own row.
REFERENCES: dict[str, Reference] = {
    # the kernel: the mail outbox and the legal pages
    "tierslieu.OutboxMail.user_id": Reference(
        ("mails",),
        DELETED,
        kept={"kind": mail.SECURITY, "sent_at__isnull": True},
        why="a pending security mail (such as 'your account was deleted') still goes out",
    ),
    "tierslieu.SitePage.updated_by_id": Reference(
        None, ANONYMISED, why="the admin who last edited a legal page: the site's record, not the person's data"
    ),
    # accounts
    "accounts.User.id": Reference(("account", "email"), ANONYMISED, why="the account row itself"),
    "accounts.UserRole.user": Reference(("account", "roles"), DELETED),
    "accounts.Session.user": Reference(("account", "sessions"), DELETED),
    "accounts.ApiToken.user": Reference(("account", "api_tokens"), DELETED),
    "accounts.TwoFactor.user": Reference(("account", "two_factor", "enabled_at"), DELETED),
    "accounts.RecoveryCode.user": Reference(("account", "two_factor", "recovery_codes_left"), DELETED),
    "accounts.OneTimeToken.user": Reference(None, DELETED, why="a hashed secret that lives for hours"),
    "accounts.PendingLogin.user": Reference(None, DELETED, why="a hashed secret that lives for minutes"),
    "accounts.AuditEntry.target": Reference(("account", "audit_entries_about_me"), ANONYMISED, why="the staff log"),
    "accounts.AuditEntry.actor": Reference(None, ANONYMISED, why="what a staff member did to others: the staff log"),
    # notifications
    "notifications.Notification.user": Reference(("notifications", "notifications"), DELETED),
    "notifications.Notification.actor": Reference(
        None, ANONYMISED, why="someone else's notification; the name it showed is removed from it"
    ),
    "notifications.Preference.user": Reference(("notifications", "preferences"), DELETED),
    # bookings
    "bookings.Booking.user": Reference(
        ("bookings",), CLEARED, why="future bookings are cancelled; past ones stay as busy time without purpose"
    ),
    "bookings.Booking.decided_by_id": Reference(None, ANONYMISED, why="the manager who decided someone's booking"),
    "bookings.Series.user": Reference(("bookings",), CLEARED, why="exported through the bookings of the series"),
    # events
    "events.Event.created_by": Reference(("events", "facilitated_events"), CLEARED),
    "events.Facilitator.user": Reference(("events", "facilitated_events"), DELETED),
    "events.Registration.user": Reference(("events", "registrations"), DELETED),
    "events.Attendance.user": Reference(("events", "attendance"), DELETED),
    "events.Attendance.checked_by_id": Reference(None, ANONYMISED, why="the facilitator who checked someone in"),
    "events.Feedback.user": Reference(
        ("events", "feedback"),
        ANONYMISED,
        why="the rating and comment stay with the event, under the anonymised name",
    ),
    # badges
    "badges.BadgeClass.created_by": Reference(
        ("badges", "badge_classes_created"), CLEARED, why="the class stays, issued by the space"
    ),
    "badges.Award.recipient": Reference(
        ("badges", "awards"), CLEARED, why="kept verifiable by its salted hash, or revoked: the person chooses"
    ),
    "badges.Award.awarded_by": Reference(None, CLEARED, why="who gave someone else a badge"),
    "badges.Award.revoked_by_id": Reference(None, CLEARED, why="who revoked someone else's badge"),
    "badges.EventLink.linked_by_id": Reference(None, CLEARED, why="who linked an event to a badge class"),
    "badges.MentorGrant.mentor": Reference(None, DELETED, why="a mentor's right to award a mentee goes with them"),
    "badges.MentorGrant.mentee": Reference(("badges", "mentoring_grants"), DELETED),
    # mentoring
    "mentoring.MentorProfile.user": Reference(("mentoring", "mentor_profile"), DELETED),
    "mentoring.Request.mentee": Reference(("mentoring", "requests"), DELETED, why="with threads, sessions and goals"),
    "mentoring.Request.mentor": Reference(
        ("mentoring", "mentoring"), DELETED, why="the mentee keeps the request, without its mentor"
    ),
    "mentoring.Request.closed_by_id": Reference(("mentoring", "requests"), DELETED, why="who closed it is cleared"),
    "mentoring.Offer.mentor": Reference(("mentoring", "offers_received"), DELETED),
    "mentoring.Offer.offered_by_id": Reference(None, DELETED, why="who offered a request is cleared"),
    "mentoring.Message.author": Reference(("mentoring", "mentoring"), DELETED),
    "mentoring.Message.reported_by_id": Reference(None, DELETED, why="the report stays, its author is cleared"),
    "mentoring.PrivateNote.author": Reference(("mentoring", "mentoring"), DELETED),
    "mentoring.Session.created_by": Reference(("mentoring", "mentoring"), DELETED, why="cleared"),
    "mentoring.Session.mentor_id": Reference(
        ("mentoring", "mentoring"),
        ANONYMISED,
        why="a mentee's past sessions keep who held them (future ones are cancelled), under the anonymised name",
    ),
    "mentoring.Block.blocker": Reference(("mentoring", "blocked_people"), DELETED),
    "mentoring.Block.blocked": Reference(None, DELETED, why="who blocked the person is not theirs to see"),
    # forum
    "forum.Topic.author": Reference(("forum", "topics"), ANONYMISED, why="public contributions stay"),
    "forum.Post.author": Reference(("forum", "posts"), ANONYMISED, why="public contributions stay"),
    "forum.PostRevision.editor": Reference(("forum", "revisions_i_made"), ANONYMISED, why="public history"),
    "forum.Vote.user": Reference(("forum", "votes"), DELETED, why="withdrawn with the score they gave"),
    "forum.Flag.user": Reference(("forum", "flags"), DELETED),
    "forum.Flag.resolved_by": Reference(None, ANONYMISED, why="the moderator who resolved someone's flag"),
    "forum.ModerationEntry.actor": Reference(None, ANONYMISED, why="the moderation log"),
    "forum.Watch.user": Reference(("forum", "watching"), DELETED),
    "forum.ReadState.user": Reference(("forum", "reading"), DELETED),
    "forum.MentionName.user": Reference(
        None, DELETED, why="the account's display name folded, to find the person from a mention"
    ),
    # help desk
    "helpdesk.Hours.helper": Reference(("helpdesk", "hours"), DELETED, why="coming room bookings are released"),
    "helpdesk.Absence.helper": Reference(("helpdesk", "absences"), DELETED),
    "helpdesk.Appointment.person": Reference(
        ("helpdesk", "appointments"), DELETED, why="with the need and the follow-up; the slot is freed"
    ),
    "helpdesk.Appointment.helper": Reference(
        ("helpdesk", "appointments_given"),
        ANONYMISED,
        why="the desk's record (figures) without need or follow-up; coming ones are cancelled and their people told",
    ),
    "helpdesk.Appointment.cancelled_by_id": Reference(
        None, ANONYMISED, why="the helper who cancelled someone's appointment"
    ),
    "helpdesk.WaitEntry.person": Reference(("helpdesk", "waiting_for"), DELETED),
}

# Plain integer columns that hold a user id (the kernel's and the parts' tables that may not
# have a foreign key to accounts): found by name.
USER_ID_COLUMN = re.compile(
    r"(^|_)(user|author|actor|owner|editor|creator|recipient|sender|mentor|mentee|helper|learner|awardee)_id$"
    r"|_by_id$"
)


def _user_model() -> type[Model]:
    return Tortoise.apps["accounts"]["User"]


def user_references() -> Iterator[tuple[str, type[Model], str]]:
    """Every reference to a person in every installed model: (key, model, column to filter on)."""
    user_model = _user_model()
    yield "accounts.User.id", user_model, "id"
    for label, models in Tortoise.apps.items():
        for name, model in models.items():
            meta = model._meta
            fk_columns = set()
            for field_name, field in meta.fields_map.items():
                if isinstance(
                    field, fields.relational.ForeignKeyFieldInstance | fields.relational.OneToOneFieldInstance
                ):
                    fk_columns.add(field.source_field)
                    if field.related_model is user_model:
                        yield f"{label}.{name}.{field_name}", model, field.source_field
                elif isinstance(field, fields.relational.ManyToManyFieldInstance):
                    if field.related_model is user_model:
                        yield f"{label}.{name}.{field_name}", model, f"{field_name}__id"
            for field_name, field in meta.fields_map.items():
                if (
                    isinstance(field, fields.IntField)
                    and not field.pk
                    and field_name not in fk_columns
                    and USER_ID_COLUMN.search(field_name)
                ):
                    yield f"{label}.{name}.{field_name}", model, field_name


def test_every_reference_to_a_person_is_walked() -> None:
    found = {key for key, _, _ in user_references()}
    unknown = sorted(found - set(REFERENCES))
    assert not unknown, (
        f"these models refer to a person but the part walk does not know them: {unknown}. "
        "Add each to REFERENCES in tests/test_parts.py (export section, erase behaviour) and "
        "write a row of it in its part's fill factory (FILLS)."
    )
    gone = sorted(set(REFERENCES) - found)
    assert not gone, f"REFERENCES lists references that no installed model has any more: {gone}"


def test_every_part_with_references_has_a_fill_factory() -> None:
    owners = {key.split(".", 1)[0] for key in REFERENCES}
    assert owners <= set(FILLS), f"parts without a fill factory: {sorted(owners - set(FILLS))}"
    installed = set(parts.installed().names)
    assert set(FILLS) <= installed, f"fill factories of parts that are not installed: {sorted(set(FILLS) - installed)}"


# --- the fill factories: one row of each referring model, for ``person`` ------------------------


async def make_person() -> User:
    """The person whose data is walked: staff of every kind, so that the traces staff leave
    (decisions, check-ins, moderation, the audit log) are walked too."""
    person = await make_user(roles=(Role.ADMIN, Role.MODERATOR, Role.FACILITATOR, Role.SPACE_MANAGER), two_factor=False)
    await accounts.services.load_roles(person)
    await make_user(roles=(Role.ADMIN,))  # the person is not the last admin: they may leave
    return person


async def fill_tierslieu(person: User) -> None:
    await mail.send(person, "accounts/password_changed", {}, kind="account")  # optional kind
    sent = await mail.send(person, "accounts/password_changed", {})  # security, already sent
    assert sent is not None
    await type(sent).filter(id=sent.id).update(sent_at=sent.created_at)
    # the legal pages are written by their page (tierslieu/routes.py), which has no service
    await SitePage.create(
        slug="privacy",
        locale="fr",
        title="Confidentialité",
        body_markdown="x",
        body_html="<p>x</p>",
        updated_by_id=person.id,
    )


async def fill_accounts(person: User) -> None:
    settings = make_settings()
    await accounts.services.start_session(person, "203.0.113.9", "walk", settings)
    await accounts.services.issue_one_time_token(person, TokenPurpose.VERIFY_EMAIL, timedelta(hours=1))
    secret = await two_factor.start_enrolment(person, SECRET_KEY)
    await two_factor.confirm_enrolment(person, pyotp.TOTP(secret).now(), secret_key=SECRET_KEY)  # recovery codes
    await accounts.services.create_api_token(person, "script")  # staff need the second factor first
    await two_factor.begin_pending_login(person, "/")
    other_admin = await make_user(roles=(Role.ADMIN,))
    await accounts.services.load_roles(other_admin)
    await staff.set_roles(person, await make_user(), {"mentor"}, "walk")  # person acts
    await staff.set_roles(other_admin, person, {*person.role_names, "coordinator"} - {"member"}, "walk")  # type: ignore[attr-defined]


async def fill_notifications(person: User) -> None:
    other = await make_user()
    await make_notification(person, actor=other)
    await make_notification(other, actor=person)
    kind = next(iter(parts.installed().notification_kinds))
    await notifications_services.set_preferences(person, {kind: "never"})


async def fill_bookings(person: User) -> None:
    day = next_monday()
    room = await make_room()
    await bookings_services.create_booking(person, room.id, at(day, "10:00"), at(day, "11:00"), "Réunion du club")
    await bookings_services.create_series(
        person, room.id, ["mon"], "14:00", "15:00", next_monday(2), 2, None, "Atelier hebdo"
    )
    gated = await make_room(requires_approval=True)
    asking = await make_user()
    pending = await bookings_services.create_booking(asking, gated.id, at(day, "10:00"), at(day, "11:00"), "Répétition")
    await bookings_services.decide_booking(person, pending.id, True)


async def fill_events(person: User) -> None:
    mine = await make_event(facilitator=person)  # created_by and Facilitator
    attendee = await make_user()
    await events_services.register(attendee, mine.id)
    await events_services.record_attendance(person, mine.id, attendee.id)  # checked_by
    theirs = await make_event(starts_at=soon(days=12))
    await events_services.register(person, theirs.id)
    await events_services.record_attendance(theirs.facilitator, theirs.id, person.id)  # type: ignore[attr-defined]
    # giving feedback waits for the event's end: written directly, as the service would
    await Feedback.create(event_id=theirs.id, user_id=person.id, rating=4, comment="Très utile, merci.")


async def fill_forum(person: User) -> None:
    mine = await make_topic(person)  # Topic and Post, and a Watch of one's own topic
    opening = await Post.get(topic_id=mine.id, number=1)
    await forum_services.edit_post(person, opening.id, PostEdit(body="Précision : en seconde."))  # PostRevision
    theirs = await make_topic()
    answer = await make_reply(theirs)
    await forum_services.vote(person, answer.id, 1)
    await moderation.flag_post(person, answer.id, "Hors sujet.")
    flagged = await make_reply(theirs)
    flag = await moderation.flag_post(await make_user(), flagged.id, "Publicité.")
    await moderation.resolve_flag(person, flag.id, "dismiss", "Rien à redire.")  # resolved_by, ModerationEntry
    await reading.mark_read(person, theirs, [1, 2], 0)
    await mentions.refresh_names()  # MentionName


async def fill_badges(person: User) -> None:
    creator = await make_user(roles=(Role.FACILITATOR,))
    theirs = await make_badge_class(creator)
    await badges_services.award_badge(creator, theirs.id, AwardCreate(user_id=person.id, evidence="Projet"))
    await badges_services.on_mentoring_completed(
        Happening("mentoring.completed", {"relationship_id": 9001, "mentor_id": person.id, "mentee_id": creator.id})
    )
    await badges_services.on_mentoring_completed(
        Happening("mentoring.completed", {"relationship_id": 9002, "mentor_id": creator.id, "mentee_id": person.id})
    )
    mine = await make_badge_class(person)  # created_by
    event = await make_event(facilitator=person, starts_at=soon(days=14))
    await badges_services.link_event(person, mine.id, EventLinkCreate(event_id=event.id))  # linked_by
    given = await badges_services.award_badge(person, mine.id, AwardCreate(user_id=creator.id))  # awarded_by
    await badges_services.revoke(person, given.id, "Erreur")  # revoked_by


async def fill_helpdesk(person: User) -> None:
    await UserRole.get_or_create(user_id=person.id, role=Role.HELPER)
    await accounts.services.load_roles(person)
    room = await make_helpdesk_room()
    mine = await helpdesk_services.create_hours(person, helpdesk_hours(format="onsite", room_id=room.id, join_url=""))
    other_helper = await make_helper()
    theirs = await make_helpdesk_hours(other_helper)
    visitor = await make_user()
    day = helpdesk_day("wed")
    for hours, who, hhmm in ((mine, visitor, "14:00"), (mine, visitor, "14:30"), (theirs, person, "15:00")):
        await helpdesk_services.book_appointment(
            who,
            AppointmentCreate(
                helper_id=hours.helper_id,
                slot_starts_at=helpdesk_at(day, hhmm),
                topic="python",
                need="Aide",
                format=hours.format,
            ),
        )
    given = await Appointment.filter(helper_id=person.id).order_by("starts_at").first()
    await helpdesk_services.cancel_appointment(person, given.id)
    await helpdesk_services.join_waiting_list(person, "reseaux")
    far = helpdesk_day("mon", weeks=20)
    await helpdesk_services.add_absence(person, AbsenceCreate(first_day=far, last_day=far, reason="Congés"))


async def fill_mentoring(person: User) -> None:
    await UserRole.create(user=person, role=Role.MENTOR)
    await accounts.services.load_roles(person)
    await mentoring_services.save_profile(
        person,
        MentorProfileIn(skills=["nsi"], languages=["fr"], formats=["online", "onsite"], max_mentees=3, bio="Mentor"),
    )
    wanted = {"topic": "CAPES NSI", "skills": ["nsi"], "languages": ["fr"], "format": "any"}
    # the person mentors someone: offer, thread, report, private notes, a session
    mentee = await make_user()
    mentored = await mentoring_services.create_request(mentee, RequestIn(**wanted))
    await mentoring_services.offer(mentee, mentored.id, person.id)
    await mentoring_services.accept(person, mentored.id)
    await mentoring_services.post_message(person, mentored.id, "Bonjour !")
    theirs = await mentoring_services.post_message(mentee, mentored.id, "Bonjour, merci.")
    await mentoring_services.report_message(person, mentored.id, theirs.id, "test")
    await mentoring_services.save_private_notes(person, mentored.id, "Motivé.")
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    await mentoring_services.schedule_session(
        person,
        mentored.id,
        SessionIn(starts_at=starts, ends_at=starts + timedelta(hours=1), format="online", link="https://example.org/v"),
    )
    # someone the person mentors blocks them
    blocking = await make_user()
    second = await mentoring_services.create_request(blocking, RequestIn(**wanted))
    await mentoring_services.offer(blocking, second.id, person.id)
    await mentoring_services.accept(person, second.id)
    await mentoring_services.block(blocking, second.id)
    # the person asks for mentoring, offers the request, closes it, and blocks another mentor
    for closing in (True, False):
        mentor = await make_user(roles=(Role.MENTOR,))
        await mentoring_services.save_profile(
            mentor, MentorProfileIn(skills=["nsi"], languages=["fr"], formats=["online"], max_mentees=1)
        )
        mine = await mentoring_services.create_request(person, RequestIn(**wanted))
        await mentoring_services.offer(person, mine.id, mentor.id)
        await mentoring_services.accept(mentor, mine.id)
        if closing:
            await mentoring_services.close(person, mine.id, "completed", 5, "Merci !")
        else:
            await mentoring_services.block(person, mine.id)


FILLS: dict[str, Callable[[User], Awaitable[None]]] = {
    "tierslieu": fill_tierslieu,
    "accounts": fill_accounts,
    "notifications": fill_notifications,
    "bookings": fill_bookings,
    "events": fill_events,
    "badges": fill_badges,
    "forum": fill_forum,
    "helpdesk": fill_helpdesk,
    "mentoring": fill_mentoring,
}


def _model_and_column(key: str) -> tuple[type[Model], str]:
    for found, model, column in user_references():
        if found == key:
            return model, column
    raise LookupError(key)


def _at(data: Any, path: tuple[str, ...]) -> Any:
    for step in path:
        if not isinstance(data, dict) or step not in data:
            return None
        data = data[step]
    return data


def _cases(with_export: bool) -> list[str]:
    return [key for key, ref in REFERENCES.items() if not (with_export and ref.export is None)]


async def test_a_fill_writes_a_row_of_each_of_its_models() -> None:
    person = await make_person()
    for fill in FILLS.values():
        await fill(person)
    empty = []
    for key in REFERENCES:
        model, column = _model_and_column(key)
        if not await model.filter(**{column: person.id}).exists():
            empty.append(key)
    assert not empty, f"the fill factories wrote no row for {empty}"


@pytest.mark.parametrize("section", sorted({ref.export[0] for ref in REFERENCES.values() if ref.export}))
async def test_each_part_has_a_non_empty_section_of_the_export(section: str) -> None:
    person = await make_person()
    owner = next(key.split(".", 1)[0] for key, ref in REFERENCES.items() if ref.export and ref.export[0] == section)
    await FILLS[owner](person)
    data = await accounts.services.export_personal_data(person)
    assert data.get(section), f"section {section!r} of the export is empty: {data.get(section)!r}"
    json.dumps(data, default=str)  # it can be served as a JSON download


@pytest.mark.parametrize("key", _cases(with_export=True))
async def test_the_export_shows_the_rows(key: str) -> None:
    ref = REFERENCES[key]
    assert ref.export is not None
    person = await make_person()
    await FILLS[key.split(".", 1)[0]](person)
    data = await accounts.services.export_personal_data(person)
    shown = _at(data, ref.export)
    assert shown not in (None, [], {}, "", 0), f"{key}: nothing at {'/'.join(ref.export)} in the export"


@pytest.mark.parametrize("key", _cases(with_export=False))
async def test_deleting_the_account_leaves_no_personal_reference(key: str) -> None:
    ref = REFERENCES[key]
    person = await make_person()
    await FILLS[key.split(".", 1)[0]](person)
    model, column = _model_and_column(key)
    before = await model.all().count()
    name, email = person.display_name, person.email
    await accounts.services.delete_account(person, PASSWORD, limiter=RateLimiter.create())
    pointing = model.filter(**{column: person.id})
    if ref.kept:
        pointing = pointing.exclude(**ref.kept)
    left = await pointing.count()
    if ref.erase == DELETED:
        assert left == 0, f"{key}: {left} row(s) still point to the deleted person"
    elif ref.erase == CLEARED:
        assert left == 0, f"{key}: {left} row(s) still point to the deleted person"
        assert await model.all().count() == before, f"{key}: rows were deleted, not cleared"
    else:
        assert ref.erase == ANONYMISED, ref.erase
        assert left > 0, f"{key} is documented as kept under the anonymised name, but it went: update REFERENCES"
        account = await _user_model().get(id=person.id)
        assert account.deleted_at is not None  # type: ignore[attr-defined]
        assert account.email.endswith("@deleted.invalid")  # type: ignore[attr-defined]
        assert account.display_name != name  # type: ignore[attr-defined]
        assert account.email != email  # type: ignore[attr-defined]
        assert account.bio == ""  # type: ignore[attr-defined]


# --- 2. a part left out leaves nothing behind -----------------------------------------------------

LEFT_OUT = [part.name for part in tierslieu.app.PARTS if part.name != "accounts"]
# accounts is not optional: the composition root hands the kernel the accounts part's
# identity (sessions, tokens, calendar owners, mail recipients, the two-step gate), and every
# other part refers to its users; an installation without it has no one to serve.


@pytest.fixture
def restore_installation() -> Iterator[None]:
    yield
    # kernel services read a process-wide installation, URL table and hub: build them again
    tierslieu.app.create_app(make_settings(), init_database=False)


def _walk(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str | None, Any]]:
    for route in routes:
        if isinstance(route, Mount) and route.routes:
            yield from _walk(route.routes, prefix + route.path)
        elif isinstance(route, Route | WebSocketRoute | Mount):
            yield prefix + route.path, route.name, getattr(route, "endpoint", None) or getattr(route, "app", None)


def _module(thing: Any) -> str:
    return getattr(thing, "__module__", "") or ""


def _of(name: str, thing: Any) -> bool:
    module = _module(thing)
    return module == name or module.startswith(f"{name}.")


@pytest.mark.parametrize("name", LEFT_OUT)
async def test_a_part_left_out_leaves_nothing_behind(name: str, restore_installation: None) -> None:
    full_app = tierslieu.app.create_app(make_settings(), init_database=False)
    full = parts.installed()
    part = next(p for p in full.parts if p.name == name)
    its_paths = {path for path, _, endpoint in _walk(full_app.routes) if _of(name, endpoint)}

    app = tierslieu.app.create_app(
        make_settings(), installed=tuple(p for p in tierslieu.app.PARTS if p.name != name), init_database=False
    )
    setup = parts.installed()
    assert name not in setup.names

    routes = list(_walk(app.routes))
    assert not [r for r in routes if (r[1] or "").startswith(f"{name}:")], "routes named after the part"
    assert not [r for r in routes if _of(name, r[2])], "routes served by the part's modules"
    assert not its_paths & {path for path, _, _ in routes}, "paths of the part"
    api = mounted_api_routes(app.routes)
    assert not [r for r in api if _of(name, getattr(r, "endpoint", None))], "API routes of the part"

    assert not set(part.channels) & set(setup.channels), "live channel prefixes"
    assert not [check for check in setup.channels.values() if _of(name, check)]
    assert name not in [owner for owner, _ in setup.calendars()], "calendar provider"
    assert not [p for _, p in setup.calendars() if _of(name, p.items)]
    assert not {kind.name for kind in part.mail_kinds} & set(setup.mail_kinds), "mail kinds"
    assert not {kind.name for kind in part.mail_kinds} & {kind.name for kind in mail.kinds()}
    assert not set(part.mail_composers) & set(setup.mail_composers), "mail composers"
    assert not [kind for kind in setup.notification_kinds if kind.startswith(f"{name}.")], "notification kinds"
    assert not {kind.name for kind in part.notification_kinds} & set(setup.notification_kinds)
    assert not [h for h in setup.happenings() if h.startswith(f"{name}.")], "happenings announced"
    assert not [listener for ls in setup.listeners.values() for listener in ls if _of(name, listener)], "listeners"
    jobs = [start for p in setup.parts for start in p.jobs]
    assert not set(part.jobs) & set(jobs), "jobs"
    assert not [job for job in jobs if _of(name, job)]
    hooks = [hook for p in setup.parts for hook in p.page_hooks]
    assert not [hook for hook in hooks if _of(name, hook)], "page hooks"
    panels = [panel for p in setup.parts for panel in p.home_panels]
    assert not [panel for panel in panels if panel.template.startswith(f"{name}/") or _of(name, panel.context)]

    commands = set(cli.build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert not {command.name for command in part.commands} & commands, "CLI commands"

    document = json.dumps(build_document(api, "http://testserver"))
    own_codes = set(part.error_codes) - {c for p in setup.parts for c in p.error_codes}
    assert not [code for code in own_codes if f"`{code}`" in document], "error codes in the OpenAPI document"
    assert not [path for path in json.loads(document)["paths"] if path in its_paths], "paths in the OpenAPI document"


@pytest.mark.parametrize("name", LEFT_OUT)
async def test_the_site_still_serves_pages_without_a_part(name: str, restore_installation: None) -> None:
    import httpx

    app = tierslieu.app.create_app(
        make_settings(), installed=tuple(p for p in tierslieu.app.PARTS if p.name != name), init_database=False
    )
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        for path in ("/", "/login", "/api/v1/openapi.json", "/healthz"):
            response = await http.get(path)
            assert response.status_code == 200, f"{path} without {name}: {response.status_code}"


# --- 3. a part's services load no routes ----------------------------------------------------------

SERVICES_OF = ["accounts", "notifications", "bookings", "events", "forum"]
PROJECT = ("tierslieu", "accounts", "notifications", "bookings", "events", "forum", "mentoring", "helpdesk", "badges")


def _loaded_by(module: str) -> list[str]:
    """The routes, API and manifest modules of the project that importing ``module`` loads,
    in a fresh interpreter (third-party modules such as ``aiosmtplib.api`` left aside)."""
    code = (
        f"import {module}, sys; "
        "print('\\n'.join(sorted(m for m in sys.modules if m.endswith(('.routes', '.api', '.part')))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return [line for line in result.stdout.split() if line.split(".", 1)[0] in PROJECT]


@pytest.mark.parametrize("name", SERVICES_OF)
def test_importing_services_loads_no_routes_of_any_part(name: str) -> None:
    loaded = [module for module in _loaded_by(f"{name}.services") if not module.startswith("tierslieu.")]
    assert loaded == [], f"import {name}.services loads {loaded}"


def test_the_kernel_services_load_no_routes() -> None:
    assert _loaded_by("tierslieu.mail") == []
