"""The bookings part's manifest: rooms, opening hours, closures and bookings that never overlap."""

from __future__ import annotations

from bookings import demo, personal_feed, routes, services
from tierslieu.errors import N_
from tierslieu.parts import CalendarProvider, MailKind, NavLink, Panel, Part, PersonalData

part = Part(
    name="bookings",
    models=True,
    routes=routes.routes,
    api_routes=routes.api_routes,
    jobs=services.jobs,
    personal_data=PersonalData("bookings", services.export_personal_data, services.erase_personal_data),
    calendar=CalendarProvider(personal_feed.personal_items, personal_feed.personal_version),
    channels={"room": services.can_read_room},
    mail_kinds=[MailKind(services.MAIL_KIND, N_("My room bookings: confirmations, decisions and releases"))],
    mail_composers={services.CONFIRMED_MAIL: services.compose_confirmed},
    notification_kinds=services.NOTIFICATION_KINDS,
    error_codes={"booking_overlap": "The room is already booked at this time (the message says when)."},
    navigation=[NavLink("bookings:rooms", N_("Rooms"), "/rooms")],
    demo=demo.run,
    figures=services.figures,
    research=services.research,
    home_panels=[
        Panel("bookings/_home_mine.html", services.my_next_bookings_panel),
        Panel("bookings/_home_visit.html", services.visit_panel),
    ],
)
