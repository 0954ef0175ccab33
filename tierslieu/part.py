"""The kernel's own manifest, installed before every part: its tables (the mail outbox, the
site pages), its pages (home, legal pages, health, the personal calendar feed, unsubscribing),
the OpenAPI document, the ``user`` live channel and the mandatory ``security`` mails."""

from __future__ import annotations

from tierslieu import calendar, mail, realtime, routes
from tierslieu.errors import ERROR_CODES
from tierslieu.mail import routes as mail_routes
from tierslieu.parts import Part, PersonalData

part = Part(
    name="tierslieu",
    models=True,
    routes=[*routes.routes, *calendar.routes, *mail_routes.routes],
    api_routes=routes.api_routes,
    channels={"user": realtime.can_read_user},
    mail_kinds=[mail.SECURITY_KIND],
    error_codes=ERROR_CODES,
    personal_data=PersonalData("mails", mail.export_personal_data, mail.erase_personal_data),
)
