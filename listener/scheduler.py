"""Scheduling (APScheduler 3): one interval job per listening target and a drain job for enrich + route.

Jobs live in APScheduler's SQLAlchemy job store in the project's own database, so a restarted process finds
them (with their next run times) where it left them. Job functions are module-level and take only a target
name, so the store can persist them; they reach the settings and engine through the running `Runtime`.
"""

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from analytics.alerts import check_alerts
from analytics.rollup import refresh_trends
from config.settings import Settings
from crm.refresh import refresh_customers
from engage.assignment import assign_waiting
from engage.router import route_pending
from engage.sla import escalate_overdue
from enrich.batch import OpenEnrichers
from enrich.pipeline import enrich_pending
from listener.run import collect_target
from storage.types import utcnow

log = logging.getLogger(__name__)
COLLECT_PREFIX = "collect:"
DRAIN_JOB = "drain"
CUSTOMER_MODELS_JOB = "customer-models"  # daily: churn risk depends on the date, not only on new data


@dataclass
class Runtime:
    engine: Engine
    settings: Settings
    stopping: threading.Event = field(default_factory=threading.Event)
    enrichers: OpenEnrichers = field(default_factory=OpenEnrichers)  # opened by the first drain, kept for the next


class _RoutineSchedulerNews(logging.Filter):
    """APScheduler warns when a job's turn comes while its last run is still going (the turn is skipped: a drain
    of a big backlog outlasts its interval) and logs a traceback for jobs falling due while it shuts down. Both are
    how it is meant to work here, not problems: they go to the debug log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        routine = "maximum number of running instances reached" in message or (
            message.startswith("Error submitting job") and _runtime is not None and _runtime.stopping.is_set())
        if routine:
            log.debug("scheduler: %s", message.splitlines()[0])
        return not routine


logging.getLogger("apscheduler.scheduler").addFilter(_RoutineSchedulerNews())


_runtime: Runtime | None = None


def run_collect_job(target_name: str) -> None:
    """Collect one target once (called by the scheduler)."""
    runtime = _require_runtime()
    target = next((t for t in runtime.settings.listen if t.name == target_name and t.enabled), None)
    if target is None:
        log.warning("scheduled target %s is no longer configured; skipping", target_name)
        return
    run = collect_target(runtime.engine, runtime.settings, target, should_stop=runtime.stopping.is_set)
    log.info("%s: %s", target_name, dict(run.counts))


def run_drain_job() -> None:
    """Enrich and route whatever collection stored since the last drain, escalate items past their SLA, hand new
    items to available agents (teams with auto_assign), then refresh the customer models of whoever changed and the
    trend buckets of the hours that changed, and raise alerts for spikes and viral posts (called by the scheduler)."""
    runtime = _require_runtime()
    enrich_pending(runtime.engine, runtime.settings, should_stop=runtime.stopping.is_set, opened=runtime.enrichers)
    route_pending(runtime.engine, runtime.settings, should_stop=runtime.stopping.is_set)
    escalate_overdue(runtime.engine, runtime.settings)
    assign_waiting(runtime.engine, runtime.settings)
    refresh_customers(runtime.engine)
    refresh_trends(runtime.engine, runtime.settings)
    check_alerts(runtime.engine, runtime.settings)


def run_customer_models_job() -> None:
    """Every customer's lifecycle and churn risk again, once a day (reasons age out of the 90-day window)."""
    runtime = _require_runtime()
    refresh_customers(runtime.engine, everyone=True)


def _require_runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("the scheduler runtime is not set; start jobs through EarshotScheduler")
    return _runtime


@dataclass(frozen=True)
class JobInfo:
    id: str
    target: str | None
    every_seconds: float
    next_run: datetime | None


class EarshotScheduler:
    """Start, reconcile with the config, and stop the persistent schedule."""

    def __init__(self, engine: Engine, settings: Settings, *, drain: bool = True) -> None:
        self.runtime = Runtime(engine=engine, settings=settings)
        self.drain = drain
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=engine)},
            job_defaults={
                "max_instances": 1,
                "coalesce": True,
                "misfire_grace_time": int(settings.schedule.misfire_grace.total_seconds()),
            },
            timezone="UTC",
        )

    def start(self) -> None:
        global _runtime
        _runtime = self.runtime
        self.scheduler.start(paused=True)
        self.sync_jobs()
        self.scheduler.resume()

    def sync_jobs(self) -> None:
        """Make the stored jobs match the config; unchanged jobs keep their next run time."""
        wanted: dict[str, tuple[Any, float, list[str]]] = {
            COLLECT_PREFIX + t.name: (run_collect_job, t.every.total_seconds(), [t.name])
            for t in self.runtime.settings.listen
            if t.enabled
        }
        if self.drain:
            wanted[DRAIN_JOB] = (run_drain_job, self.runtime.settings.schedule.drain_every.total_seconds(), [])
            wanted[CUSTOMER_MODELS_JOB] = (run_customer_models_job, 86_400.0, [])
        for job in self.scheduler.get_jobs():
            if job.id not in wanted:
                log.info("removing job %s (no longer configured)", job.id)
                job.remove()
        for job_id, (function, seconds, args) in wanted.items():
            existing = self.scheduler.get_job(job_id)
            if existing is not None and existing.trigger.interval.total_seconds() == seconds:
                continue
            self.scheduler.add_job(
                function, "interval", seconds=seconds, id=job_id, args=args, replace_existing=True,
                next_run_time=utcnow(),
            )

    def jobs(self) -> list[JobInfo]:
        return [_info(job) for job in self.scheduler.get_jobs()]

    def shutdown(self) -> None:
        """Ask running jobs to stop after the batch in hand (each batch is committed whole), then wait for them."""
        self.runtime.stopping.set()
        if self.scheduler.running:
            self.scheduler.pause()  # no new runs while the ones in hand finish
            self.scheduler.shutdown(wait=True)


def stored_jobs(engine: Engine) -> list[JobInfo]:
    """The jobs in the store, read without starting a scheduler (which would run any that are due)."""
    store = SQLAlchemyJobStore(engine=engine)
    store.start(BackgroundScheduler(timezone="UTC"), "default")
    try:
        return [_info(job) for job in store.get_all_jobs()]
    finally:
        store.shutdown()


def _info(job: Any) -> JobInfo:
    return JobInfo(
        id=job.id,
        target=job.args[0] if job.id.startswith(COLLECT_PREFIX) else None,
        every_seconds=job.trigger.interval.total_seconds(),
        next_run=job.next_run_time,
    )
