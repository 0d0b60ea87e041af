"""The link step: authors looked up in the CRM after each enrich batch, or all of them by `earshot link`."""

from collections.abc import Callable, Iterable

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from config.settings import Settings
from enrich.linking import Linker
from storage.engine import session_scope
from storage.models import Author
from storage.repo.links import author_profiles, authors_with_links, customer_directory, save_links

LINK_BATCH = 1000


def link_batch(session: Session, *, linker: Linker, author_ids: Iterable[int]) -> int:
    """Links for these authors, unless they are linked already; returns how many new links (or proposals)."""
    ids = set(author_ids)
    todo = ids - authors_with_links(session, author_ids=ids)
    if not todo:
        return 0
    authors = author_profiles(session, author_ids=todo)
    return save_links(session, candidates=linker.link(authors, customer_directory(session, authors=authors)))


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
