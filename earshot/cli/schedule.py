"""`earshot run` (scheduler + web server) and `earshot schedule list`."""

import signal
import threading
from collections.abc import Callable
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from config.errors import EarshotError
from earshot.cli.app import app, schedule_app
from earshot.cli.serve import DEFAULT_HOST, DEFAULT_PORT
from earshot.cli.serve import serve as serve_ui
from earshot.cli.state import CliState, console, state
from earshot.services.schedule import last_runs
from listener.leader import Leadership, lead_when_possible
from storage.engine import session_scope
from storage.repo.leases import new_holder


def run_scheduler(cli: CliState, *, serve: bool, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                  source: str | None = None, drain: bool = True) -> None:
    """Run the schedule until Ctrl-C or SIGTERM; with `serve`, the web server runs in the foreground. Several of
    these may run against one store: one leads the schedule, the others stand by (listener/leader.py)."""
    settings = cli.settings
    if source is not None:
        settings = settings.model_copy(update={"listen": [t for t in settings.listen if t.platform == source]})
    if not any(t.enabled for t in settings.listen):
        raise EarshotError("nothing to schedule: add [[listen]] targets to the config (see the README)")

    def start_schedule() -> Callable[[], None]:
        from listener.scheduler import EarshotScheduler  # every stage's modules: imported when a leader starts

        scheduler = EarshotScheduler(cli.engine, settings, drain=drain)
        scheduler.start()
        jobs = scheduler.jobs()
        console.print(f"scheduled {len(jobs)} jobs: {', '.join(job.id for job in jobs)}", markup=False)
        return scheduler.shutdown

    stop = stop_on_signals()
    leadership = Leadership(cli.engine, new_holder("scheduler"), settings.workers.leader_lease)
    leader = threading.Thread(target=lead_when_possible, name="scheduler-leader",
                              args=(leadership, stop, start_schedule, lambda line: console.print(line, markup=False)))
    leader.start()
    try:
        if serve:
            serve_ui(cli, host, port)  # uvicorn handles the signal itself, then passes it on to our handler
        else:
            console.print("running; Ctrl-C or SIGTERM stops")
            while not stop.wait(1):
                pass
    finally:
        console.print("stopping: finishing the batch in hand ...")
        stop.set()
        leader.join()
        console.print("stopped")


def stop_on_signals() -> threading.Event:
    """Ctrl-C and SIGTERM set the returned event instead of killing the process, so shutdown can finish."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


@app.command("run")
def run_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = DEFAULT_PORT,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Run the schedule without the web server.")] = False,
) -> None:
    """Run every configured target on its interval, enrich and route behind it, and serve the web UI."""
    run_scheduler(state(ctx), serve=not no_serve, host=host, port=port)


@schedule_app.command("list")
def schedule_list(ctx: typer.Context) -> None:
    """Show scheduled jobs with their interval, next run, last run and last error."""
    from listener.scheduler import COLLECT_PREFIX, stored_jobs

    cli = state(ctx)
    jobs = stored_jobs(cli.engine)
    unscheduled = [t.name for t in cli.settings.listen if t.enabled and COLLECT_PREFIX + t.name not in {j.id for j in jobs}]
    with session_scope(cli.engine) as session:
        runs = last_runs(session)
    table = Table(title="schedule")
    for column in ("job", "every", "next run (UTC)", "last run (UTC)", "last result", "last error"):
        table.add_column(column, overflow="fold")
    for job in jobs:
        last = runs.get(job.target or "pipeline")
        table.add_row(
            escape(job.id), f"{job.every_seconds:g}s",
            job.next_run.strftime("%Y-%m-%d %H:%M:%S") if job.next_run else "paused",
            last.finished_at.strftime("%Y-%m-%d %H:%M:%S") if last and last.finished_at else "-",
            escape(", ".join(f"{k} {v}" for k, v in (last.counts if last else {}).items() if v)) or "-",
            escape(last.error or "-") if last else "-",
        )
    console.print(table)
    if unscheduled:
        console.print(f"configured but not scheduled yet (`earshot run` schedules them): {', '.join(unscheduled)}",
                      markup=False)
