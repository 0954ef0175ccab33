"""Read queries in the database's own SQL (always with bound parameters)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise import connections

from bookings.models import LIVE, MAX_BOOKING, Closure, Room
from tierslieu import db

# The live statuses in SQL, put in place of ``{live}`` below (constants of the code, not input)
LIVE_SQL = "status IN ({})".format(", ".join(f"'{status}'" for status in LIVE))


def _live(queries: dict[str, str]) -> dict[str, str]:
    return {dialect: sql.replace("{live}", LIVE_SQL) for dialect, sql in queries.items()}


# Minutes of live bookings of a person starting in [start, end): summed by the database
# instead of loading every row.
_BOOKED_MINUTES = _live(
    {
        "postgres": (
            "SELECT COALESCE(EXTRACT(EPOCH FROM SUM(ends_at - starts_at)) / 60, 0) AS minutes "
            "FROM bookings_booking WHERE user_id = $1 AND {live} "
            "AND starts_at >= $2 AND starts_at < $3"
        ),
        "sqlite": (
            "SELECT COALESCE(SUM((julianday(ends_at) - julianday(starts_at)) * 1440), 0) AS minutes "
            "FROM bookings_booking WHERE user_id = ? AND {live} "
            "AND starts_at >= ? AND starts_at < ?"
        ),
    }
)


async def booked_minutes(user_id: int, start: datetime, end: datetime) -> float:
    # (instants go to SQLite as UTC text whatever their zone: tierslieu.sqlite_engine)
    _, rows = await connections.get("default").execute_query(_BOOKED_MINUTES[db.dialect()], [user_id, start, end])
    return round(float(rows[0]["minutes"] or 0), 3)


# --- the hot paths: booking creation and availability ---------------------------------------------
# Hand-written SQL with bound parameters: no query building per request, and rows read by
# position instead of hydrating models.
# The conditions are those of ``services.rules.live_filter`` and ``services.rules.closures``.

_SQL = _live(
    {
        "room": "SELECT * FROM bookings_room WHERE id = {0}",
        "live_exists": (
            "SELECT 1 FROM bookings_booking WHERE room_id = {0} AND {live} "
            "AND ends_at > {1} AND ends_at < {2} AND starts_at < {3} LIMIT 1"
        ),
        # Live bookings of a room never overlap (the database sees to it), so in the order of their
        # ends they are also in the order of their starts: the index gives that order, no sort.
        "busy": (
            "SELECT {instants} FROM bookings_booking WHERE room_id = {0} AND {live} "
            "AND ends_at > {1} AND ends_at < {2} AND starts_at < {3} ORDER BY ends_at"
        ),
        "closures": (
            "SELECT * FROM bookings_closure WHERE (room_id = {0} OR room_id IS NULL) AND ends_at > {1} "
            "AND starts_at < {2} ORDER BY starts_at"
        ),
    }
)
_PLACEHOLDERS = {"postgres": ("$1", "$2", "$3", "$4"), "sqlite": ("?", "?", "?", "?")}
# Busy times come by the hundred: SQLite hands over its stored ISO text as it is, parsed below
# in one comprehension (sqlite_engine's converter would call a Python function for each value).
_INSTANTS = {"postgres": "starts_at, ends_at", "sqlite": "CAST(starts_at AS TEXT), CAST(ends_at AS TEXT)"}
_COMPILED: dict[tuple[str, str], str] = {}


def _sql(name: str, dialect: str) -> str:
    key = (name, dialect)
    text = _COMPILED.get(key)
    if text is None:
        text = _COMPILED[key] = _SQL[name].format(*_PLACEHOLDERS[dialect], instants=_INSTANTS[dialect])
    return text


async def _rows(name: str, params: list) -> list[dict]:
    return await connections.get("default").execute_query_dict(_sql(name, db.dialect()), params)


async def _tuples(name: str, params: list) -> Sequence[Sequence[Any]]:
    """The rows as the driver gives them (read by position): no dict for each row."""
    _, rows = await connections.get("default").execute_query(_sql(name, db.dialect()), params)
    return rows


def _instant(value: datetime) -> datetime:
    # both drivers give aware datetimes (SQLite through sqlite_engine's converters)
    return value if value.tzinfo is UTC else value.astimezone(UTC)


async def room(room_id: int) -> Room | None:
    rows = await _rows("room", [room_id])
    return Room._init_from_db(**rows[0]) if rows else None


def _live_params(room_id: int, starts_at: datetime, ends_at: datetime) -> list:
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    return [room_id, starts_at, ends_at + MAX_BOOKING, ends_at]


async def live_exists(room_id: int, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether a live booking of the room overlaps [starts_at, ends_at)."""
    return bool(await _tuples("live_exists", _live_params(room_id, starts_at, ends_at)))


