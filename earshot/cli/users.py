"""`earshot users add|list|disable`: staff who sign in to the web UI and the API, each with one role."""

import sys
from typing import Annotated

import typer
from rich.table import Table

from config.errors import EarshotError
from earshot.cli.app import users_app
from earshot.cli.state import CliState, console, state
from earshot.services.auth import hash_password
from storage.engine import session_scope
from storage.models.staff import ROLES
from storage.repo.staff import disable_user, list_users, save_user

MIN_PASSWORD = 8
DEMO_USERS = {role: role for role in ROLES}  # name -> role; each with the password "demo" (only in the demo)
DEMO_PASSWORD = "demo"


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        raise EarshotError(f"a password needs at least {MIN_PASSWORD} characters")
    return password


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user name they sign in with.")],
    role: Annotated[str, typer.Option("--role", help=f"One of {', '.join(ROLES)}.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Add a staff user (or reset an existing user's role and password); the password is prompted for."""
    if role not in ROLES:
        raise EarshotError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    password = _read_password(password_stdin)
    with session_scope(state(ctx).engine) as session:
        user = save_user(session, name=name, role=role, password_hash=hash_password(password))
    console.print(f"user {user.name} ({user.role}) can sign in")


@users_app.command("list")
def users_list(ctx: typer.Context) -> None:
    """Staff users and their roles."""
    with session_scope(state(ctx).engine) as session:
        rows = [(u.name, u.role, "disabled" if u.disabled else "active") for u in list_users(session)]
    table = Table(title=f"users: {len(rows)}")
    for column in ("name", "role", "status"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)


@users_app.command("disable")
def users_disable(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The user name.")]) -> None:
    """Stop a user signing in, and end their sessions and tokens."""
    with session_scope(state(ctx).engine) as session:
        disable_user(session, name=name)
    console.print(f"user {name} is disabled")


def ensure_demo_users(cli: CliState) -> None:
    """The demo's accounts, one per role, each with the password "demo"; printed so a newcomer can sign in."""
    with session_scope(cli.engine) as session:
        for name, role in DEMO_USERS.items():
            save_user(session, name=name, role=role, password_hash=hash_password(DEMO_PASSWORD))
    console.print("demo accounts (password \"demo\"): " + ", ".join(f"{n} ({r})" for n, r in DEMO_USERS.items()))
