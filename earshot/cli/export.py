"""`earshot export posts|queue|trends`: a file in CSV, JSON, JSON Lines or Parquet, written in batches with a progress
bar on stderr; personal fields only with --include-personal, for an admin or analyst, and audited."""

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from analytics.exports import ExportError
from analytics.exports.filters import ExportFilters
from analytics.exports.formats import format_of, formats
from analytics.trends import GROUPINGS, INTERVALS, parse_day
from earshot.cli.app import export_app
from earshot.cli.progress import advance_and_draw, progress_bar
from earshot.cli.state import default_actor, err_console, state
from earshot.services.exports import DEFAULT_BATCH_SIZE, plan_export, run_export

OutOption = Annotated[Path, typer.Option("--out", "-o", help="The file to write ('-': standard output).")]
FormatOption = Annotated[str | None, typer.Option(
    "--format", "-f", help=f"{', '.join(formats.names())} (default: from the --out suffix).")]
SinceOption = Annotated[str | None, typer.Option("--since", help="From this day (YYYY-MM-DD, UTC).")]
UntilOption = Annotated[str | None, typer.Option("--until", help="Up to (not including) this day.")]
ProductOption = Annotated[str | None, typer.Option("--product", help="Only posts naming this SKU.")]
PlatformOption = Annotated[str | None, typer.Option("--platform", help="Only posts from this platform.")]
PersonalOption = Annotated[bool, typer.Option(
    "--include-personal", help="Add the personal fields (admin or analyst only; audited).")]
ActorOption = Annotated[str, typer.Option("--as", help="Who exports (a staff user; default: your login name).")]
BatchOption = Annotated[int, typer.Option("--batch-size", min=1, max=100_000, help="Rows read and written at once.")]


def _keyset_command(kind: str, help_text: str) -> None:
    """`earshot export posts` and `earshot export queue`: the same options, one kind each."""
    def command(ctx: typer.Context, out: OutOption, fmt: FormatOption = None, since: SinceOption = None,
                until: UntilOption = None, product: ProductOption = None, platform: PlatformOption = None,
                include_personal: PersonalOption = False, actor: ActorOption = "",
                batch_size: BatchOption = DEFAULT_BATCH_SIZE) -> None:
        filters = ExportFilters(since=parse_day(since), until=parse_day(until), product=product, platform=platform)
        _export(ctx, kind, out, fmt, filters, include_personal=include_personal, actor=actor, batch_size=batch_size)

    export_app.command(kind, help=help_text)(command)


_keyset_command("posts", "Posts with what enrichment found in them (posted in the period).")
_keyset_command("queue", "Queue items with their post's platform and sentiment (queued in the period).")


@export_app.command("trends")
def export_trends(
    ctx: typer.Context, out: OutOption, fmt: FormatOption = None, since: SinceOption = None,
    until: UntilOption = None, product: ProductOption = None,
    interval: Annotated[str, typer.Option("--interval", help=f"{', '.join(INTERVALS)}.")] = "day",
    by: Annotated[str | None, typer.Option("--by", help=f"Group by one of {', '.join(GROUPINGS)}.")] = None,
    batch_size: BatchOption = DEFAULT_BATCH_SIZE,
) -> None:
    """Posts and sentiment per hour, day or week, as `earshot trends` shows them."""
    filters = ExportFilters(since=parse_day(since), until=parse_day(until), product=product, interval=interval,
                            group_by=by)
    _export(ctx, "trends", out, fmt, filters, include_personal=False, actor="", batch_size=batch_size)


def _export(ctx: typer.Context, kind: str, out: Path, fmt: str | None, filters: ExportFilters, *,
            include_personal: bool, actor: str, batch_size: int) -> None:
    cli = state(ctx)
    to_stdout = str(out) == "-"
    fmt = fmt or (None if to_stdout else format_of(out))
    if fmt is None:
        raise ExportError(f"say which format with --format ({', '.join(formats.names())}); "
                          f"the suffix of {str(out)!r} does not tell")
    exporter = (actor or default_actor()) if include_personal else None
    plan = plan_export(cli.engine, cli.settings, kind=kind, fmt=fmt, filters=filters,
                       include_personal=include_personal, actor=exporter,
                       batch_size=batch_size, target=None if to_stdout else out)
    with progress_bar(refresh_thread=False) as progress:  # no thread: a large export forks (see shares.py)
        task = progress.add_task(f"exporting {kind}", total=None)
        rows = run_export(plan, sys.stdout.buffer if to_stdout else out,
                          file_name="(standard output)" if to_stdout else None,
                          on_total=lambda total: progress.update(task, total=total),
                          on_rows=lambda n: advance_and_draw(progress, task, n))
    if to_stdout:
        sys.stdout.buffer.flush()
    where = "standard output" if to_stdout else str(out)
    personal = "; with personal fields (recorded in the audit trail)" if include_personal else ""
    err_console.print(escape(f"exported {rows:,} {kind} rows as {fmt} to {where}{personal}"), highlight=False)
