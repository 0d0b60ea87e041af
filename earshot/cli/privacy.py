"""`earshot forget`: erase a person's data everywhere, keeping only anonymous counts and a record that it happened."""

from typing import Annotated, Optional

import typer

from earshot.cli.app import app
from earshot.cli.state import console, default_actor, state
from earshot.services.privacy import forget
from storage.engine import session_scope


@app.command("forget")
def forget_command(
    ctx: typer.Context,
    customer: Annotated[Optional[str], typer.Option("--customer", help="The customer's id in your CRM.")] = None,
    author: Annotated[Optional[str], typer.Option("--author", help="PLATFORM:HANDLE of a social author.")] = None,
    actor: Annotated[str, typer.Option("--as", help="Who asked for it (kept in the erasure record).")] = "",
) -> None:
    """Erase a customer (CRM record, linked authors and their posts) or an author, in one transaction."""
    with session_scope(state(ctx).engine) as session:
        counts = forget(session, actor=actor or default_actor(), customer=customer, author=author)
    done = ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in sorted(counts.items()) if count)
    console.print(f"erased: {done or 'nothing else held'}; an erasure record was kept (not what was erased)")
