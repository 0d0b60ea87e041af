"""File formats, registered by name: each writes a header once, then batch after batch, into a binary stream, so an
export of any size is never held whole (CSV, JSON Lines, a JSON array written incrementally, Parquet).

A batch is a list of rows, each a tuple of cells in column order as the database returns them (see columns.py);
formats work on a batch column by column, so that a column that needs nothing costs nothing per row."""

import csv
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, BinaryIO, ClassVar

import orjson

from analytics.exports.columns import Column, as_json, as_time, python_cells
from config.registry import Registry

Row = Sequence[Any]  # one cell per column, in column order


class Format(ABC):
    """Opened on a stream with the columns; `write` takes a batch of rows; `close` finishes the file (the stream
    itself is left open: it belongs to the caller, a file or an HTTP response)."""

    name: ClassVar[str]
    suffix: ClassVar[str]
    media_type: ClassVar[str]

    def __init__(self, out: BinaryIO, columns: Sequence[Column]) -> None:
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
    starts with = + - @ or a tab gets a leading `'`, so a spreadsheet shows it rather than running it as a formula."""

    name = "csv"
    suffix = ".csv"
    media_type = "text/csv"

    def __init__(self, out: BinaryIO, columns: Sequence[Column]) -> None:
        super().__init__(out, columns)
        self._lines: list[str] = []  # the csv writer appends each row's line here; written once per batch
        self._csv = csv.writer(SimpleNamespace(write=self._lines.append))
        self._cells = [(at, CSV_CELLS[c.type]) for at, c in enumerate(self.columns) if c.type in CSV_CELLS]
        self._csv.writerow([c.name for c in self.columns])
        self._flush()

    def write(self, rows: list[Row]) -> None:
        if self._cells and rows:
            columns = list(zip(*rows))
            for at, cells in self._cells:
                columns[at] = cells(columns[at], self.columns[at])
            rows = zip(*columns)
        self._csv.writerows(rows)
        self._flush()

    def _flush(self) -> None:
        self.out.write("".join(self._lines).encode("utf-8"))
        self._lines.clear()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_AT_LINE_START = re.compile("^[" + re.escape("".join(FORMULA_STARTS)) + "]", re.MULTILINE)


def csv_cell(value: Any, column: Column) -> Any:
    """One cell as the csv module is given it (it writes None as empty, numbers as they print)."""
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


def _csv_text(cells: Sequence[Any], column: Column) -> Sequence[Any]:
    """Text cells, those that start like a formula quoted with `'`. The whole column is searched at once (its cells
    joined by newlines); only a column with a match (or a cell that is not text) is gone through cell by cell."""
    try:
        joined = "\n".join(filter(None, cells))
    except TypeError:
        return [csv_cell(value, column) for value in cells]
    if _FORMULA_AT_LINE_START.search(joined) is None:
        return cells
    return [csv_cell(value, column) for value in cells]


def _csv_bool(cells: Sequence[Any], column: Column) -> list[str | None]:
    return [None if value is None else "true" if value else "false" for value in cells]


def _csv_time(cells: Sequence[Any], column: Column) -> list[Any]:
    return [None if value is None else _iso_time(value) for value in cells]


def _iso_time(value: Any) -> str:
    """A stored time in ISO 8601 with its UTC offset, as datetime.isoformat writes it: SQLite's text
    `2026-10-01 12:00:00.000000` rearranged without parsing it; anything else parsed."""
    if isinstance(value, str) and value[10:11] == " ":
        if len(value) == 26 and value[19] == ".":
            if value.endswith(".000000"):
                return f"{value[:10]}T{value[11:19]}+00:00"
            return f"{value[:10]}T{value[11:]}+00:00"
        if len(value) == 19:
            return f"{value[:10]}T{value[11:]}+00:00"
    return as_time(value).isoformat()


def _csv_list(cells: Sequence[Any], column: Column) -> list[Any]:
    return [None if value is None else _joined_list(value) if isinstance(value, str) else csv_cell(value, column)
            for value in cells]


@lru_cache(maxsize=4096)
def _joined_list(stored: str) -> Any:
    """A list stored as JSON text, joined with `;` (lists repeat: products, tags)."""
    return csv_cell(as_json(stored), Column("", "list"))


CSV_CELLS = {"text": _csv_text, "bool": _csv_bool, "time": _csv_time, "list": _csv_list}


def _json(names: list[str], columns: list[Sequence[Any]]) -> list[bytes]:
    return [orjson.dumps(dict(zip(names, row, strict=True))) for row in zip(*columns)]


@formats.register
class JsonLines(Format):
    """One JSON object per line, keys in column order; times in RFC 3339, lists as arrays, null for none."""

    name = "jsonl"
    suffix = ".jsonl"
    media_type = "application/x-ndjson"

    def write(self, rows: list[Row]) -> None:
        if rows:
            self.out.write(b"\n".join(_json([c.name for c in self.columns], self.python_columns(rows))) + b"\n")


@formats.register
class JsonArray(Format):
    """One JSON array of objects, written a batch at a time (never built in memory)."""

    name = "json"
    suffix = ".json"
    media_type = "application/json"

    def __init__(self, out: BinaryIO, columns: Sequence[Column]) -> None:
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

    def __init__(self, out: BinaryIO, columns: Sequence[Column]) -> None:
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
