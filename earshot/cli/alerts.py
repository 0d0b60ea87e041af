"""`earshot alerts check|list`: spikes and viral posts raised as PR queue items."""

import json
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from analytics.alerts import check_alerts
from analytics.trends import parse_day
from earshot.cli.app import alerts_app
from earshot.cli.state import console, state
from storage.engine import session_scope
from storage.repo.alerts import list_alerts


@alerts_app.command("check")
def alerts_check(ctx: typer.Context) -> None:
    """Judge every window completed since the last check (all history the first time); raise each spike and viral
    post once, as a PR queue item (the scheduler does this on every drain)."""
    cli = state(ctx)
    counts = check_alerts(cli.engine, cli.settings)
    console.print(f"judged {counts['windows']:,} windows: {counts['spikes']} spikes and {counts['viral']} viral "
                  f"posts raised")


@alerts_app.command("list")
def alerts_list(
    ctx: typer.Context,
    since: Annotated[Optional[str], typer.Option("--since", help="Windows from this day (YYYY-MM-DD).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
) -> None:
    """Alerts raised, the latest window first, with their queue item."""
    cli = state(ctx)
    with session_scope(cli.engine) as session:
        rows = list_alerts(session, limit=limit, since=parse_day(since))
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row))
        return
    table = Table(title=f"alerts: {len(rows)}")
    for column in ("id", "window (UTC)", "kind", "series", "count", "baseline", "item", "summary"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(str(row["id"]), row["window_start"][:16].replace("T", " "), row["kind"], escape(row["series"]),
                      str(row["count"]), f"{row['baseline']:.1f}",
                      f"{row['item_id']} ({row['item_state']})" if row["item_id"] else "-", escape(row["summary"]))
    console.print(table)
