"""`earshot collect|enrich|route`: run one stage of the flow over the store, with progress and counts.

The stages' own modules (spaCy, the platform clients, the routing rules) are imported when a command runs, not when
the command line starts: `earshot --help` or `earshot serve` does not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console

from earshot.cli.app import app
from earshot.cli.progress import advance_and_draw, progress_bar
from earshot.cli.reporting import counts_table, print_problems
from earshot.cli.state import CliState, console, state

if TYPE_CHECKING:
    from engage.router import RouteRun
    from enrich.pipeline import EnrichRun
    from listener.run import CollectRun

stderr = Console(stderr=True)


def run_collect(cli: CliState, *, source: str | None = None) -> list[CollectRun]:
    from listener.run import collect

    if not cli.settings.listen:
        stderr.print("no listening targets configured; add [[listen]] tables to earshot.toml (see the README)",
                     markup=False)
        return []
    with progress_bar() as progress:
        task = progress.add_task("collecting", total=None)
        runs = collect(cli.engine, cli.settings, source=source,
                       on_batch=lambda run, batch: progress.advance(task, batch.fetched))
    for run in runs:
        if run.not_configured:
            stderr.print(f"{run.target}: {run.platform} not configured: {run.not_configured}", markup=False)
        if run.error:
            stderr.print(f"{run.target}: {run.error}", markup=False, style="red")
        print_problems(run.problems, verbose=cli.verbose)
    columns = ["fetched", "new", "duplicates", "noise", "malformed", "errors"]
    rows = [(r.target, {**r.counts, "budget left": r.budget_left} if r.budget_left is not None else r.counts) for r in runs]
    if any(r.budget_left is not None for r in runs):
        columns.append("budget left")
    console.print(counts_table("collected", rows, columns))
    return runs


def run_enrich(cli: CliState, *, rerun: list[str] | None = None) -> EnrichRun:
    from enrich.pipeline import enrich_pending

    everything = bool(rerun) and "all" in rerun
    only = [] if everything or not rerun else rerun
    with progress_bar(refresh_thread=False) as progress:
        task = progress.add_task("enriching", total=None)
        run = enrich_pending(cli.engine, cli.settings, rerun=everything, only=only,
                             on_batch=lambda n: advance_and_draw(progress, task, n))
    print_problems(run.errors, verbose=cli.verbose)
    console.print(counts_table("enriched", [("posts", run.counts)], ["enriched", "errors", "new_links"]))
    return run


def run_route(cli: CliState) -> RouteRun:
    from engage.router import route_pending

    with progress_bar() as progress:
        task = progress.add_task("routing", total=None)
        run = route_pending(cli.engine, cli.settings, on_batch=lambda n: progress.advance(task, n))
    columns = ["routed", "queued", "attached", "rerouted", "unchanged", "kept", "not_queued"]
    console.print(counts_table("routed", [("posts", run.counts)], columns))
    return run


@app.command("collect")
def collect_command(
    ctx: typer.Context,
    source: Annotated[Optional[str], typer.Option("--source", help="Only targets of this platform (replay, x, reddit).")] = None,
    once: Annotated[bool, typer.Option("--once", help="Collect once and exit (default: keep collecting on each target's interval).")] = False,
    recheck: Annotated[bool, typer.Option("--recheck-deleted", help="Ask the platforms which recent posts were deleted, and drop their text.")] = False,
) -> None:
    """Collect new posts from the configured targets."""
    cli = state(ctx)
    if recheck:
        from listener.run import recheck_deleted

        for run in recheck_deleted(cli.engine, cli.settings, source=source):
            message = run.error or f"{run.checked} recent posts checked, {run.deleted} deleted upstream"
            console.print(f"{run.target}: {message}", markup=False)
        return
    if once:
        run_collect(cli, source=source)
        return
    from earshot.cli.schedule import run_scheduler

    run_scheduler(cli, serve=False, source=source, drain=False)


@app.command("enrich")
def enrich_command(
    ctx: typer.Context,
    rerun: Annotated[Optional[list[str]], typer.Option(
        "--rerun", metavar="NAME", help="Recompute only this enricher's results on every enriched post (repeatable; "
        "`all`: every enricher on every post).")] = None,
) -> None:
    """Enrich posts that have not been enriched yet (or recompute with --rerun)."""
    run_enrich(state(ctx), rerun=rerun)


@app.command("route")
def route_command(ctx: typer.Context) -> None:
    """Route enriched posts into the PR and support queues."""
    run_route(state(ctx))
