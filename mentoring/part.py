"""The mentoring part's manifest: mentor profiles, requests and ranked suggestions,
offers one mentor at a time, relationships with their thread, sessions, goals and notes."""

from __future__ import annotations

from mentoring import demo, routes, services
from tierslieu.errors import N_
from tierslieu.parts import CalendarProvider, MailKind, NavLink, Part, PersonalData

part = Part(
    name="mentoring",
    models=True,
    routes=routes.routes,
    api_routes=routes.api_routes,
    jobs=services.jobs,
    personal_data=PersonalData("mentoring", services.export_personal_data, services.erase_personal_data),
    calendar=CalendarProvider(services.personal_items, services.personal_version),
    channels={"mentoring": services.can_read_channel},
    mail_kinds=[MailKind(services.MAIL_KIND, N_("My mentoring sessions: booked, moved and cancelled"))],
    notification_kinds=services.NOTIFICATION_KINDS,
    error_codes={
        "too_many_requests_open": "At most 3 open mentoring requests per person.",
        "already_offered": "The request is already offered to a mentor, who has not answered yet.",
        "already_answered": "The offer has already been answered (accepted, declined or lapsed).",
        "already_renewed": "A request can be renewed once.",
        "already_reported": "The message has already been reported.",
        "mentor_full": "The mentor has no free place.",
        "mentor_paused": "The mentor is taking a break.",
        "mentor_unavailable": "The mentor does not fit the request (language, format, times, or already asked).",
        "not_a_mentor": "The person is not an active mentor.",
        "relationship_closed": "The mentoring relationship is closed.",
        "session_overlap": "The mentor already has a session at this time.",
        "outside_availability": "The time is outside the mentor's weekly availability.",
    },
    navigation=[NavLink("mentoring:home", N_("Mentoring"), "/mentoring")],
    demo=demo.run,
    figures=services.figures,
    research=services.research,
    announces=[services.COMPLETED],
)
