"""Errors on the command line: one clear line; the traceback only with --verbose."""

import logging
import traceback

import click
import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from sqlalchemy.exc import SQLAlchemyError

from config.errors import EarshotError
from storage.errors import store_problem

stderr = Console(stderr=True)


class ErrorReportingGroup(TyperGroup):
    """Catches errors from any command below it and reports them in one line."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, typer.Exit, typer.Abort):
            raise
        except EarshotError as exc:
            _report(ctx, f"error: {exc}")
        except SQLAlchemyError as exc:
            advice = store_problem(exc)
            _report(ctx, f"error: {advice}" if advice else f"unexpected error: {exc.__class__.__name__}: "
                    f"{_first_line(exc)} (rerun with --verbose for details)")
        except KeyboardInterrupt:
            _report(ctx, "interrupted; work stored so far is kept, and a rerun picks up where this stopped")
        except Exception as exc:  # a bug: still one line, details on request
            _report(ctx, f"unexpected error: {exc.__class__.__name__}: {_first_line(exc)} (rerun with --verbose for details)")


def _report(ctx: click.Context, message: str) -> None:
    if is_verbose(ctx):
        stderr.print(escape(traceback.format_exc()), highlight=False)
    stderr.print(f"[red]{escape(message)}[/red]", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


def is_verbose(ctx: click.Context) -> bool:
    root = ctx.find_root()
    return bool(root.obj and getattr(root.obj, "verbose", False)) or logging.getLogger().level == logging.DEBUG


def _first_line(exc: Exception, limit: int = 300) -> str:
    lines = str(exc).strip().splitlines() or [""]
    return lines[0] if len(lines[0]) <= limit else lines[0][: limit - 1] + "…"
