"""The ``int`` of route paths (``/rooms/{room_id:int}``) matches only the ids a row can have.

Starlette's own ``int`` matches any run of digits, and a number past the database's 32-bit
integers then reaches the driver, which refuses to bind it (SQLite OverflowError, PostgreSQL
"out of range"): a 500. Here such a path matches no route, so it is the app's ordinary 404,
on pages and API alike, before any endpoint runs.

Starlette resolves a convertor when a ``Route`` is built, and the parts build theirs when
they are imported, so :func:`register` runs in ``tierslieu/__init__.py``, before any of them.
"""

from __future__ import annotations

from starlette.convertors import IntegerConvertor, register_url_convertor

from tierslieu.validation import MAX_ID


def digits_up_to(limit: int) -> str:
    """A regular expression for the integers 1 to ``limit`` written without leading zeros,
    made of plain ASCII digits ("[0-9]", not "\\d", which also matches "²" and "١")."""
    text = str(limit)
    choices = [f"[1-9][0-9]{{0,{len(text) - 2}}}"] if len(text) > 1 else []
    for position, digit in enumerate(text):
        lowest = 1 if position == 0 else 0
        if int(digit) > lowest:
            rest = len(text) - position - 1
            below = str(lowest) if int(digit) - 1 == lowest else f"[{lowest}-{int(digit) - 1}]"
            choices.append(text[:position] + below + (f"[0-9]{{{rest}}}" if rest else ""))
    choices.append(text)
    return "(?:" + "|".join(choices) + ")"


class IdConvertor(IntegerConvertor):
    """The id of a row: 1 to :data:`~tierslieu.validation.MAX_ID`."""

    low = 1
    high = MAX_ID
    regex = digits_up_to(MAX_ID)

    def to_string(self, value: int) -> str:
        # path_for() builds with it; 0 stays allowed, as with Starlette's int, for URL templates
        # such as bookings/api.py's path_for("bookings:detail", booking_id=0) (a prefix to reuse)
        value = int(value)
        assert 0 <= value <= self.high, f"No row can have the id {value}"
        return str(value)


def register() -> None:
    register_url_convertor("int", IdConvertor())
