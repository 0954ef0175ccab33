"""Read queries in the database's own SQL (always with bound parameters).

Every signed-in request resolves its session: through the ORM that was two queries (the
session with its person, then the person's roles), each built anew. Here it is one, built
once per dialect from the models' own columns, whose rows the models hydrate as the ORM's
would.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from accounts.models import Session, User
from tierslieu import db

# A person's stored roles: an array in PostgreSQL, a JSON array in SQLite
_ROLES = {
    "postgres": "ARRAY(SELECT r.role FROM accounts_user_role r WHERE r.user_id = u.id)",
    "sqlite": "(SELECT json_group_array(r.role) FROM accounts_user_role r WHERE r.user_id = u.id)",
}


@cache
def _session_query(dialect: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    session_columns = tuple(Session._meta.fields_db_projection.values())
    user_columns = tuple(User._meta.fields_db_projection.values())
    selected = ", ".join([f's."{column}"' for column in session_columns] + [f'u."{column}"' for column in user_columns])
    sql = (
        f"SELECT {selected}, {_ROLES[dialect]} FROM accounts_session s "  # noqa: S608 - the models' own columns
        f"JOIN accounts_user u ON u.id = s.user_id WHERE s.id = $1"
    )
    return sql, session_columns, user_columns


async def session_with_user(session_id: str) -> tuple[Session, User, list[Any]] | None:
    """The session ``session_id`` with its person (``session.user``) and the roles stored
    for them, or None."""
    sql, session_columns, user_columns = _session_query(db.dialect())
    rows = await db.rows(sql, [session_id])
    if not rows:
        return None
    row = tuple(rows[0])
    middle = len(session_columns)
    session = Session._init_from_db(**dict(zip(session_columns, row[:middle], strict=True)))
    user = User._init_from_db(**dict(zip(user_columns, row[middle:-1], strict=True)))
    session.user = user
    roles = row[-1]
    return session, user, json.loads(roles) if isinstance(roles, str) else list(roles)
