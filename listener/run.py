"""The collect stage: run each configured target's collector and store its batches with their cursors."""

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine

import listener.builtin  # noqa: F401  (registers the built-in collectors)
from config.errors import EarshotError, NotConfigured
from config.settings import Settings
from listener.base import CollectContext, CollectedBatch, Collector, collectors
from storage.engine import session_scope
from storage.repo.posts import mark_deleted, recent_external_ids, store_posts
from storage.repo.runs import load_cursor, record_run, save_cursor
from storage.repo.usage import add_reads, reads_this_month
from storage.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class CollectRun:
    """What one target's run did."""

    target: str
    platform: str
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    not_configured: str | None = None
    error: str | None = None
    budget_left: int | None = None


def collect(
    engine: Engine,
    settings: Settings,
    *,
    source: str | None = None,
    on_batch: Callable[[CollectRun, CollectedBatch], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> list[CollectRun]:
    """Collect once from every enabled target (or those of platform `source`)."""
    runs = []
    for target in targets_for(settings, source):
        if should_stop():
            break
        runs.append(collect_target(engine, settings, target, on_batch=on_batch, should_stop=should_stop))
    return runs


def targets_for(settings: Settings, source: str | None) -> list[Any]:
    if source is not None:
        collectors.get(source)  # an unknown source name is an error listing the allowed ones
    return [t for t in settings.listen if t.enabled and (source is None or t.platform == source)]


def build_collector(target: Any, settings: Settings) -> Collector:
    return collectors.get(target.platform).from_target(target, settings)


def collect_target(
    engine: Engine,
    settings: Settings,
    target: Any,
    *,
    on_batch: Callable[[CollectRun, CollectedBatch], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> CollectRun:
    run = CollectRun(target=target.name, platform=target.platform)
    started = utcnow()
    try:
        collector = build_collector(target, settings)
    except NotConfigured as exc:
        run.not_configured = str(exc)
        log.warning("%s: %s collector not configured: %s", target.name, target.platform, exc)
        return run
    with session_scope(engine) as session:
        cursor = load_cursor(session, target=target.name)
        run.budget_left = _budget_left(session, settings, target) if collector.paid_reads else None
    if run.budget_left is not None and run.budget_left <= 0:
        run.problems.append(f"{target.name}: monthly read budget spent; raise it in the config or wait for next month")
        log.warning("%s", run.problems[-1])
    else:
        _drain(engine, collector, target, run, cursor, on_batch, should_stop)
    with session_scope(engine) as session:
        record_run(session, stage="collect", source=target.name, started_at=started, counts=dict(run.counts),
                   error=run.error)
    return run


AUTHOR_CACHE_LIMIT = 100_000


def _drain(engine, collector, target, run, cursor, on_batch, should_stop) -> None:
    context = CollectContext(cursor=cursor, read_budget=run.budget_left, should_stop=should_stop)
    known_authors: dict = {}  # authors committed by earlier batches of this run: no lookup needed
    try:
        for batch in collector.batches(context):
            with session_scope(engine) as session:
                result = store_posts(session, records=batch.records, target=target.name, known_authors=known_authors)
                save_cursor(session, target=target.name, value=batch.cursor)
                if collector.paid_reads:
                    add_reads(session, target=target.name, platform=target.platform, reads=batch.fetched)
            if len(known_authors) > AUTHOR_CACHE_LIMIT:
                known_authors.clear()
            known_authors.update(result.authors)  # only now: the batch is committed
            run.counts.update(fetched=batch.fetched, new=result.new, duplicates=result.duplicates,
                              malformed=len(batch.problems), noise=batch.noise)
            if result.suppressed:  # authors erased with `earshot forget`
                run.counts["erased"] += result.suppressed
            if run.budget_left is not None:
                run.budget_left = max(0, run.budget_left - batch.fetched)
            run.problems.extend(batch.problems)
            for problem in batch.problems:
                log.warning("skipped %s", problem)
            if on_batch:
                on_batch(run, batch)
            if should_stop():
                break
    except EarshotError as exc:
        run.error = str(exc)
        run.counts["errors"] += 1
        log.warning("%s: %s", target.name, exc)


def _budget_left(session, settings: Settings, target: Any) -> int | None:
    limits = []
    per_target = getattr(target, "monthly_read_budget", None)
    if per_target is not None:
        limits.append(per_target - reads_this_month(session, target=target.name))
    platform_settings = getattr(settings, target.platform, None)
    overall = getattr(platform_settings, "monthly_read_budget", None)
    if overall is not None:
        limits.append(overall - reads_this_month(session, platform=target.platform))
    return max(0, min(limits)) if limits else None


@dataclass
class RecheckRun:
    target: str
    checked: int = 0
    deleted: int = 0
    error: str | None = None


def recheck_deleted(engine: Engine, settings: Settings, *, source: str | None = None) -> list[RecheckRun]:
    """Ask each platform whether recent posts still exist; drop the text of those that do not."""
    since = utcnow() - timedelta(days=settings.collect.recheck_deleted_days)
    runs = []
    for platform in sorted({t.platform for t in targets_for(settings, source)}):
        targets = targets_for(settings, platform)
        run = RecheckRun(target=targets[0].name)
        runs.append(run)
        try:
            collector = build_collector(targets[0], settings)
            with session_scope(engine) as session:  # only what this platform's own targets collected
                ids = recent_external_ids(session, platform=platform, targets=[t.name for t in targets],
                                          since=since, limit=10_000)
            gone = collector.deleted(ids)
        except NotImplementedError:
            continue
        except EarshotError as exc:
            run.error = str(exc)
            continue
        with session_scope(engine) as session:
            run.deleted = mark_deleted(session, platform=platform, external_ids=gone)
        run.checked = len(ids)
    return runs
