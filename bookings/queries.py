"""Read queries in the database's own SQL (always with bound parameters)."""

from __future__ import annotations

from datetime import datetime

from tortoise import connections

from tierslieu import db

# Minutes of live bookings of a person starting in [start, end): summed by the database
# instead of loading every row.
_BOOKED_MINUTES = {
    "postgres": (
        "SELECT COALESCE(EXTRACT(EPOCH FROM SUM(ends_at - starts_at)) / 60, 0) AS minutes "
        "FROM bookings_booking WHERE user_id = $1 AND status IN ('pending', 'confirmed') "
        "AND starts_at >= $2 AND starts_at < $3"
    ),
    "sqlite": (
        "SELECT COALESCE(SUM((julianday(ends_at) - julianday(starts_at)) * 1440), 0) AS minutes "
        "FROM bookings_booking WHERE user_id = ? AND status IN ('pending', 'confirmed') "
        "AND starts_at >= ? AND starts_at < ?"
    ),
}


async def booked_minutes(user_id: int, start: datetime, end: datetime) -> float:
    dialect = db.dialect()
    connection = connections.get("default")
    if dialect == "sqlite":
        params: list = [user_id, start.isoformat(sep=" "), end.isoformat(sep=" ")]
    else:
        params = [user_id, start, end]
    _, rows = await connection.execute_query(_BOOKED_MINUTES[dialect], params)
    return round(float(rows[0]["minutes"] or 0), 3)
