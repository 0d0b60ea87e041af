"""Exports for the CLI and the web: posts, queue items or trends, in one format, to a file (written whole or not at
all) or into any binary stream (an HTTP download); personal fields only for an admin or analyst, and audited.

`plan_export` checks everything that can be refused (kind, format, filters, who asks for personal fields, the target
file) before anything is read or written, so a web route can answer 400/403 before it starts a download;
`run_export` then writes it; `export` does both."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Engine

from analytics.exports import ExportError
from analytics.exports.files import check_target, replacing
from analytics.exports.filters import ExportFilters
from analytics.exports.formats import Format, formats
from analytics.exports.personal import complete_personal_export, personal_exporter, record_personal_export
from analytics.exports.shares import share_count, write_rows, write_shares
from analytics.exports.sources import ExportJob, Source, sources
from config.settings import Settings
from storage.engine import session_scope

DEFAULT_BATCH_SIZE = 5000  # rows per query and per Parquet row group
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportPlan:
    kind: str
    fmt: str
    source: Source
    writer_class: type[Format]
    exporter: str | None = None  # the staff user exporting personal fields; None: no personal fields

    @property
    def media_type(self) -> str:
        return self.writer_class.media_type

    @property
    def file_name(self) -> str:
        """A name for a download: `posts.parquet`."""
        return f"{self.kind}{self.writer_class.suffix}"


def plan_export(
    engine: Engine, settings: Settings, *, kind: str, fmt: str, filters: ExportFilters | None = None,
    include_personal: bool = False, actor: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE,
    target: Path | None = None,
) -> ExportPlan:
    """Everything checked, nothing read yet; an ExportError (one line) when the export may not or cannot be done."""
    source_class = sources.get(kind)
    writer_class = formats.get(fmt)
    if batch_size < 1:
        raise ExportError(f"the batch size must be at least 1 (got {batch_size})")
    if include_personal and not any(c.personal for c in source_class.columns):
        raise ExportError(f"{kind} have no personal fields; leave out --include-personal")
    job = ExportJob(engine=engine, settings=settings, filters=filters or ExportFilters(), personal=include_personal,
                    batch_size=batch_size)
    source = source_class(job)
    exporter = None
    if include_personal:
        with session_scope(engine) as session:
            exporter = personal_exporter(session, actor=actor).name
    if target is not None:
        check_target(target)
    return ExportPlan(kind=kind, fmt=fmt, source=source, writer_class=writer_class, exporter=exporter)


def run_export(plan: ExportPlan, out: Path | BinaryIO, *, file_name: str | None = None,
               on_total: Progress | None = None, on_rows: Progress | None = None, shares: int | None = None) -> int:
    """Write the export and return its row count. `out`: a path (a temporary file beside it is renamed over it at the
    end; a large CSV or JSON Lines export is written on every core, see shares.py) or an open binary stream, left
    open. `on_total` gets the row count before the first row, `on_rows` each batch's size once written. `file_name`
    names a stream's download in the audit trail. `shares`: how many processes write a file (default: one per core
    for a large export)."""
    source, engine = plan.source, plan.source.job.engine
    if isinstance(out, Path):
        check_target(out)
    source.prepare()
    total = source.count()
    if on_total:
        on_total(total)
    event_id = None
    if plan.exporter:
        detail = {"kind": plan.kind, "format": plan.fmt, "filters": source.job.filters.given(), "rows": total,
                  "file": str(out.resolve()) if isinstance(out, Path) else file_name}
        with session_scope(engine) as session:
            event_id = record_personal_export(session, actor=plan.exporter, detail=detail)
    if isinstance(out, Path):
        parts = source.split(share_count(plan.writer_class, total, shares=shares))
        with replacing(out, private=plan.exporter is not None) as handle:
            rows = write_shares(parts, plan.writer_class, handle, out.parent, on_rows=on_rows)
    else:
        rows = write_rows(source, plan.writer_class, out, on_rows=on_rows)
    if event_id is not None:
        with session_scope(engine) as session:
            complete_personal_export(session, event_id=event_id, rows=rows)
    return rows


def export(
    engine: Engine, settings: Settings, *, kind: str, fmt: str, out: Path | BinaryIO,
    filters: ExportFilters | None = None, include_personal: bool = False, actor: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE, file_name: str | None = None,
    on_total: Progress | None = None, on_rows: Progress | None = None, shares: int | None = None,
) -> int:
    """`plan_export` then `run_export`: the rows written."""
    plan = plan_export(engine, settings, kind=kind, fmt=fmt, filters=filters, include_personal=include_personal,
                       actor=actor, batch_size=batch_size, target=out if isinstance(out, Path) else None)
    return run_export(plan, out, file_name=file_name, on_total=on_total, on_rows=on_rows, shares=shares)
