"""File formats, registered by name: each writes a header once, then batch after batch, into a binary stream, so an
export of any size is never held whole (CSV, JSON Lines, a JSON array written incrementally, Parquet).

A batch is a list of rows, each a tuple of cells in column order as the database returns them (see columns.py);
formats work on a batch column by column, so that a column that needs nothing costs nothing per row."""

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import orjson

from analytics.exports.columns import Column, as_bool, as_json, as_time, python_cells
from config.registry import Registry

Row = Sequence[Any]  # one cell per column, in column order


class Format(ABC):
    """Opened on a stream with the columns; `write` takes a batch of rows; `close` finishes the file (the stream
    itself is left open: it belongs to the caller, a file or an HTTP response)."""

    name: ClassVar[str]
    suffix: ClassVar[str]
    media_type: ClassVar[str]
    joinable: ClassVar[bool] = False  # files of consecutive shares of the rows, the later ones written as
    # continuations, make the whole file when put end to end (so shares can be written side by side)

    def __init__(self, out: BinaryIO, columns: Sequence[Column], *, continuation: bool = False) -> None:
        """`continuation`: this file will follow another of the same export (so no header)."""
        self.out = out
        self.columns = list(columns)

    @abstractmethod
    def write(self, rows: list[Row]) -> None: ...

    def close(self) -> None:
        """Write what ends the file."""

    def python_columns(self, rows: list[Row]) -> list[Sequence[Any]]:
        """The batch as columns of Python values (times as aware datetimes, lists, bools)."""
        return [python_cells(column, cells) for column, cells in zip(self.columns, zip(*rows), strict=True)]


formats: Registry[Format] = Registry("export format")


def format_of(path: Path) -> str | None:
    """The format a file name asks for by its suffix (`.parquet`: parquet), or None."""
    return next((f.name for f in formats if f.suffix == path.suffix.lower()), None)


@formats.register
class Csv(Format):
    """UTF-8, a header row; lists joined with `;`, times in ISO 8601, true/false, empty for none. A text cell that
    starts with = + - @ or a tab gets a leading `'`, so a spreadsheet shows it rather than running it as a formula.

    Written as the csv module writes (its default dialect: `,`, fields with `,` `"` or a line break quoted with `"`,
    rows ending in CRLF), but a column at a time: each column of a batch is rendered and checked for what needs
    quoting or guarding in one pass over its joined text, and only a column that has such a cell is gone through
    cell by cell. The rows are then joined in C; no Python code runs per row."""

    name = "csv"
    suffix = ".csv"
    media_type = "text/csv"
    joinable = True

    def __init__(self, out: BinaryIO, columns: Sequence[Column], *, continuation: bool = False) -> None:
        super().__init__(out, columns)
        joined = _JoinedLists()
        self._rendered = {"bool": _csv_flags, "time": _csv_times, "list": joined.cells}
        if not continuation:
            self._write_lines([[_quoted(c.name, width=len(self.columns))] for c in self.columns])

    def write(self, rows: list[Row]) -> None:
        if rows:
            self._write_lines([self._fields(cells, column) for cells, column in zip(zip(*rows), self.columns,
                                                                                   strict=True)])

    def _fields(self, cells: Sequence[Any], column: Column) -> list[str]:
        """One column of a batch as csv writes its fields: none as empty, numbers as they print, text guarded
        against formulas, quoted where needed."""
        render = self._rendered.get(column.type)
        if render is not None:
            cells = render(cells, column)
        fields, text = _texts(cells, numbers=column.type in ("int", "float"))
        if fields is None:  # a column holding other values than its type's
            fields = [_field(value, column) for value in cells]
            text = "\n".join(fields)
        elif column.type == "text" and (text.startswith(FORMULA_STARTS) or any(s in text for s in _LINE_STARTS)):
            fields = [_field(value, column) for value in cells]
        if "," in text or '"' in text or "\r" in text or text.count("\n") != len(fields) - 1 or len(self.columns) == 1:
            fields = [_quoted(field, width=len(self.columns)) for field in fields]
        return fields

    def _write_lines(self, columns: list[list[str]]) -> None:
        self.out.write(("\r\n".join(map(",".join, zip(*columns))) + "\r\n").encode("utf-8"))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_LINE_STARTS = tuple("\n" + start for start in FORMULA_STARTS)


def csv_cell(value: Any, column: Column) -> Any:
    """One cell as the csv module is given it (it writes None as empty, numbers as they print): the rules above,
    for a value read as its column's Python type."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if column.type == "text" and isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _texts(cells: Sequence[Any], *, numbers: bool) -> tuple[Sequence[str] | None, str]:
    """A column's cells as text (none as empty, numbers as they print) and joined by newlines; (None, "") when it
    holds something else (a text column with numbers, a number column with text)."""
    if numbers:
        fields = list(map(str, cells))
        if "None" in fields:
            fields = ["" if value is None else str(value) for value in cells]
        return fields, "\n".join(fields)
    try:
        return cells, "\n".join(cells)
    except TypeError:  # none among them
        fields = ["" if value is None else value for value in cells]
    try:
        return fields, "\n".join(fields)
    except TypeError:
        return None, ""


def _field(value: Any, column: Column) -> str:
    """One cell's text, as csv writes it (before quoting)."""
    value = csv_cell(value, column)
    return value if isinstance(value, str) else str(value)


