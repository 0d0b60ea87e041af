"""The link step: authors looked up in the CRM after each enrich batch, or all of them by `earshot link`."""

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from config.settings import Settings
from enrich.linking import Linker
from storage.engine import session_scope
from storage.models import Author
from storage.repo.links import (author_profiles, authors_due_for_lookup, authors_with_links, customer_directory,
                                mark_looked_up, save_links)

LINK_BATCH = 1000


def link_batch(session: Session, *, linker: Linker, author_ids: Iterable[int],
               crm_changed_at: datetime | None = None) -> int:
    """Links for these authors, unless they are linked already; returns how many new links (or proposals).

    With `crm_changed_at` (the enrich stage), authors looked up since then and since their profile changed are
    skipped: they would find the same customers again."""
    ids = set(author_ids)
    todo = ids - authors_with_links(session, author_ids=ids)
    if crm_changed_at is not None:
        todo = authors_due_for_lookup(session, author_ids=todo, crm_changed_at=crm_changed_at)
    if not todo:
        return 0
    authors = author_profiles(session, author_ids=todo)
    new_links = save_links(session, candidates=linker.link(authors, customer_directory(session, authors=authors)))
    mark_looked_up(session, author_ids=todo)
    return new_links


def link_all_authors(engine: Engine, settings: Settings, *,
                     on_progress: Callable[[int, int], None] | None = None) -> int:
    """Every known author against the CRM, one transaction per thousand (after a CRM import; a rerun is safe)."""
    linker = Linker(settings.linking)
    with session_scope(engine) as session:
        total = session.scalar(select(func.count()).select_from(Author)) or 0
    new_links, done, last_id = 0, 0, 0
    while True:
        with session_scope(engine) as session:
            ids = list(session.scalars(select(Author.id).where(Author.id > last_id).order_by(Author.id)
                                       .limit(LINK_BATCH)))
            if not ids:
                return new_links
            new_links += link_batch(session, linker=linker, author_ids=ids)
        last_id, done = ids[-1], done + len(ids)
        if on_progress:
            on_progress(done, total)
