"""`earshot users add|list|disable`: staff who sign in to the web UI and the API, each with one role."""

import json
import sys
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from config.errors import EarshotError
from earshot.cli.app import users_app
from earshot.cli.state import CliState, console, state
from earshot.services.auth import hash_password
from storage.engine import session_scope
from storage.models.staff import ROLES
from storage.repo.agents import set_agent, teams_of
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


@users_app.command("set")
def users_set(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user name.")],
    available: Annotated[Optional[bool], typer.Option("--available/--away", help="Takes automatically assigned "
                                                                                "items (or not).")] = None,
    capacity: Annotated[Optional[int], typer.Option("--capacity", min=0, max=1000,
                                                    help="Open items they may have at most.")] = None,
    teams: Annotated[Optional[str], typer.Option("--teams", help="Comma-separated teams they also work "
                                                                 "(beyond their role's own); '' for none.")] = None,
    languages: Annotated[Optional[str], typer.Option("--languages", help="Comma-separated languages they answer "
                                                                         "in (ISO 639-1); '' for any.")] = None,
    products: Annotated[Optional[str], typer.Option("--products", help="Comma-separated SKUs they know; '' for "
                                                                       "any.")] = None,
) -> None:
    """Set how a user takes queue work: availability, capacity, teams and skills (for automatic assignment)."""
    with session_scope(state(ctx).engine) as session:
        user = set_agent(session, name=name, available=available, capacity=capacity, teams=_names(teams),
                         languages=_names(languages), products=_names(products))
        console.print(escape(_agent_line(user)))


def _names(value: str | None) -> list[str] | None:
    return None if value is None else [part.strip() for part in value.split(",") if part.strip()]


def _agent_line(user) -> str:
    skills = ", ".join(filter(None, [f"languages {'/'.join(user.languages)}" if user.languages else "",
                                     f"products {'/'.join(user.products)}" if user.products else ""]))
    return (f"{user.name} ({user.role}): {'available' if user.available else 'away'}, capacity {user.capacity}"
            f"{', teams ' + '/'.join(sorted(teams_of(user))) if teams_of(user) else ''}"
            f"{', ' + skills if skills else ''}")


@users_app.command("list")
def users_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
) -> None:
    """Staff users, their roles and how they take queue work."""
    with session_scope(state(ctx).engine) as session:
        users = [{"name": u.name, "role": u.role, "disabled": u.disabled, "available": u.available,
                  "capacity": u.capacity, "teams": sorted(teams_of(u)), "languages": u.languages,
                  "products": u.products} for u in list_users(session)]
    if as_json:
        for user in users:
            typer.echo(json.dumps(user))
        return
    table = Table(title=f"users: {len(users)}")
    for column in ("name", "role", "status", "queue", "capacity", "teams", "languages", "products"):
        table.add_column(column)
    for u in users:
        table.add_row(*map(escape, (u["name"], u["role"], "disabled" if u["disabled"] else "active",
                                    "available" if u["available"] else "away", str(u["capacity"]),
                                    ", ".join(u["teams"]) or "-", ", ".join(u["languages"]) or "any",
                                    ", ".join(u["products"]) or "any")))
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
