"""The collect stage: run each configured target's collector and store its batches with their cursors."""

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from config.errors import NotConfigured
from config.settings import Settings
import listener.replay  # noqa: F401  (registers the replay collector)
from listener.base import CollectContext, CollectedBatch, collectors
from storage.engine import session_scope
from storage.repo.posts import store_posts
from storage.repo.runs import load_cursor, record_run, save_cursor
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


def collect(
    engine: Engine,
    settings: Settings,
    *,
    source: str | None = None,
    on_batch: Callable[[CollectRun, CollectedBatch], None] | None = None,
) -> list[CollectRun]:
    """Collect once from every enabled target (or those of platform `source`)."""
    if source is not None:
        collectors.get(source)  # an unknown source name is an error listing the allowed ones
    runs = []
    for target in settings.listen:
        if not target.enabled or (source is not None and target.platform != source):
            continue
        runs.append(collect_target(engine, settings, target, on_batch=on_batch))
    return runs


def collect_target(
    engine: Engine,
    settings: Settings,
    target,
    *,
    on_batch: Callable[[CollectRun, CollectedBatch], None] | None = None,
) -> CollectRun:
    run = CollectRun(target=target.name, platform=target.platform)
    started = utcnow()
    try:
        collector = collectors.get(target.platform).from_target(target, settings)
    except NotConfigured as exc:
        run.not_configured = str(exc)
        log.warning("collector %s for target %s not configured: %s", target.platform, target.name, exc)
        return run
    with session_scope(engine) as session:
        cursor = load_cursor(session, target=target.name)
    for batch in collector.batches(CollectContext(cursor=cursor)):
        with session_scope(engine) as session:
            result = store_posts(session, records=batch.records, target=target.name)
            save_cursor(session, target=target.name, value=batch.cursor)
        run.counts.update(
            fetched=batch.fetched, new=result.new, duplicates=result.duplicates, malformed=len(batch.problems)
        )
        run.problems.extend(batch.problems)
        for problem in batch.problems:
            log.warning("skipped %s", problem)
        if on_batch:
            on_batch(run, batch)
    with session_scope(engine) as session:
        record_run(session, stage="collect", source=target.name, started_at=started, counts=dict(run.counts))
    return run
