"""`earshot link` (every author against the CRM) and `earshot links …` (review proposed links: confirm, reject)."""

import json
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from earshot.cli.app import app, links_app
from earshot.cli.progress import progress_bar
from earshot.cli.state import console, default_actor, state
from earshot.services.links import decide_link, link_detail, link_json, review_page
from enrich.link_step import link_all_authors
from storage.engine import session_scope

ActorOption = Annotated[str, typer.Option("--as", help="Who decides (kept in the audit trail).")]
NoteOption = Annotated[Optional[str], typer.Option("--note", help="Why, for the audit trail.")]


@app.command("link")
def link_command(ctx: typer.Context) -> None:
    """Look every known author up in the CRM (run after `earshot customers import`; enrich links new authors)."""
    cli = state(ctx)
    with progress_bar() as progress:
        task = progress.add_task("linking authors", total=None)
        new_links = link_all_authors(cli.engine, cli.settings,
                                     on_progress=lambda done, total: progress.update(task, completed=done, total=total))
    console.print(f"{new_links} new links or proposals; review them with `earshot links list`")


@links_app.command("list")
def links_list(
    ctx: typer.Context,
    status: Annotated[str, typer.Option("--status", help="proposed, auto, confirmed, rejected or all.")] = "proposed",
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
) -> None:
    """Customer links, the most confident first (by default the proposals waiting for review)."""
    with session_scope(state(ctx).engine) as session:
        rows, total = review_page(session, status=None if status == "all" else status, limit=limit)
    if as_json:
        for row in rows:
            typer.echo(json.dumps(link_json(row), ensure_ascii=False))
        return
    table = Table(title=f"links ({status}): {len(rows)} of {total}")
    for column in ("id", "status", "confidence", "author", "customer", "method", "evidence"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(str(row.id), row.status, f"{row.confidence:.2f}",
                      escape(f"{row.platform}:@{row.handle} {row.display_name or ''} ({row.location or '-'})"),
                      escape(f"{row.customer_id} {row.customer_name} ({row.customer_city or '-'})"), row.method,
                      escape(", ".join(sorted(row.evidence))))
    console.print(table)


@links_app.command("show")
def links_show(ctx: typer.Context, link_id: Annotated[int, typer.Argument(help="The link's id.")]) -> None:
    """One link with its evidence and its history of decisions (JSON)."""
    with session_scope(state(ctx).engine) as session:
        typer.echo(json.dumps(link_detail(session, link_id=link_id), ensure_ascii=False, indent=2))


def _decide(ctx: typer.Context, link_id: int, decision: str, actor: str, note: str | None) -> None:
    with session_scope(state(ctx).engine) as session:
        view = decide_link(session, link_id=link_id, decision=decision, actor=actor or default_actor(), note=note)
    console.print(escape(f"link {view.id}: {view.platform}:@{view.handle} ↔ {view.customer_id} "
                         f"{view.customer_name} is now {view.status}"))


@links_app.command("confirm")
def links_confirm(ctx: typer.Context, link_id: int, actor: ActorOption = "", note: NoteOption = None) -> None:
    """Confirm that the author is this customer (their other proposals are rejected)."""
    _decide(ctx, link_id, "confirm", actor, note)


@links_app.command("reject")
def links_reject(ctx: typer.Context, link_id: int, actor: ActorOption = "", note: NoteOption = None) -> None:
    """The author is not this customer; the pair is never proposed again."""
    _decide(ctx, link_id, "reject", actor, note)


@links_app.command("unlink")
def links_unlink(ctx: typer.Context, link_id: int, actor: ActorOption = "", note: NoteOption = None) -> None:
    """Undo a link (automatic or confirmed); `confirm` restores it."""
    _decide(ctx, link_id, "unlink", actor, note)
