"""Customer links: looking up customers by handle and saving author <-> customer links."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict

from sqlalchemy import func, select
from sqlmodel import Session

from enrich.linking import AuthorIdentity, LinkCandidate, handle_key
from storage.models import Author, CustomerHandle, CustomerLink
from storage.models.crm import LINKED_STATUSES
from storage.repo.dialect import upsert_insert
from storage.types import utcnow


def authors_by_id(session: Session, *, author_ids: Iterable[int]) -> list[AuthorIdentity]:
    ids = sorted(set(author_ids))
    rows = session.execute(select(Author.id, Author.platform, Author.handle).where(Author.id.in_(ids)))
    return [AuthorIdentity(id=row.id, platform=row.platform, handle=row.handle) for row in rows]


def customers_by_handle(session: Session, *, authors: Sequence[AuthorIdentity]) -> dict[tuple[str, str], list[int]]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for author in authors:
        if author.handle:
            wanted[author.platform].add(handle_key(author.handle))
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    for platform, handles in wanted.items():
        rows = session.execute(
            select(CustomerHandle.handle, CustomerHandle.customer_id)
            .where(CustomerHandle.platform == platform, CustomerHandle.handle.in_(sorted(handles)))
            .order_by(CustomerHandle.customer_id)
        )
        for handle, customer_id in rows:
            found[(platform, handle)].append(customer_id)
    return found


def save_links(session: Session, *, candidates: Sequence[LinkCandidate]) -> int:
    """Add links not known yet; an existing pair (confirmed, rejected or proposed) is left as it is."""
    if not candidates:
        return 0
    known = session.execute(
        select(CustomerLink.author_id, CustomerLink.customer_id).where(
            CustomerLink.author_id.in_({c.author_id for c in candidates})
        )
    )
    existing = {(author_id, customer_id) for author_id, customer_id in known}
    fresh = [c for c in candidates if (c.author_id, c.customer_id) not in existing]
    if fresh:
        now = utcnow()
        statement = upsert_insert(session, CustomerLink.__table__).on_conflict_do_nothing(
            index_elements=["author_id", "customer_id"]
        )
        session.execute(statement, [{**asdict(c), "created_at": now} for c in fresh])
    return len(fresh)


def count_linked_authors(session: Session) -> int:
    return session.scalar(
        select(func.count(func.distinct(CustomerLink.author_id))).where(CustomerLink.status.in_(LINKED_STATUSES))
    ) or 0
