"""Events, their programme of sessions, registrations and attendance."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Kind(StrEnum):
    WEBINAR = "webinar"
    INTENSIVE_WEEK = "intensive_week"
    WEEKEND = "weekend"
    WORKSHOP = "workshop"


class Mode(StrEnum):
    ONLINE = "online"
    ONSITE = "onsite"
    HYBRID = "hybrid"


class Language(StrEnum):
    FR = "fr"
    EN = "en"
    INTERPRETED = "interpreted"


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Place(StrEnum):
    ONSITE = "onsite"
    ONLINE = "online"


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Event(Model):
    # An event with its programme. Seats: `capacity` counts the places of the event's
    # main kind (on site for on-site and hybrid events, online for online ones);
    # `online_capacity` the online places of a hybrid event. `confirmed_count` and
    # `online_confirmed_count` are kept with the registrations in one transaction, and
    # the database refuses a count above its capacity (migration 0002).
    # (No docstrings on models: Tortoise copies them into SQL comments unescaped.)

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    kind = fields.CharEnumField(Kind, max_length=20)
    mode = fields.CharEnumField(Mode, max_length=10)
    language = fields.CharEnumField(Language, max_length=12, default=Language.FR)
    description = fields.TextField(default="")
    timezone = fields.CharField(max_length=64, default="Europe/Paris")
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    capacity = fields.IntField()
    online_capacity = fields.IntField(default=0)
    confirmed_count = fields.IntField(default=0)
    online_confirmed_count = fields.IntField(default=0)
    waitlist_ticket = fields.IntField(default=0)
    registration_opens_at = fields.DatetimeField()
    registration_closes_at = fields.DatetimeField()
    status = fields.CharEnumField(EventStatus, max_length=10, default=EventStatus.PUBLISHED)
    room_id = fields.IntField(null=True)
    join_url = fields.CharField(max_length=500, default="")
    badge_class_id = fields.IntField(null=True)
    series_key = fields.CharField(max_length=36, null=True, db_index=True)
    created_by = fields.ForeignKeyField(
        "accounts.User", related_name="created_events", null=True, on_delete=fields.SET_NULL
    )
    sequence = fields.IntField(default=0)
    cancelled_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    facilitators: fields.ReverseRelation[Facilitator]
    sessions: fields.ReverseRelation[Session]
    registrations: fields.ReverseRelation[Registration]

    class Meta:
        table = "events_event"
        ordering = ("starts_at", "id")
        indexes = (("status", "starts_at"),)

    def __str__(self) -> str:
        return self.title


class Facilitator(Model):
    # A person running an event; an event has one or more.

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "events.Event", related_name="facilitators", on_delete=fields.CASCADE
    )
    user = fields.ForeignKeyField("accounts.User", related_name="facilitated_events", on_delete=fields.CASCADE)

    class Meta:
        table = "events_facilitator"
        unique_together = (("event", "user"),)


class Session(Model):
    # One item of an event's programme; an on-site session holds a room booking made
    # through bookings.services (booking_id), released when the session goes.

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "events.Event", related_name="sessions", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=200)
    speaker = fields.CharField(max_length=200, default="")
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    room_id = fields.IntField(null=True)
    booking_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "events_session"
        ordering = ("starts_at", "id")
        indexes = (("event_id", "starts_at"),)


class RemovedEntry(Model):
    # A calendar entry an event no longer shows: a session taken out of its programme, or the
    # event's single entry once its programme shows sessions (session_id null). The feeds
    # keep it as CANCELLED for 30 days, so that calendars holding its UID drop it (see
    # events/calendar.py); it goes when the entry comes back. A migration adds the
    # uniqueness of the null one (SQL counts no two nulls equal).

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "events.Event", related_name="removed_entries", on_delete=fields.CASCADE
    )
    session_id = fields.IntField(null=True)
    title = fields.CharField(max_length=200, default="")
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    removed_at = fields.DatetimeField()

    class Meta:
        table = "events_removed_entry"
        unique_together = (("event", "session_id"),)


class Registration(Model):
    # One per person per event. Waiting people are served in the order of their
    # ticket (a counter on the event, taken under the event's row lock); a position
    # is the rank of a ticket among the waiting ones.

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "events.Event", related_name="registrations", on_delete=fields.CASCADE
    )
    user = fields.ForeignKeyField("accounts.User", related_name="event_registrations", on_delete=fields.CASCADE)
    place = fields.CharEnumField(Place, max_length=10, default=Place.ONSITE)
    status = fields.CharEnumField(RegistrationStatus, max_length=10)
    ticket = fields.IntField(null=True)
    confirmed_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)
    reminded_at = fields.DatetimeField(null=True)
    feedback_requested_at = fields.DatetimeField(null=True)
    sequence = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "events_registration"
        unique_together = (("event", "user"),)
        indexes = (("event_id", "status", "ticket"),)


class Attendance(Model):
    # A person checked in by a facilitator, for one session (or the whole event when
    # session is null); kept for micro-certificates.

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "events.Event", related_name="attendances", on_delete=fields.CASCADE
    )
    session: fields.ForeignKeyNullableRelation[Session] = fields.ForeignKeyField(
        "events.Session", related_name="attendances", null=True, on_delete=fields.CASCADE
    )
    user = fields.ForeignKeyField("accounts.User", related_name="event_attendances", on_delete=fields.CASCADE)
    checked_by_id = fields.IntField(null=True)
    checked_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "events_attendance"
        unique_together = (("event", "session", "user"),)


class Feedback(Model):
    # What an attendee thought of an event, asked for once it is over.

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "events.Event", related_name="feedback", on_delete=fields.CASCADE
    )
    user = fields.ForeignKeyField("accounts.User", related_name="event_feedback", on_delete=fields.CASCADE)
    rating = fields.IntField()
    comment = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "events_feedback"
        unique_together = (("event", "user"),)
