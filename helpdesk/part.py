"""The help desk's manifest: duty hours split into appointment slots, booking a slot (never
two per slot), on site at the desk or online, the helper's agenda and follow-up notes."""

from __future__ import annotations

from helpdesk import api, calendar, demo, routes, services
from tierslieu.errors import N_
from tierslieu.parts import CalendarProvider, MailKind, NavLink, Part, PersonalData

part = Part(
    name="helpdesk",
    models=True,
    routes=routes.routes,
    api_routes=api.routes,
    jobs=services.jobs,
    personal_data=PersonalData("helpdesk", services.export_personal_data, services.erase_personal_data),
    calendar=CalendarProvider(calendar.personal_items, calendar.personal_version),
    channels={"helpdesk": services.can_read_channel},
    mail_kinds=[MailKind(services.MAIL_KIND, N_("My help-desk appointments: confirmations, changes and reminders"))],
    notification_kinds=services.NOTIFICATION_KINDS,
    error_codes={
        "slot_taken": "The slot was taken by someone else; the body lists the next free slots.",
        "slot_past": "The slot is in the past.",
        "outside_hours": "The time is not a slot of the helper's duty hours.",
        "helper_away": "The helper is away at this time (an exception to the duty hours).",
        "topic_not_covered": "The helper does not cover this topic in these hours.",
        "wrong_format": "The slot is on site only or online only.",
        "too_many_appointments": "The person already has 2 upcoming appointments.",
        "own_hours": "A helper cannot book their own hours.",
        "too_late": "Moving closes 2 hours before the start.",
        "not_booked": "The appointment is no longer booked.",
        "already_started": "The appointment has already started.",
        "not_started": "The appointment has not started yet.",
        "hours_overlap": "The helper already holds hours at that time.",
    },
    navigation=[NavLink("helpdesk:home", N_("Help desk"), "/helpdesk")],
    demo=demo.run,
    figures=services.figures,
    research=services.research,
)
