"""Bulk writes through the driver's executemany: the hot path of collection.

SQLAlchemy's Core insert processes every parameter of every row in Python; for tens of thousands of posts a
second that dominates. Here rows are plain tuples, converted once per value to what the driver stores
(SQLite: naive UTC text and JSON text, as SQLAlchemy itself writes them; PostgreSQL: aware datetimes and
JSON text cast to jsonb), and handed to executemany in one call.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from storage.engine import json_text


class BulkWriter:
    def __init__(self, session: Session) -> None:
        self.connection = session.connection()
        dialect = self.connection.dialect
        self.postgres = dialect.name == "postgresql"
        self.placeholder = "?" if dialect.paramstyle == "qmark" else "%s"

    def when(self, value: datetime | None) -> Any:
        if value is None or self.postgres:
            return value
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")

    @staticmethod
    def json(value: Any) -> str:
        return json_text(value)  # as the engine writes JSON columns (no NUL: PostgreSQL's jsonb refuses it)

    def ids_by_external_id(self, table: str, platform: str, external_ids: Sequence[str]) -> dict[str, int]:
        """{external_id: id} for the rows of `table` on `platform` with these external ids."""
        rows = self.select_by_external_id(table, platform, external_ids, ("id",))
        return {external_id: row[0] for external_id, row in rows.items()}

    def select_by_external_id(
        self, table: str, platform: str, external_ids: Sequence[str], columns: Sequence[str]
    ) -> dict[str, tuple]:
        """{external_id: (columns...)} for the rows of `table` on `platform` with these external ids."""
        found: dict[str, tuple] = {}
        for start in range(0, len(external_ids), 500):
            chunk = list(external_ids[start : start + 500])
            marks = ", ".join([self.placeholder] * len(chunk))
            rows = self.connection.exec_driver_sql(
                f"SELECT external_id, {', '.join(columns)} FROM {table} "
                f"WHERE platform = {self.placeholder} AND external_id IN ({marks})",
                (platform, *chunk),
            )
            found.update({row[0]: tuple(row[1:]) for row in rows})
        return found

    def insert(
        self,
        table: str,
        columns: Sequence[str],
        rows: Sequence[tuple],
        *,
        conflict: Sequence[str],
        update: Sequence[str] = (),
        json_columns: Sequence[str] = (),
    ) -> None:
        """INSERT ... ON CONFLICT (conflict) DO NOTHING, or DO UPDATE SET the `update` columns."""
        if not rows:
            return
        values = ", ".join(
            f"{self.placeholder}::jsonb" if self.postgres and column in json_columns else self.placeholder
            for column in columns
        )
        action = (
            "DO UPDATE SET " + ", ".join(f"{column} = excluded.{column}" for column in update) if update else "DO NOTHING"
        )
        statement = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values}) "
            f"ON CONFLICT ({', '.join(conflict)}) {action}"
        )
        self.connection.exec_driver_sql(statement, list(rows))
