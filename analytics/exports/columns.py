"""The columns an export declares: a name, a type every format understands, and whether it holds personal data; and
what a cell of each type holds as read from the database.

Sources hand over cells as the database driver returns them, without SQLAlchemy's per-row type processing (on
SQLite a time is text such as `2026-10-01 12:00:00.000000`, a list is JSON text, a flag is 0 or 1; PostgreSQL's
driver returns them typed already). Formats that need Python values turn whole columns into them with
`python_cells`: an aware UTC datetime, a list, a bool, as the column types would have returned."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

ColumnType = Literal["int", "float", "bool", "text", "time", "list"]  # list: a list of strings; time: UTC


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    expression: Any = None  # the SQL expression it is read from (None: the source computes it)
    personal: bool = False  # left out unless the export includes personal fields
    doc: str = ""


def as_time(value: Any) -> datetime | None:
    """A stored time as an aware UTC datetime (as storage.types.UTCDateTime reads it)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_json(value: Any) -> Any:
    """A stored JSON value (text on SQLite) as Python."""
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value


def as_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


DECODERS = {"time": as_time, "list": as_json, "bool": as_bool}  # int, float and text need nothing


def python_cells(column: Column, cells: Sequence[Any]) -> Sequence[Any]:
    """One column of a batch, as Python values."""
    decode = DECODERS.get(column.type)
    return cells if decode is None else [decode(value) for value in cells]
