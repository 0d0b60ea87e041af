"""`earshot queue list|sla|assign`: the engagement queue, its SLA breaches and automatic assignment, in the terminal."""

import json
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from config.errors import EarshotError
from earshot.cli.app import queue_app
from earshot.cli.state import console, err_console, state
from earshot.services.queue import QueueFilter, count_queue, list_queue
from engage.assignment import assign_waiting
from engage.sla import escalate_overdue
from storage.engine import session_scope


@queue_app.command("list")
def queue_list(
    ctx: typer.Context,
    team: Annotated[Optional[str], typer.Option("--team", help="pr, support, or another team.")] = None,
    item_state: Annotated[Optional[str], typer.Option("--state", help="new, assigned, replied or resolved.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
) -> None:
    """List queue items, most urgent first."""
    cli = state(ctx)
    with session_scope(cli.engine) as session:
        rows = list_queue(session, team=team, state=item_state, limit=limit)
        total = count_queue(session, team=team, state=item_state)
    if as_json:
        for row in rows:
            typer.echo(json.dumps({**row.__dict__, "due_at": _iso(row.due_at), "created_at": _iso(row.created_at)}))
        return
    table = Table(title=f"{team or 'all teams'}: {len(rows)} of {total} items")
    for column in ("id", "P", "state", "author", "sentiment", "customer", "text", "rule"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row.id), str(row.priority), row.state,
            escape(f"@{row.author_handle} ({row.followers:,})" if row.author_handle else "alert"),
            row.sentiment_label or "-",
            escape(row.customer_name or "-"), escape(_shorten(row.text)), escape(row.rule),
        )
    console.print(table)


def _shorten(text: str, width: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@queue_app.command("sla")
def queue_sla(
    ctx: typer.Context,
    escalate: Annotated[bool, typer.Option("--escalate", help="Escalate them now (the scheduler does this on "
                                                              "every drain).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
) -> None:
    """Open items past their due time (SLA breaches), the most overdue first."""
    cli = state(ctx)
    if escalate:
        escalated = escalate_overdue(cli.engine, cli.settings)["escalated"]
        err_console.print(f"escalated {escalated} items")
    with session_scope(cli.engine) as session:
        rows = list_queue(session, where=QueueFilter(overdue=True), limit=1000)
    rows.sort(key=lambda row: row.due_at)
    if as_json:
        for row in rows:
            typer.echo(json.dumps({**row.__dict__, "due_at": _iso(row.due_at), "created_at": _iso(row.created_at)}))
        return
    table = Table(title=f"SLA breaches: {len(rows)}")
    for column in ("id", "team", "P", "state", "assignee", "due", "text"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(str(row.id), row.team, str(row.priority), row.state, escape(row.assignee or "-"),
                      row.due_at.strftime("%Y-%m-%d %H:%M"), escape(_shorten(row.text, 60)))
    console.print(table)


@queue_app.command("assign")
def queue_assign(ctx: typer.Context) -> None:
    """Hand waiting items to available agents now, round-robin within capacity and skills (teams with
    `auto_assign = true`; the scheduler does this on every drain)."""
    cli = state(ctx)
    teams = [name for name, team in cli.settings.teams.items() if team.auto_assign]
    if not teams:
        raise EarshotError("no team assigns automatically; set `auto_assign = true` under [teams.NAME] in the config")
    counts = assign_waiting(cli.engine, cli.settings)
    console.print(f"{', '.join(sorted(teams))}: assigned {counts['assigned']}, "
                  f"{counts['waiting']} waiting for someone with room or the skills")
