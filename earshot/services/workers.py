"""`earshot worker collect|enrich|route`: a stage run over and over by a long-lived process, sharing the store
with any number of others (on this machine or others). Enrich and route workers claim posts with a lease
(storage/repo/claims.py); collect workers take each target with a lease that also keeps it until its next interval
(storage/repo/leases.py). An idle worker looks for work every [workers] poll_every; when the store cannot be reached
it says so in one line and retries, waiting longer each time (up to a minute), without a restart.

Each round imports its own stage, so a route or collect worker never loads the enrichers (spaCy and the models).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from config.errors import EarshotError
from config.settings import Settings
from storage.engine import session_scope
from storage.errors import known_store_problem
from storage.repo.claims import anything_due
from storage.repo.leases import take_lease

if TYPE_CHECKING:
    from enrich.batch import OpenEnrichers

log = logging.getLogger(__name__)
FIRST_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS = 1.0, 60.0


@dataclass
class WorkerContext:
    engine: Engine
    settings: Settings
    holder: str
    stop: threading.Event
    say: Callable[[str], None]


def enrich_round(work: WorkerContext, enrichers: OpenEnrichers) -> int:
    """Enrich what is due, if anything, with the enrichers this worker keeps open; the posts enriched."""
    from enrich.pipeline import STAGE as ENRICH, enrich_pending

    if not _due(work, ENRICH):
        return 0
    run = enrich_pending(work.engine, work.settings, holder=work.holder, should_stop=work.stop.is_set,
                         opened=enrichers)
    work.say(f"enriched {run.counts['enriched']} posts ({run.counts['errors']} with errors)")
    return run.counts["enriched"]


def route_round(work: WorkerContext) -> int:
    from engage.router import STAGE as ROUTE, route_pending

    if not _due(work, ROUTE):
        return 0
    run = route_pending(work.engine, work.settings, holder=work.holder, should_stop=work.stop.is_set)
    work.say(f"routed {run.counts['routed']} posts ({run.counts['queued']} queued)")
    return run.counts["routed"]


def _due(work: WorkerContext, stage: str) -> bool:
    """A cheap look before a round: is any post of the stage due and unclaimed?"""
    with session_scope(work.engine) as session:
        return anything_due(session, stage=stage)


def collect_round(work: WorkerContext, source: str | None = None) -> int:
    """Collect every target that is due and that no other worker holds; the posts fetched. A target is held with
    the [workers] lease while it is collected (renewed after each batch), then kept until its next interval."""
    from listener.run import collect_target, targets_for

    fetched = 0
    for target in targets_for(work.settings, source):
        if work.stop.is_set():
            break
        name = f"collect:{target.name}"
        with session_scope(work.engine) as session:
            if not take_lease(session, name=name, holder=work.holder, duration=work.settings.workers.lease,
                              renew=False):
                continue

        def still_mine(*_: object) -> None:
            with session_scope(work.engine) as session:
                take_lease(session, name=name, holder=work.holder, duration=work.settings.workers.lease)

        run = collect_target(work.engine, work.settings, target, on_batch=still_mine, should_stop=work.stop.is_set)
        with session_scope(work.engine) as session:  # not before its interval, by anyone
            take_lease(session, name=name, holder=work.holder, duration=target.every)
        fetched += run.counts["fetched"]
        work.say(f"{target.name}: fetched {run.counts['fetched']}, new {run.counts['new']}"
                 + (f"; {run.error}" if run.error else ""))
    return fetched


def open_store(open_engine: Callable[[], Engine], stop: threading.Event, say: Callable[[str], None],
               first_backoff: float = FIRST_BACKOFF_SECONDS) -> Engine | None:
    """The store's engine, once it can be reached (a worker may start before its database does: one line per try,
    waiting longer each time); None if `stop` is set first."""
    backoff = first_backoff
    while not stop.is_set():
        try:
            return open_engine()
        except (SQLAlchemyError, EarshotError) as exc:
            failure = exc if isinstance(exc, SQLAlchemyError) else exc.__cause__  # the schema check words its own
            if not isinstance(failure, SQLAlchemyError):
                raise  # not the store being away (a schema newer than this code, ...): no use waiting
            backoff = _back_off(say, stop, failure, backoff)
    return None


def keep_working(work: WorkerContext, round_of_work: Callable[[WorkerContext], int], *, once: bool = False) -> None:
    """Run rounds until `stop` is set (with `once`: until a round finds nothing to do)."""
    poll = work.settings.workers.poll_every.total_seconds()
    backoff = first_backoff = max(poll, FIRST_BACKOFF_SECONDS)
    while not work.stop.is_set():
        try:
            done = round_of_work(work)
        except SQLAlchemyError as exc:
            backoff = _back_off(work.say, work.stop, exc, backoff)
            continue
        backoff = first_backoff
        if done:
            continue
        if once:
            return
        work.stop.wait(poll)


def _back_off(say: Callable[[str], None], stop: threading.Event, exc: SQLAlchemyError, backoff: float) -> float:
    """Say what failed in one line, wait `backoff` (or until stopped); the next, longer wait."""
    problem = known_store_problem(exc)
    say(f"{problem.in_short if problem else f'the store failed ({type(exc).__name__})'}; trying again in {backoff:g} s")
    log.debug("store failure", exc_info=True)
    stop.wait(backoff)
    return min(backoff * 2, MAX_BACKOFF_SECONDS)