async def busy(room_id: int, starts_at: datetime, ends_at: datetime) -> list[tuple[datetime, datetime]]:
    """(start, end) in UTC of the live bookings of the room overlapping [starts_at, ends_at)."""
    rows = await _tuples("busy", _live_params(room_id, starts_at, ends_at))
    if rows and isinstance(rows[0][0], str):
        parse = datetime.fromisoformat
        return [(parse(start), parse(end)) for start, end in rows]
    return [(_instant(start), _instant(end)) for start, end in rows]


async def closures(room_id: int, starts_at: datetime, ends_at: datetime) -> list[Closure]:
    """Closures of the room or the whole site overlapping [starts_at, ends_at)."""
    rows = await _rows("closures", [room_id, starts_at.astimezone(UTC), ends_at.astimezone(UTC)])
    return [Closure._init_from_db(**row) for row in rows]


# What creating one booking needs to know, in one query inside its transaction: the first
# closure overlapping it, the minutes the person already booked that week (as
# ``booked_minutes``), and whether a live booking of the room overlaps it (as ``live_exists``).
_FACTS = _live(
    {
        "postgres": (
            "SELECT (SELECT reason FROM bookings_closure WHERE (room_id = $1 OR room_id IS NULL) AND ends_at > $2 "
            "AND starts_at < $3 ORDER BY starts_at LIMIT 1) AS closure_reason, "
            "(SELECT COALESCE(EXTRACT(EPOCH FROM SUM(ends_at - starts_at)) / 60, 0) FROM bookings_booking "
            "WHERE user_id = $4 AND {live} AND starts_at >= $5 AND starts_at < $6) AS minutes, "
            "EXISTS (SELECT 1 FROM bookings_booking WHERE room_id = $1 AND {live} "
            "AND ends_at > $2 AND ends_at < $7 AND starts_at < $3) AS overlap"
        ),
        "sqlite": (
            "SELECT (SELECT reason FROM bookings_closure WHERE (room_id = ?1 OR room_id IS NULL) AND ends_at > ?2 "
            "AND starts_at < ?3 ORDER BY starts_at LIMIT 1) AS closure_reason, "
            "(SELECT COALESCE(SUM((julianday(ends_at) - julianday(starts_at)) * 1440), 0) FROM bookings_booking "
            "WHERE user_id = ?4 AND {live} AND starts_at >= ?5 AND starts_at < ?6) AS minutes, "
            "EXISTS (SELECT 1 FROM bookings_booking WHERE room_id = ?1 AND {live} "
            "AND ends_at > ?2 AND ends_at < ?7 AND starts_at < ?3) AS overlap"
        ),
    }
)


@dataclass(frozen=True)
class Facts:
    closure_reason: str | None
    minutes: float
    overlap: bool


async def booking_facts(
    room_id: int, user_id: int, starts_at: datetime, ends_at: datetime, week_start: datetime, week_end: datetime
) -> Facts:
    dialect = db.dialect()
    connection = connections.get("default")
    values = [starts_at, ends_at, week_start, week_end, ends_at + MAX_BOOKING]
    values = [value.astimezone(UTC) for value in values]
    if dialect == "sqlite":
        values = [value.isoformat(sep=" ") for value in values]
    starts, ends, week_from, week_to, ends_limit = values
    rows = await connection.execute_query_dict(
        _FACTS[dialect], [room_id, starts, ends, user_id, week_from, week_to, ends_limit]
    )
    row = rows[0]
    return Facts(
        closure_reason=row["closure_reason"],
        minutes=round(float(row["minutes"] or 0), 3),
        overlap=bool(row["overlap"]),
    )
