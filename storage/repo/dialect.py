"""INSERT ... ON CONFLICT for the dialect in use (SQLite and PostgreSQL share the syntax)."""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def upsert_insert(session: Session, table: Any) -> Any:
    """An `insert(table)` that supports `.on_conflict_do_nothing/do_update` on this session's database."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"database {dialect!r} is not supported; use SQLite or PostgreSQL")
