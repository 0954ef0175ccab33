"""The badges part's manifest: micro-certificates (Open Badges 2.0) with hosted verification.

It listens to ``events.attendance_recorded`` (awards on attendance) and to
``mentoring.completed`` (the mentor may then award the mentee a badge)."""

from __future__ import annotations

from badges import demo, routes, services
from tierslieu.errors import N_
from tierslieu.parts import INAPP, NEVER, MailKind, NavLink, NotificationKind, Part, PersonalData

part = Part(
    name="badges",
    models=True,
    routes=routes.routes,
    api_routes=routes.api_routes,
    personal_data=PersonalData(
        "badges", services.export_personal_data, services.erase_personal_data, choice=services.DELETION_CHOICE
    ),
    mail_kinds=[MailKind(services.MAIL_KIND, N_("My badges: the badges I earn"))],
    # the award's mail (with its share link) is the badges mail kind's: in-app only here
    notification_kinds=[NotificationKind(services.AWARDED, N_("Badges: a badge I earned"), INAPP, (INAPP, NEVER))],
    error_codes={
        "already_awarded": "This person already holds this badge.",
        "already_revoked": "This award is already revoked.",
        "already_linked": "This event is already linked to this badge class.",
        "revoked": "The assertion was revoked: the body says why (revocationReason).",
    },
    navigation=[NavLink("badges:index", N_("Badges"), "/badges")],
    demo=demo.run,
    figures=services.figures,
    research=services.research,
    listens={
        "events.attendance_recorded": services.on_attendance_recorded,
        "mentoring.completed": services.on_mentoring_completed,
    },
)
