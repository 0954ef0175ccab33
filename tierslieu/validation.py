"""Field validators shared by every part's forms.

Messages are English message ids, translated when the error is shown
(``tierslieu.responses.validation_error`` reads ``message_id`` from the error context).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from tierslieu import i18n
from tierslieu.errors import N_


def custom_error(message: str, **ctx: object) -> PydanticCustomError:
    """A validation error whose message is the message id ``message``."""
    return PydanticCustomError("custom", message, {"message_id": message, **ctx})


def valid_timezone(value: str) -> str:
    """An IANA time zone name, such as Europe/Paris or Africa/Dakar."""
    if not i18n.is_timezone(value):
        raise custom_error(N_("Choose a time zone from the list, like Europe/Paris or Africa/Dakar."))
    return value


Timezone = Annotated[str, Field(max_length=64), AfterValidator(valid_timezone)]

MAX_ID = 2**31 - 1
"""The largest row id: primary keys are 32-bit integers (``IntField``, ``serial`` on PostgreSQL).
A larger number cannot name a row, and the database drivers refuse to bind it."""

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""The id of a row, given in a JSON body: out of range is an invalid field (422), not a
server error."""


def parse_int(text: object, *, low: int, high: int) -> int | None:
    """``text`` as an integer from ``low`` to ``high``, or None: only ASCII digits, with an
    optional minus sign, count (``str.isdigit()`` also accepts "²", which ``int()`` refuses,
    and a number past the database's integers cannot be bound)."""
    if not isinstance(text, str) or not text.isascii() or len(text) > 20:
        return None
    digits = text.removeprefix("-")
    if not digits.isdigit():
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_id(text: object) -> int | None:
    """``text`` as the id of a row (1 to :data:`MAX_ID`), or None."""
    return parse_int(text, low=1, high=MAX_ID)
