"""The enrich stage: take posts due for enrichment in batches, run the enrichers, store results and links."""

from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from config.errors import ConfigError, EarshotError
from config.settings import Settings
from enrich.base import EnrichContext, EnrichItem, PostView
from enrich.batch import OpenEnrichers, open_enrichers
from enrich.link_step import link_batch
from enrich.linking import Linker
from enrich.workers import enrich_batch, executor, items_of, worker_count
from storage.engine import session_scope
from storage.repo.claims import StageClaims
from storage.repo.enrichments import (load_catalog, posts_by_id, posts_to_enrich, save_enrichments,
                                      stored_enrichments)
from storage.repo.leases import new_holder
from storage.repo.links import crm_changed_at
from storage.repo.runs import record_run
from storage.types import utcnow


@dataclass
class EnrichRun:
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    workers: int = 0  # worker processes that ran the enrichers (0: this process did)


STAGE = "enrich"


def enrichment_row(item: EnrichItem, versions: dict[str, str]) -> dict[str, Any]:
    details = dict(item.details)
    if item.errors:
        details["errors"] = item.errors
    return {"post_id": item.post.id, **item.result, "details": details, "versions": versions, "enriched_at": utcnow()}


def enrich_pending(
    engine: Engine,
    settings: Settings,
    *,
    rerun: bool = False,
    only: Sequence[str] = (),
    on_batch: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    holder: str | None = None,
    opened: OpenEnrichers | None = None,
) -> EnrichRun:
    """Enrich every post that has no enrichment yet, batch by batch.

    New posts are claimed batch by batch (storage/repo/claims.py) as `holder` (default: a name for this run), so any
    number of these runs, on any machines, share the work and each post is enriched once. A batch whose run died is
    claimed again once its lease ([workers] lease) has run out.

    `rerun`: every post again, with every enricher. `only`: just these enrichers, over every enriched post, keeping
    the other enrichers' stored results (what `earshot enrich --rerun NAME` does after a change to NAME). Reruns
    walk the store by id and claim nothing: run one at a time. `opened`: enrichers kept open between runs (a worker's).
    """
    started = utcnow()
    run = EnrichRun()
    with session_scope(engine) as session:
        context = EnrichContext(settings=settings, products=load_catalog(session))
        crm_version = crm_changed_at(session)
    unknown = [name for name in only if name not in settings.enrich.enrichers]
    if unknown:
        raise ConfigError(f"cannot rerun {', '.join(unknown)}: not among the configured enrichers "
                          f"({', '.join(settings.enrich.enrichers)})")
    names = [n for n in settings.enrich.enrichers if not only or n in only]
    active = opened.get(names, context) if opened else open_enrichers(names, context)
    versions = {enricher.name: enricher.version for enricher in active}
    linker = _StageLinker(Linker(settings.linking), crm_version)
    workers = run.workers = worker_count(settings.enrich.workers, active)
    in_flight: deque[tuple[list[PostView], dict, Future]] = deque()  # batches being enriched, oldest first
    claims = None if rerun or only else _Claims(holder or new_holder(STAGE), settings)
    next_batch = claims.next_batch if claims else _Walk(enriched_only=bool(only)).next_batch
    exhausted = False
    try:
        with executor(active, workers) as pool:
            while True:
                # keep every worker busy (two batches queued for each) while this process writes the oldest back
                while not exhausted and len(in_flight) <= 2 * workers and not should_stop():
                    with session_scope(engine) as session:
                        posts = next_batch(session, settings.enrich.batch_size)
                        stored = stored_enrichments(session, post_ids=[p.id for p in posts]) if only else {}
                    if not posts:
                        exhausted = True
                        break
                    in_flight.append((posts, stored, pool.submit(enrich_batch, posts, stored)))
                if not in_flight:
                    break
                posts, stored, future = in_flight.popleft()
                items = items_of(posts, future.result())
                _write_batch(engine, items, stored, versions, linker, run, claims)
                if on_batch:
                    on_batch(len(items))
    except BrokenProcessPool as exc:  # from a batch's result, or from handing the next batch to a broken pool
        raise EnrichWorkerError("an enrich worker process died (out of memory, or killed); the batches written so "
                                "far are kept: run `earshot enrich` again to go on, or set [enrich] workers = 1"
                                ) from exc
    finally:
        if claims:  # batches not written (stopped early, or failed) go back at once
            claims.give_back(engine)
    if claims and claims.lost:
        run.counts["lease_lost"] = claims.lost
    with session_scope(engine) as session:
        record_run(session, stage="enrich", source="pipeline", started_at=started, counts=dict(run.counts))
    return run


class _Claims(StageClaims):
    """New posts, claimed batch by batch."""

    def __init__(self, holder: str, settings: Settings) -> None:
        super().__init__(stage=STAGE, holder=holder, lease=settings.workers.lease)

    def next_batch(self, session, limit: int) -> list[PostView]:
        ids = self.next_ids(session, limit)
        return posts_to_enrich(session, post_ids=ids) if ids else []


class _Walk:
    """Every post (or every enriched one) by id, once: what a rerun reads."""

    def __init__(self, *, enriched_only: bool) -> None:
        self.enriched_only, self.after_id = enriched_only, 0

    def next_batch(self, session, limit: int) -> list[PostView]:
        posts = posts_by_id(session, after_id=self.after_id, limit=limit, enriched_only=self.enriched_only)
        if posts:
            self.after_id = posts[-1].id
        return posts


@dataclass(frozen=True)
class _StageLinker:
    linker: Linker
    crm_changed_at: datetime  # when the run started; a CRM import during the run is seen by the next one


def _write_batch(engine: Engine, items: list[EnrichItem], stored: dict, versions: dict[str, str],
                 linker: _StageLinker, run: EnrichRun, claims: StageClaims | None) -> None:
    """One transaction: the batch's enrichments (keeping the versions of enrichers not rerun) and new links; with
    claims, only of the posts this run still held (another took over those whose lease ran out: theirs count)."""
    with session_scope(engine) as session:
        if claims is not None:
            held = claims.keep_held(session, [item.post.id for item in items])
            items = [item for item in items if item.post.id in held]
        save_enrichments(session, rows=[
            enrichment_row(item, {**(stored.get(item.post.id, {}).get("versions") or {}), **versions})
            for item in items
        ])
        new_links = link_batch(session, linker=linker.linker, author_ids=[item.post.author_id for item in items],
                               crm_changed_at=linker.crm_changed_at)
    failed = [item for item in items if item.errors]
    run.counts.update(enriched=len(items), errors=len(failed), new_links=new_links)
    run.errors.extend(f"post {item.post.id}: {'; '.join(item.errors)}" for item in failed)


class EnrichWorkerError(EarshotError):
    """A worker process of the enrich stage ended without returning its batch."""
