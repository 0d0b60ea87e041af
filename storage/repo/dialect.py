"""INSERT ... ON CONFLICT for the dialect in use (SQLite and PostgreSQL share the syntax)."""

from typing import Any

from sqlalchemy import func, select
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


def one_writer_at_a_time(session: Session, name: str) -> None:
    """Hold a lock named `name` until this transaction ends, so writers of the same kind take turns. PostgreSQL: a
    transaction-level advisory lock; SQLite lets one writer in at a time anyway."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(name))))
