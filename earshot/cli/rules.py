"""`earshot rules explain POST`: the rule that routed a post and why, and each rule the current config tries."""

import json
from typing import Annotated

import typer
from rich.markup import escape

from earshot.cli.app import rules_app
from earshot.cli.state import console, state
from earshot.services.routing import explain_post
from storage.engine import session_scope


@rules_app.command("explain")
def rules_explain(
    ctx: typer.Context,
    post: Annotated[str, typer.Argument(help="The store's post id, or PLATFORM:ID (x:1858000000000000101).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Why a post was routed where it was; then every rule in order as the current config would try it."""
    cli = state(ctx)
    with session_scope(cli.engine) as session:
        report = explain_post(session, cli.settings, post=post)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    stored = report["stored"]
    if stored["rule"]:
        console.print(escape(f"post {report['post_id']}: routed by {stored['rule']} to {stored['team'] or 'no queue'}"
                             f" at {stored['decided_at']}" + (f" (item {stored['queue_item']})"
                                                              if stored["queue_item"] else "")))
        for reason in stored["reasons"]:
            console.print(escape(f"  because {reason}"))
    else:
        console.print(f"post {report['post_id']}: not routed yet (run `earshot route`)")
    console.print("with the current rules:")
    for check in report["now"]:
        mark = "✓" if check["matched"] else "✗"
        why = "; ".join(check["held"]) if check["matched"] else f"{check['failed']} does not hold"
        console.print(escape(f"  {mark} {check['rule']}: {why}"))
