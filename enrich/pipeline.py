"""The enrich stage: take posts due for enrichment in batches, run the enrichers, store results and links."""

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

import enrich.builtin  # noqa: F401  (registers the built-in enrichers)
from config.errors import ConfigError
from config.settings import Settings
from enrich.base import EnrichContext, Enricher, EnrichItem, PostView, enrichers
from enrich.linking import exact_handle_candidates
from storage.engine import session_scope
from storage.repo.enrichments import load_catalog, pending_posts, save_enrichments, stored_enrichments
from storage.repo.links import authors_by_id, customers_by_handle, save_links
from storage.repo.runs import record_run
from storage.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class EnrichRun:
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


def open_enrichers(names: Sequence[str], context: EnrichContext) -> list[Enricher]:
    """Instantiate and open the named enrichers, in the given order."""
    opened = []
    for name in names:
        enricher = enrichers.get(name)()
        enricher.open(context)
        opened.append(enricher)
    return opened


def run_enrichers(
    active: Sequence[Enricher], posts: Sequence[PostView], stored: dict[int, dict[str, Any]] | None = None
) -> list[EnrichItem]:
    """Run every enricher over the batch; a post that makes one fail is retried alone and marked, not dropped.

    `stored` (post id -> stored enrichment columns) seeds each item, so a partial rerun's enrichers see the
    results of the ones not rerun.
    """
    items = [_seeded(post, (stored or {}).get(post.id)) for post in posts]
    for enricher in active:
        try:
            enricher.enrich(items)
        except Exception:  # one bad post must not sink the batch: isolate it
            log.debug("enricher %s failed on a batch; retrying post by post", enricher.name, exc_info=True)
            for item in items:
                try:
                    enricher.enrich([item])
                except Exception as exc:
                    item.errors.append(f"{enricher.name}: {exc.__class__.__name__}: {exc}")
    return items


def _seeded(post: PostView, row: dict[str, Any] | None) -> EnrichItem:
    if row is None:
        return EnrichItem(post=post)
    result = {k: v for k, v in row.items() if k not in ("post_id", "details", "versions", "enriched_at")}
    details = {k: v for k, v in (row.get("details") or {}).items() if k != "errors"}
    return EnrichItem(post=post, result=result, details=details)


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
) -> EnrichRun:
    """Enrich every post that has no enrichment yet, batch by batch.

    `rerun`: every post again, with every enricher. `only`: just these enrichers, over every enriched post, keeping
    the other enrichers' stored results (what `earshot enrich --rerun NAME` does after a change to NAME).
    """
    started = utcnow()
    run = EnrichRun()
    with session_scope(engine) as session:
        context = EnrichContext(settings=settings, products=load_catalog(session))
    unknown = [name for name in only if name not in settings.enrich.enrichers]
    if unknown:
        raise ConfigError(f"cannot rerun {', '.join(unknown)}: not among the configured enrichers "
                          f"({', '.join(settings.enrich.enrichers)})")
    active = open_enrichers([n for n in settings.enrich.enrichers if not only or n in only], context)
    versions = {enricher.name: enricher.version for enricher in active}
    last_id = 0
    while not should_stop():
        with session_scope(engine) as session:
            posts = pending_posts(session, after_id=last_id, limit=settings.enrich.batch_size, rerun=rerun,
                                  enriched_only=bool(only))
            stored = stored_enrichments(session, post_ids=[p.id for p in posts]) if only else {}
        if not posts:
            break
        items = run_enrichers(active, posts, stored)
        with session_scope(engine) as session:
            save_enrichments(session, rows=[
                enrichment_row(item, {**(stored.get(item.post.id, {}).get("versions") or {}), **versions})
                for item in items
            ])
            authors = authors_by_id(session, author_ids=[post.author_id for post in posts])
            candidates = exact_handle_candidates(authors, customers_by_handle(session, authors=authors))
            new_links = save_links(session, candidates=candidates)
        failed = [item for item in items if item.errors]
        run.counts.update(enriched=len(items), errors=len(failed), new_links=new_links)
        run.errors.extend(f"post {item.post.id}: {'; '.join(item.errors)}" for item in failed)
        last_id = posts[-1].id
        if on_batch:
            on_batch(len(items))
    with session_scope(engine) as session:
        record_run(session, stage="enrich", source="pipeline", started_at=started, counts=dict(run.counts))
    return run