def _quoted(field: str, *, width: int) -> str:
    """A field as csv's minimal quoting writes it: in quotes (and its quotes doubled) when it holds a `,`, a quote
    or a line break, or when it is the one, empty, field of its row."""
    if "," in field or '"' in field or "\r" in field or "\n" in field or (width == 1 and not field):
        return '"' + field.replace('"', '""') + '"'
    return field


def _csv_flags(cells: list[Any], column: Column) -> list[str | None]:
    try:
        return list(map(_FLAGS.__getitem__, cells))  # as SQLite (0, 1) or PostgreSQL (False, True) returns them
    except KeyError:
        return [csv_cell(as_bool(value), column) for value in cells]


_FLAGS = {None: None, False: "false", True: "true"}  # 0 and 1 are the same keys as False and True


def _csv_times(cells: list[Any], column: Column) -> list[Any]:
    """Times in ISO 8601 with the UTC offset, as datetime.isoformat writes them. A column of SQLite's text
    (`2026-10-01 12:00:00.000000`, as SQLAlchemy stores a time) is rearranged as one string, never parsed."""
    try:
        stored = "\n".join(cells) + "\n"
    except TypeError:  # none among them, or times the driver parsed
        stored = ""
    if stored and _SQLITE_TIMES.fullmatch(stored):
        return stored.replace(" ", "T").replace(".000000\n", "\n").replace("\n", "+00:00\n").split("\n")[:-1]
    return [csv_cell(as_time(value), column) for value in cells]


_SQLITE_TIMES = re.compile(r"(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\n)+", re.ASCII)


class _JoinedLists(dict):
    """Lists stored as JSON text, each read and joined with `;` once per export (lists repeat, as products and tags
    do); at most `LIMIT` kept."""

    LIMIT = 10_000

    def cells(self, cells: list[Any], column: Column) -> list[Any]:
        if len(self) > self.LIMIT:
            self.clear()
        try:
            return list(map(self.__getitem__, cells))
        except TypeError:  # lists the driver parsed (unhashable)
            return [csv_cell(value, column) for value in cells]

    def __missing__(self, stored: str | None) -> Any:
        self[stored] = joined = csv_cell(as_json(stored), Column("", "list"))
        return joined


def _json(names: list[str], columns: list[Sequence[Any]]) -> list[bytes]:
    return [orjson.dumps(dict(zip(names, row, strict=True))) for row in zip(*columns)]


@formats.register
class JsonLines(Format):
    """One JSON object per line, keys in column order; times in RFC 3339, lists as arrays, null for none."""

    name = "jsonl"
    suffix = ".jsonl"
    media_type = "application/x-ndjson"
    joinable = True

    def write(self, rows: list[Row]) -> None:
        if rows:
            self.out.write(b"\n".join(_json([c.name for c in self.columns], self.python_columns(rows))) + b"\n")


@formats.register
class JsonArray(Format):
    """One JSON array of objects, written a batch at a time (never built in memory)."""

    name = "json"
    suffix = ".json"
    media_type = "application/json"

    def __init__(self, out: BinaryIO, columns: Sequence[Column], *, continuation: bool = False) -> None:
        super().__init__(out, columns)
        self.out.write(b"[")
        self._first = True

    def write(self, rows: list[Row]) -> None:
        if rows:
            objects = _json([c.name for c in self.columns], self.python_columns(rows))
            self.out.write((b"\n" if self._first else b",\n") + b",\n".join(objects))
            self._first = False

    def close(self) -> None:
        self.out.write(b"\n]\n")


def arrow_type(column: Column) -> Any:
    import pyarrow as pa  # imported when used: the CLI starts without it

    return {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "text": pa.string(),
            "time": pa.timestamp("us", tz="UTC"), "list": pa.list_(pa.string())}[column.type]


@formats.register
class Parquet(Format):
    """Parquet (pyarrow) with an explicit schema from the column types; one row group per batch, zstd."""

    name = "parquet"
    suffix = ".parquet"
    media_type = "application/vnd.apache.parquet"

    def __init__(self, out: BinaryIO, columns: Sequence[Column], *, continuation: bool = False) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        super().__init__(out, columns)
        self._schema = pa.schema([pa.field(c.name, arrow_type(c)) for c in self.columns])
        self._table = pa.Table.from_pydict
        self._writer = pq.ParquetWriter(out, self._schema, compression="zstd")

    def write(self, rows: list[Row]) -> None:
        if rows:
            table = self._table(dict(zip(self._schema.names, self.python_columns(rows), strict=True)),
                                schema=self._schema)
            self._writer.write_table(table, row_group_size=len(rows))

    def close(self) -> None:
        self._writer.close()
