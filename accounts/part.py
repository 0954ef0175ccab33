"""The accounts part's manifest, and the identity it hands the kernel."""

from __future__ import annotations

from accounts import commands, demo, figures, permissions, routes, services, two_factor
from tierslieu.errors import N_
from tierslieu.identity import Identity, TwoStepGate
from tierslieu.parts import Command, MailKind, Part, PersonalData

part = Part(
    name="accounts",
    models=True,
    routes=routes.routes,
    api_routes=routes.api_routes,
    commands=[
        Command(
            "createadmin",
            "create an admin, or promote an existing account",
            commands.createadmin_arguments,
            commands.createadmin,
        )
    ],
    personal_data=PersonalData("account", services.export_account, services.erase_account),
    mail_kinds=[MailKind("account", N_("News about my account (roles and other changes)"))],
    error_codes={
        "bad_credentials": "Wrong email or password.",
        "otp_required": "A second-step code is needed.",
        "two_factor_required": "The role requires two-step sign-in: enrol first.",
        "email_taken": "An account already uses this email.",
        "last_admin": "The last admin cannot lose the admin role.",
        "token_invalid": "The link is invalid, used or expired.",
    },
    demo=demo.run,
    figures=figures.figures,
    research=figures.research,
)

identity = Identity(
    resolve_session=services.resolve_session,
    resolve_api_token=services.resolve_api_token,
    calendar_owner=services.user_for_calendar_token,
    find=services.find_active,
    mail_preference=services.chosen_mail_mode,
    set_mail_preference=services.store_mail_mode,
    can_edit_site_pages=permissions.can_edit_site_pages,
    two_step=TwoStepGate(
        is_open=two_factor.open_while_enrolling,
        enrolment_url=two_factor.enrolment_url,
        required_error=two_factor.required_error,
    ),
)
