"""`earshot worker collect|enrich|route`: one stage, run by a long-lived process beside any number of others."""

import os
from datetime import datetime
from typing import Annotated, Optional

import typer

from earshot.cli.app import worker_app
from earshot.cli.schedule import stop_on_signals
from earshot.cli.state import CliState, console, state
from earshot.services.workers import (WorkerContext, collect_round, enrich_round, keep_working, open_store,
                                      route_round)
from storage.repo.leases import new_holder

Once = Annotated[bool, typer.Option("--once", help="Stop when there is nothing left to do (default: keep polling).")]


def _context(cli: CliState, role: str) -> WorkerContext:
    holder = new_holder(role)
    stop = stop_on_signals()

    def say(line: str) -> None:
        console.print(f"{datetime.now():%H:%M:%S} {role}: {line}", markup=False, highlight=False, soft_wrap=True)

    engine = open_store(lambda: cli.engine, stop, say)  # (the schema checked too) a store not up yet is waited for
    if engine is None:
        raise typer.Exit(0)  # stopped before the store came up
    if cli.settings.workers.nice and hasattr(os, "nice"):
        os.nice(cli.settings.workers.nice)  # people waiting on the web server come first; its enrich processes too
    say(f"started as {holder}; Ctrl-C or SIGTERM stops after the batch in hand")
    return WorkerContext(engine=engine, settings=cli.settings, holder=holder, stop=stop, say=say)


@worker_app.command("enrich")
def worker_enrich(
    ctx: typer.Context,
    concurrency: Annotated[int, typer.Option("--concurrency", min=0, max=64, help=(
        "Processes that run the enrichers (0: one per core; 1: this process alone)."))] = 0,
    once: Once = False,
) -> None:
    """Enrich new posts as they arrive, sharing them with the other enrich workers."""
    from enrich.batch import OpenEnrichers

    cli = state(ctx)
    work = _context(cli, "enrich")
    work.settings = cli.settings.model_copy(
        update={"enrich": cli.settings.enrich.model_copy(update={"workers": concurrency})})
    enrichers = OpenEnrichers()  # opened at the first round, kept for the next while the catalog is the same
    keep_working(work, lambda work: enrich_round(work, enrichers), once=once)


@worker_app.command("route")
def worker_route(ctx: typer.Context, once: Once = False) -> None:
    """Route enriched posts into the queues as they arrive, sharing them with the other route workers."""
    keep_working(_context(state(ctx), "route"), route_round, once=once)


@worker_app.command("collect")
def worker_collect(
    ctx: typer.Context,
    source: Annotated[Optional[str], typer.Option("--source", help="Only targets of this platform.")] = None,
    once: Once = False,
) -> None:
    """Collect each target on its interval; several collect workers split the targets between them."""
    keep_working(_context(state(ctx), "collect"), lambda work: collect_round(work, source), once=once)
