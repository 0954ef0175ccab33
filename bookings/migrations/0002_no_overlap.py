"""The database guarantees that two live bookings of a room never overlap.

PostgreSQL: an exclusion constraint on half-open ranges ``[starts_at, ends_at)`` (so
back-to-back bookings are allowed) over the live statuses, plus CHECKs: the end comes
after the start, and a booking lasts at most a day.
SQLite: triggers that abort an insert or an update which would overlap a live booking
of the same room (datetimes are stored as ISO 8601 UTC text, which sorts like time),
or whose end is not after its start, or which lasts more than a day. Since no booking
lasts more than a day, the overlap search reads a narrow range of the
(room_id, ends_at) index.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE bookings_booking ADD CONSTRAINT bookings_booking_ends_after_starts CHECK (ends_at > starts_at)",
    "ALTER TABLE bookings_booking ADD CONSTRAINT bookings_booking_at_most_a_day "
    "CHECK (ends_at - starts_at <= interval '1 day')",
    "ALTER TABLE bookings_closure ADD CONSTRAINT bookings_closure_ends_after_starts CHECK (ends_at > starts_at)",
    "ALTER TABLE bookings_booking ADD CONSTRAINT bookings_booking_no_overlap EXCLUDE USING gist "
    "(room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (status IN ('pending', 'confirmed'))",
]
POSTGRES_BACKWARD = [
    "ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS bookings_booking_no_overlap",
    "ALTER TABLE bookings_closure DROP CONSTRAINT IF EXISTS bookings_closure_ends_after_starts",
    "ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS bookings_booking_ends_after_starts",
    "ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS bookings_booking_at_most_a_day",
]

_SQLITE_OVERLAP = """
CREATE TRIGGER bookings_booking_no_overlap_{when}
BEFORE {event} ON bookings_booking
FOR EACH ROW WHEN NEW.status IN ('pending', 'confirmed')
BEGIN
    SELECT RAISE(ABORT, 'booking_overlap')
    WHERE EXISTS (
        SELECT 1 FROM bookings_booking AS other
        WHERE other.room_id = NEW.room_id
          AND other.id IS NOT NEW.id
          AND other.status IN ('pending', 'confirmed')
          AND other.ends_at > NEW.starts_at
          AND other.ends_at < strftime('%Y-%m-%d %H:%M:%S+00:00', NEW.ends_at, '+1 day')
          AND other.starts_at < NEW.ends_at
    );
END
"""
_SQLITE_ORDER = """
CREATE TRIGGER bookings_{table}_order_{when}
BEFORE {event} ON bookings_{table}
FOR EACH ROW WHEN NEW.ends_at <= NEW.starts_at
BEGIN
    SELECT RAISE(ABORT, 'ends_before_starts');
END
"""
_SQLITE_LENGTH = """
CREATE TRIGGER bookings_booking_length_{when}
BEFORE {event} ON bookings_booking
FOR EACH ROW WHEN julianday(NEW.ends_at) - julianday(NEW.starts_at) > 1
BEGIN
    SELECT RAISE(ABORT, 'longer_than_a_day');
END
"""
SQLITE_FORWARD = [
    _SQLITE_OVERLAP.format(when="insert", event="INSERT"),
    _SQLITE_OVERLAP.format(when="update", event="UPDATE"),
    *(
        _SQLITE_ORDER.format(table=table, when=when, event=event)
        for table in ("booking", "closure")
        for when, event in (("insert", "INSERT"), ("update", "UPDATE"))
    ),
    _SQLITE_LENGTH.format(when="insert", event="INSERT"),
    _SQLITE_LENGTH.format(when="update", event="UPDATE"),
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS bookings_booking_no_overlap_insert",
    "DROP TRIGGER IF EXISTS bookings_booking_no_overlap_update",
    *(f"DROP TRIGGER IF EXISTS bookings_{t}_order_{w}" for t in ("booking", "closure") for w in ("insert", "update")),
    "DROP TRIGGER IF EXISTS bookings_booking_length_insert",
    "DROP TRIGGER IF EXISTS bookings_booking_length_update",
]


async def _run(statements: dict[str, list[str]], state_editor) -> None:
    dialect = state_editor.client.capabilities.dialect
    for sql in statements.get(dialect, []):
        await state_editor.client.execute_script(sql)


async def forward(apps, state_editor) -> None:
    await _run({"postgres": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}, state_editor)


async def backward(apps, state_editor) -> None:
    await _run({"postgres": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}, state_editor)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]

    operations = [ops.RunPython(forward, backward)]
