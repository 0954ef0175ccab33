"""Domain errors: raised by services, turned into a page or a JSON body once, in app.py.

Messages are English message ids, translated when the response is rendered, so the
same error reads in French or English depending on who receives it.
"""

from __future__ import annotations

from typing import Any

from tierslieu.i18n import Message


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later, at rendering time."""
    return message


class DomainError(Exception):
    status = 422

    def __init__(
        self,
        code: str,
        message: str,
        status: int | None = None,
        fields: dict[str, str | Message] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.fields = fields or {}
        self.params = params


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404

    def __init__(
        self,
        code: str = "not_found",
        message: str = N_("This page does not exist or is not visible to you."),
        **kwargs: Any,
    ) -> None:
        super().__init__(code, message, **kwargs)


class Gone(DomainError):
    status = 410


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    """Broken rules or invalid fields (422); ``fields`` maps a field to its message."""

    status = 422


class TooManyRequests(DomainError):
    status = 429

    def __init__(
        self,
        retry_after: int,
        code: str = "rate_limited",
        message: str = N_("Too many attempts. Please wait a few minutes and try again."),
        **kwargs: Any,
    ) -> None:
        super().__init__(code, message, **kwargs)
        self.retry_after = retry_after


class ServiceUnavailable(DomainError):
    """The database cannot be reached for now (503): the answer says when to try again."""

    status = 503

    def __init__(
        self,
        retry_after: int = 10,
        code: str = "unavailable",
        message: str = N_(
            "The service is briefly unavailable, for maintenance or a technical problem. "
            "Nothing you sent has been lost; please try again in a few moments."
        ),
        **kwargs: Any,
    ) -> None:
        super().__init__(code, message, **kwargs)
        self.retry_after = retry_after


ERROR_CODES: dict[str, str] = {
    "bad_request": "The body is not valid JSON.",
    "unauthorized": "You need to sign in.",
    "forbidden": "You may not do this.",
    "csrf_failed": "The form expired or came from another site.",
    "not_found": "Not found, or not visible to you.",
    "method_not_allowed": "This method is not allowed here.",
    "conflict": "Conflicts with the current state.",
    "gone": "Revoked or no longer available.",
    "too_large": "The request body is too large.",
    "invalid": "Missing or invalid fields.",
    "rate_limited": "Too many attempts.",
    "server_error": "Unexpected error.",
    "unavailable": "The database cannot be reached for now; try again after Retry-After seconds.",
}
"""The kernel's own ``error.code`` values with a short meaning; each part's manifest adds its
own (``Part.error_codes``), and the OpenAPI document lists them all."""
