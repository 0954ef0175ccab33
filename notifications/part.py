"""The notifications part's manifest."""

from __future__ import annotations

from notifications import api, routes, services
from tierslieu.errors import N_
from tierslieu.parts import MailKind, Part, PersonalData

part = Part(
    name="notifications",
    models=True,
    routes=routes.routes,
    api_routes=api.routes,
    jobs=services.jobs,
    personal_data=PersonalData("notifications", services.export, services.erase),
    page_hooks=[routes.page_context],
    mail_kinds=[MailKind(services.MAIL_KIND, N_("Notifications: mails at once and daily digests"))],
)
