"""The database keeps mentoring's rules.

- A mentor never holds more active mentees than their maximum: the profile row carries the
  count, changed under the row's lock by the acceptance and the closure; a CHECK
  (PostgreSQL) or triggers (SQLite) refuse a count below 0 or above ``max_mentees``.
- Two scheduled sessions of one mentor never overlap: an exclusion constraint on
  half-open ranges (PostgreSQL) or triggers (SQLite, where date-times are ISO 8601 UTC
  text, which sorts like time); a session ends after it starts and lasts at most 8 hours.
- A request has at most one pending offer: a partial unique index.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE mentoring_mentorprofile ADD CONSTRAINT mentoring_mentorprofile_capacity "
    "CHECK (active_count >= 0 AND active_count <= max_mentees AND max_mentees >= 1)",
    "ALTER TABLE mentoring_session ADD CONSTRAINT mentoring_session_ends_after_starts "
    "CHECK (ends_at > starts_at AND ends_at - starts_at <= interval '8 hours')",
    "ALTER TABLE mentoring_session ADD CONSTRAINT mentoring_session_no_overlap EXCLUDE USING gist "
    "(mentor_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (status = 'scheduled')",
    "CREATE UNIQUE INDEX mentoring_offer_one_pending ON mentoring_offer (request_id) WHERE outcome = 'pending'",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS mentoring_offer_one_pending",
    "ALTER TABLE mentoring_session DROP CONSTRAINT IF EXISTS mentoring_session_no_overlap",
    "ALTER TABLE mentoring_session DROP CONSTRAINT IF EXISTS mentoring_session_ends_after_starts",
    "ALTER TABLE mentoring_mentorprofile DROP CONSTRAINT IF EXISTS mentoring_mentorprofile_capacity",
]

_SQLITE_CAPACITY = """
CREATE TRIGGER mentoring_mentorprofile_capacity_{when}
BEFORE {event} ON mentoring_mentorprofile
FOR EACH ROW WHEN NEW.active_count < 0 OR NEW.active_count > NEW.max_mentees OR NEW.max_mentees < 1
BEGIN
    SELECT RAISE(ABORT, 'mentoring_mentorprofile_capacity');
END
"""
_SQLITE_OVERLAP = """
CREATE TRIGGER mentoring_session_no_overlap_{when}
BEFORE {event} ON mentoring_session
FOR EACH ROW WHEN NEW.status = 'scheduled'
BEGIN
    SELECT RAISE(ABORT, 'mentoring_session_no_overlap')
    WHERE EXISTS (
        SELECT 1 FROM mentoring_session AS other
        WHERE other.mentor_id = NEW.mentor_id
          AND other.id IS NOT NEW.id
          AND other.status = 'scheduled'
          AND other.ends_at > NEW.starts_at
          AND other.starts_at < NEW.ends_at
    );
END
"""
_SQLITE_ORDER = """
CREATE TRIGGER mentoring_session_order_{when}
BEFORE {event} ON mentoring_session
FOR EACH ROW WHEN NEW.ends_at <= NEW.starts_at OR julianday(NEW.ends_at) - julianday(NEW.starts_at) > 8.0 / 24
BEGIN
    SELECT RAISE(ABORT, 'mentoring_session_ends_after_starts');
END
"""
_WHEN = (("insert", "INSERT"), ("update", "UPDATE"))
SQLITE_FORWARD = [
    *(_SQLITE_CAPACITY.format(when=when, event=event) for when, event in _WHEN),
    *(_SQLITE_OVERLAP.format(when=when, event=event) for when, event in _WHEN),
    *(_SQLITE_ORDER.format(when=when, event=event) for when, event in _WHEN),
    "CREATE UNIQUE INDEX mentoring_offer_one_pending ON mentoring_offer (request_id) WHERE outcome = 'pending'",
]
SQLITE_BACKWARD = [
    "DROP INDEX IF EXISTS mentoring_offer_one_pending",
    *(
        f"DROP TRIGGER IF EXISTS mentoring_{name}_{when}"
        for name in ("mentorprofile_capacity", "session_no_overlap", "session_order")
        for when, _ in _WHEN
    ),
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
    dependencies = [("mentoring", "0001_initial")]

    operations = [ops.RunPython(forward, backward)]
