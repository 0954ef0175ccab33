"""Input validation for accounts, shared by the HTML forms and the JSON API."""

from __future__ import annotations

from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from accounts.models import Motivation, Role
from tierslieu import i18n
from tierslieu.errors import N_
from tierslieu.validation import Timezone, custom_error

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024


def _email(value: str) -> str:
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise custom_error(N_("This is not a valid email address.")) from None
    return result.normalized.lower()


def _password(value: str) -> str:
    if len(value) < MIN_PASSWORD_LENGTH:
        raise custom_error(N_("Use at least 10 characters."))
    if not value.strip():
        raise custom_error(N_("This field is required."))
    return value


def _display_name(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise custom_error(N_("This field is required."))
    return value


def _locale(value: str) -> str:
    if value not in i18n.LOCALES:
        raise custom_error(N_("Choose French or English."))
    return value


Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]
NewPassword = Annotated[str, Field(max_length=MAX_PASSWORD_LENGTH), AfterValidator(_password)]
AnyPassword = Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]
DisplayName = Annotated[str, Field(max_length=80), AfterValidator(_display_name)]
Locale = Annotated[str, AfterValidator(_locale)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


class SignUp(Strict):
    email: Email
    password: NewPassword
    display_name: DisplayName


class Credentials(Strict):
    email: Annotated[str, Field(min_length=1, max_length=254)]
    password: AnyPassword
    otp: Annotated[str, Field(max_length=16)] | None = None


class TokenCreate(Credentials):
    name: Annotated[str, Field(max_length=80)] = "API"


class Profile(Strict):
    display_name: DisplayName
    bio: Annotated[str, Field(max_length=1000)] = ""
    locale: Locale = "fr"
    timezone: Timezone = i18n.DEFAULT_TIMEZONE
    motivation: Motivation | None = None


class PasswordChange(Strict):
    current_password: AnyPassword
    new_password: NewPassword


class EmailChange(Strict):
    password: AnyPassword
    new_email: Email


class ResetRequest(Strict):
    email: Annotated[str, Field(min_length=1, max_length=254)]


class PasswordReset(Strict):
    token: Annotated[str, Field(min_length=1, max_length=200)]
    new_password: NewPassword


class AccountDeletion(Strict):
    password: AnyPassword
    confirm: Annotated[bool, Field()] = False


class RolesUpdate(Strict):
    roles: Annotated[list[Role], Field(max_length=len(Role))]
    reason: Annotated[str, Field(max_length=500)] = ""


class Suspension(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class ApiTokenName(Strict):
    name: Annotated[str, Field(min_length=1, max_length=80)]


class SecondStep(Strict):
    code: Annotated[str, Field(min_length=1, max_length=64)]


class TwoFactorChange(Strict):
    # regenerating recovery codes or turning two-step sign-in off
    password: AnyPassword
    code: Annotated[str, Field(min_length=1, max_length=64)]


class TwoFactorReset(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=500)]
