"""`earshot db upgrade|current`: apply or show the schema migrations."""

import typer

from earshot.cli.app import db_app
from earshot.cli.state import console, state
from storage.engine import make_engine
from storage.migrate import current_revision, head_revision, upgrade


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply all migrations to the configured database."""
    engine = make_engine(state(ctx).settings.database_url)
    upgrade(engine)
    console.print(f"database at revision {current_revision(engine)} (head {head_revision()})")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Show the database's schema revision."""
    engine = make_engine(state(ctx).settings.database_url)
    console.print(f"database at revision {current_revision(engine) or '(empty)'} (head {head_revision()})")
