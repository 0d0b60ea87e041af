"""What every command shares: settings and the engine, built lazily from --config and the environment."""

import getpass
import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import typer
from rich.console import Console
from rich.logging import RichHandler
from sqlalchemy import Engine

from config.settings import Settings, load_settings
from storage.engine import make_engine
from storage.migrate import ensure_current

console = Console()
err_console = Console(stderr=True)  # notes beside output that goes to stdout (exports)


@dataclass
class CliState:
    config_file: Path | None = None
    verbose: bool = False
    overrides: dict = field(default_factory=dict)

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.config_file, **self.overrides)

    @cached_property
    def engine(self) -> Engine:
        engine = make_engine(self.settings.database_url)
        ensure_current(engine)
        return engine


def state(ctx: typer.Context) -> CliState:
    return ctx.find_root().obj


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=Console(stderr=True), show_path=verbose, markup=False)],
        force=True,
    )
    for noisy in ("alembic", "httpx", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.WARNING)


def default_actor() -> str:
    """Who a CLI action is recorded as when `--as` is not given: the login name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"
