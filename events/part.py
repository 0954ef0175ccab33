"""The events part's manifest: webinars, intensive weeks and weekend sessions, registration with
a waiting list, attendance, feeds and reminders."""

from __future__ import annotations

from events import calendar, demo, routes, services
from tierslieu.errors import N_
from tierslieu.parts import CalendarProvider, MailKind, NavLink, Panel, Part, PersonalData

part = Part(
    name="events",
    models=True,
    routes=routes.routes,
    api_routes=routes.api_routes,
    jobs=services.jobs,
    personal_data=PersonalData("events", services.export_personal_data, services.erase_personal_data),
    calendar=CalendarProvider(calendar.personal_items, calendar.personal_version),
    channels={"event": services.can_read_event},
    mail_kinds=[MailKind(services.MAIL_KIND, N_("My events: registrations, waiting list, changes and reminders"))],
    notification_kinds=services.NOTIFICATION_KINDS,
    error_codes={
        "already_registered": "This person is already registered for the event.",
        "registration_closed": "Registration is not open for this event.",
        "event_cancelled": "The event has been cancelled.",
        "not_registered": "This person is not registered for the event.",
        "nonexistent_time": "A local time skipped by a DST change.",
        "ambiguous_time": "A local time that happens twice at a DST change.",
    },
    navigation=[NavLink("events:list", N_("Events"), "/events")],
    demo=demo.run,
    home_panels=[
        Panel("events/_home_mine.html", services.my_panel),
        Panel("events/_home_upcoming.html", services.upcoming_panel),
    ],
    figures=services.figures,
    research=services.research,
    announces=[services.ATTENDANCE_RECORDED],
)
