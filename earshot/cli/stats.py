"""`earshot stats`: counts across the store (posts, enriched, linked, queue per team)."""

import json
from typing import Annotated

import typer
from rich.table import Table

from earshot.cli.app import app
from earshot.cli.state import console, state
from earshot.services.stats import store_stats
from storage.engine import session_scope


@app.command("stats")
def stats_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Show what the store holds."""
    cli = state(ctx)
    with session_scope(cli.engine) as session:
        stats = store_stats(session)
    if as_json:
        typer.echo(json.dumps(stats, sort_keys=True))
        return
    console.print(stats_table(stats))


def stats_table(stats: dict) -> Table:
    table = Table(title="Earshot store")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key in ("posts", "enriched", "complaints", "customers", "linked", "links_to_review"):
        table.add_row(key.replace("_", " "), f"{stats[key]:,}")
    for stage, count in sorted(stats["lifecycle"].items()):
        table.add_row(f"customers: {stage.replace('_', ' ')}", f"{count:,}")
    for platform, count in sorted(stats["posts_by_platform"].items()):
        table.add_row(f"posts on {platform}", f"{count:,}")
    for label, count in sorted(stats["sentiment"].items()):
        table.add_row(f"sentiment {label}", f"{count:,}")
    for team, count in stats["queue"].items():
        table.add_row(f"queue: {team}", f"{count:,}")
    return table
