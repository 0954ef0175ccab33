"""The database refuses more confirmed places than an event's capacity.

Registrations keep a count of confirmed places on their event row (in the same
transaction, under the event's row lock); a CHECK (PostgreSQL) or triggers (SQLite)
refuse a count above the capacity, and an event that ends before it starts.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

POSTGRES_FORWARD = [
    "ALTER TABLE events_event ADD CONSTRAINT events_event_seats CHECK ("
    "confirmed_count >= 0 AND confirmed_count <= capacity "
    "AND online_confirmed_count >= 0 AND online_confirmed_count <= online_capacity)",
    "ALTER TABLE events_event ADD CONSTRAINT events_event_ends_after_starts CHECK (ends_at > starts_at)",
    "ALTER TABLE events_session ADD CONSTRAINT events_session_ends_after_starts CHECK (ends_at > starts_at)",
]
POSTGRES_BACKWARD = [
    "ALTER TABLE events_event DROP CONSTRAINT IF EXISTS events_event_seats",
    "ALTER TABLE events_event DROP CONSTRAINT IF EXISTS events_event_ends_after_starts",
    "ALTER TABLE events_session DROP CONSTRAINT IF EXISTS events_session_ends_after_starts",
]

_SQLITE_SEATS = """
CREATE TRIGGER events_event_seats_{when}
BEFORE {event} ON events_event
FOR EACH ROW WHEN NEW.confirmed_count < 0 OR NEW.confirmed_count > NEW.capacity
    OR NEW.online_confirmed_count < 0 OR NEW.online_confirmed_count > NEW.online_capacity
BEGIN
    SELECT RAISE(ABORT, 'events_event_seats');
END
"""
_SQLITE_ORDER = """
CREATE TRIGGER events_{table}_order_{when}
BEFORE {event} ON events_{table}
FOR EACH ROW WHEN NEW.ends_at <= NEW.starts_at
BEGIN
    SELECT RAISE(ABORT, 'ends_before_starts');
END
"""
_WHEN = (("insert", "INSERT"), ("update", "UPDATE"))
SQLITE_FORWARD = [
    *(_SQLITE_SEATS.format(when=when, event=event) for when, event in _WHEN),
    *(
        _SQLITE_ORDER.format(table=table, when=when, event=event)
        for table in ("event", "session")
        for when, event in _WHEN
    ),
]
SQLITE_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS events_event_seats_{when}" for when, _ in _WHEN),
    *(f"DROP TRIGGER IF EXISTS events_{table}_order_{when}" for table in ("event", "session") for when, _ in _WHEN),
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
    dependencies = [("events", "0001_initial")]

    operations = [ops.RunPython(forward, backward)]
