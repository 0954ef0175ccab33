"""The database keeps the help desk's rules.

- One appointment per helper slot: a partial unique index on (helper, start) over the
  statuses that hold a slot (booked, done, no-show); a cancelled one frees it.
- At most two upcoming booked appointments per person: a trigger. On PostgreSQL it first
  takes a transaction-level advisory lock on the person, so that two concurrent bookings
  by the same person are counted one after the other (each statement of a PL/pgSQL
  function sees what committed before it); on SQLite the application is one process
  whose write transactions never interleave.
- An appointment and a block end after they start; an absence too.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

LIMIT = 2  # written in the SQL below
ONE_PER_SLOT = (
    "CREATE UNIQUE INDEX helpdesk_appointment_one_per_slot ON helpdesk_appointment (helper_id, starts_at) "
    "WHERE status IN ('booked', 'done', 'no_show')"
)

POSTGRES_FORWARD = [
    ONE_PER_SLOT,
    "ALTER TABLE helpdesk_appointment ADD CONSTRAINT helpdesk_appointment_order CHECK (ends_at > starts_at)",
    "ALTER TABLE helpdesk_block ADD CONSTRAINT helpdesk_block_order CHECK (ends_at > starts_at)",
    "ALTER TABLE helpdesk_absence ADD CONSTRAINT helpdesk_absence_order CHECK (ends_at > starts_at)",
    """
CREATE FUNCTION helpdesk_appointment_limit() RETURNS trigger AS $$
BEGIN
    IF NEW.status = 'booked' THEN
        PERFORM pg_advisory_xact_lock(1751, NEW.person_id);
        IF (SELECT count(*) FROM helpdesk_appointment
            WHERE person_id = NEW.person_id AND status = 'booked' AND starts_at > now()
              AND id IS DISTINCT FROM NEW.id) >= 2 THEN
            RAISE EXCEPTION 'helpdesk_upcoming_limit' USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
""",
    "CREATE TRIGGER helpdesk_appointment_limit BEFORE INSERT ON helpdesk_appointment "
    "FOR EACH ROW EXECUTE FUNCTION helpdesk_appointment_limit()",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS helpdesk_appointment_limit ON helpdesk_appointment",
    "DROP FUNCTION IF EXISTS helpdesk_appointment_limit()",
    "ALTER TABLE helpdesk_absence DROP CONSTRAINT IF EXISTS helpdesk_absence_order",
    "ALTER TABLE helpdesk_block DROP CONSTRAINT IF EXISTS helpdesk_block_order",
    "ALTER TABLE helpdesk_appointment DROP CONSTRAINT IF EXISTS helpdesk_appointment_order",
    "DROP INDEX IF EXISTS helpdesk_appointment_one_per_slot",
]

_SQLITE_ORDER = """
CREATE TRIGGER helpdesk_{table}_order_{when}
BEFORE {event} ON helpdesk_{table}
FOR EACH ROW WHEN NEW.ends_at <= NEW.starts_at
BEGIN
    SELECT RAISE(ABORT, 'ends_before_starts');
END
"""
_SQLITE_LIMIT = """
CREATE TRIGGER helpdesk_appointment_limit
BEFORE INSERT ON helpdesk_appointment
FOR EACH ROW WHEN NEW.status = 'booked'
BEGIN
    SELECT RAISE(ABORT, 'helpdesk_upcoming_limit')
    WHERE (
        SELECT count(*) FROM helpdesk_appointment
        WHERE person_id = NEW.person_id AND status = 'booked'
          AND starts_at > strftime('%Y-%m-%d %H:%M:%S', 'now')
    ) >= 2;
END
"""
SQLITE_FORWARD = [
    ONE_PER_SLOT,
    _SQLITE_LIMIT,
    *(
        _SQLITE_ORDER.format(table=table, when=when, event=event)
        for table in ("appointment", "block", "absence")
        for when, event in (("insert", "INSERT"), ("update", "UPDATE"))
    ),
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS helpdesk_appointment_limit",
    *(
        f"DROP TRIGGER IF EXISTS helpdesk_{t}_order_{w}"
        for t in ("appointment", "block", "absence")
        for w in ("insert", "update")
    ),
    "DROP INDEX IF EXISTS helpdesk_appointment_one_per_slot",
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
    dependencies = [("helpdesk", "0001_initial")]

    operations = [ops.RunPython(forward, backward)]
