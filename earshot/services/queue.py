"""Listing queue items with the post, author, sentiment and customer beside each."""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Row, String, cast, func, select
from sqlmodel import Session

from storage.models import Alert, Author, Customer, CustomerLink, Enrichment, Post, QueueItem
from storage.models.crm import LINKED_STATUSES
from storage.types import utcnow

if TYPE_CHECKING:
    from earshot.services.listing_cache import ListingCache


@dataclass(frozen=True)
class QueueRow:
    id: int
    team: str
    priority: int
    state: str
    assignee: str | None
    rule: str
    reasons: list[str]
    due_at: datetime | None
    post_id: int | None  # None: an alert's item (the text is the alert's summary)
    platform: str
    url: str | None
    text: str
    created_at: datetime
    author_handle: str | None
    author_name: str | None
    followers: int
    sentiment_label: str | None
    sentiment_score: float | None
    complaint_category: str | None
    products: list[str]
    customer_id: str | None
    customer_name: str | None
    alert_id: int | None = None


@dataclass(frozen=True)
class QueueFilter:
    """What a queue view shows; every field given must hold."""

    team: str | None = None
    state: str | None = None
    platform: str | None = None
    product: str | None = None  # a SKU the post mentions
    sentiment: str | None = None
    tag: str | None = None
    assignee: str | None = None
    overdue: bool = False  # open items past their due time
    order: str = "urgency"  # urgency: priority, due time, age; reach: PR's view, widest-reaching and most negative first


OPEN_STATES = ("new", "assigned", "replied", "snoozed", "escalated")


def list_queue(
    session: Session, *, team: str | None = None, state: str | None = None, limit: int = 50, offset: int = 0,
    where: QueueFilter | None = None,
) -> list[QueueRow]:
    """Open work first: by priority, then due time, then age (or by reach, see QueueFilter).

    In two steps, so that a page costs about the same however long the queue: the page's item ids, sorted on
    only the columns the order and the filters need; then what the page shows of those items, and their customers."""
    where = _merged(where, team, state)
    query = select(QueueItem.id).outerjoin(Post, Post.id == QueueItem.post_id)  # an alert's item has no post
    if where.order == "reach":  # alerts first: a spike or a viral post outranks any one author
        query = (query.outerjoin(Author, Author.id == Post.author_id)
                 .outerjoin(Enrichment, Enrichment.post_id == Post.id)
                 .order_by(QueueItem.alert_id.is_(None), Author.followers.desc(),
                           func.coalesce(Enrichment.sentiment_score, 0.0), QueueItem.priority, QueueItem.id))
    else:
        if _needs_enrichment(where):
            query = query.outerjoin(Enrichment, Enrichment.post_id == Post.id)
        query = query.order_by(QueueItem.priority, QueueItem.due_at, Post.created_at, QueueItem.id)
    ids = list(session.scalars(_apply(query, where).limit(limit).offset(offset)))
    if not ids:
        return []
    shown = {
        columns.id: columns for columns in session.execute(
            select(*_SHOWN).outerjoin(Post, Post.id == QueueItem.post_id)
            .outerjoin(Author, Author.id == Post.author_id).outerjoin(Enrichment, Enrichment.post_id == Post.id)
            .outerjoin(Alert, Alert.id == QueueItem.alert_id).where(QueueItem.id.in_(ids))
        )
    }
    customers = _customers(session, {columns.author_id for columns in shown.values()})
    return [_row(shown[id], customers.get(shown[id].author_id)) for id in ids]


def count_queue(session: Session, *, team: str | None = None, state: str | None = None,
                where: QueueFilter | None = None) -> int:
    """Items matching; the post and enrichment are joined only when filtered on (an item has at most one post, an
    alert's none, and a post at most one enrichment, so the joins change no count but what their filters drop)."""
    where = _merged(where, team, state)
    query = select(func.count()).select_from(QueueItem)
    if where.platform:
        query = query.join(Post, Post.id == QueueItem.post_id)
    if _needs_enrichment(where):
        query = query.outerjoin(Enrichment, Enrichment.post_id == QueueItem.post_id)
    return session.scalar(_apply(query, where)) or 0


_SHOWN = (
    QueueItem.id, QueueItem.team, QueueItem.priority, QueueItem.state, QueueItem.assignee, QueueItem.rule,
    QueueItem.reasons, QueueItem.due_at, QueueItem.created_at.label("queued_at"), QueueItem.alert_id,
    Alert.summary.label("alert_summary"), Post.id.label("post_id"), Post.platform, Post.url, Post.title, Post.text,
    Post.created_at, Post.author_id, Author.handle, Author.display_name, Author.followers, Enrichment.post_id.label("enriched"),
    Enrichment.sentiment_label, Enrichment.sentiment_score, Enrichment.complaint_category, Enrichment.products,
)


def _customers(session: Session, author_ids: set[int]) -> dict[int, tuple[str, str]]:
    """Each author's linked customer (the lowest id when several), as external id and name."""
    link = (
        select(CustomerLink.author_id, func.min(CustomerLink.customer_id).label("customer_id"))
        .where(CustomerLink.status.in_(LINKED_STATUSES), CustomerLink.author_id.in_(author_ids))
        .group_by(CustomerLink.author_id)
        .subquery()
    )
    query = select(link.c.author_id, Customer.external_id, Customer.name).join(Customer, Customer.id == link.c.customer_id)
    return {author_id: (external_id, name) for author_id, external_id, name in session.execute(query)}


def _needs_enrichment(f: QueueFilter) -> bool:
    return bool(f.sentiment or f.product)


def _merged(where: QueueFilter | None, team: str | None, state: str | None) -> QueueFilter:
    base = where or QueueFilter()
    return QueueFilter(**{**base.__dict__, **({"team": team} if team else {}), **({"state": state} if state else {})})


def _apply(query, f: QueueFilter):
    if f.team:
        query = query.where(QueueItem.team == f.team)
    if f.state:
        query = query.where(QueueItem.state == f.state)
    if f.platform:
        query = query.where(Post.platform == f.platform)
    if f.sentiment:
        query = query.where(Enrichment.sentiment_label == f.sentiment)
    if f.assignee:
        query = query.where(QueueItem.assignee == f.assignee)
    if f.product:  # JSON lists: match the quoted value in their text (SQLite and PostgreSQL alike)
        query = query.where(cast(Enrichment.products, String).like(f'%"{_like(f.product)}"%', escape="\\"))
    if f.tag:
        query = query.where(cast(QueueItem.tags, String).like(f'%"{_like(f.tag)}"%', escape="\\"))
    if f.overdue:
        query = query.where(QueueItem.state.in_(OPEN_STATES), QueueItem.due_at < utcnow())
    return query


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace('"', "")


def _row(shown: Row, customer: tuple[str, str] | None) -> QueueRow:
    return QueueRow(
        id=shown.id,
        team=shown.team,
        priority=shown.priority,
        state=shown.state,
        assignee=shown.assignee,
        rule=shown.rule,
        reasons=list(shown.reasons or []),
        due_at=shown.due_at,
        post_id=shown.post_id,
        platform=shown.platform or "alert",
        url=shown.url,
        text=shown.alert_summary if shown.post_id is None else (
            f"{shown.title}\n{shown.text}" if shown.title else shown.text),
        created_at=shown.created_at or shown.queued_at,
        author_handle=shown.handle,
        author_name=shown.display_name,
        followers=shown.followers or 0,
        sentiment_label=shown.sentiment_label,
        sentiment_score=shown.sentiment_score,
        complaint_category=shown.complaint_category,
        products=list(shown.products or []) if shown.enriched is not None else [],
        customer_id=customer[0] if customer else None,
        customer_name=customer[1] if customer else None,
        alert_id=shown.alert_id,
    )


def queue_view(session: Session, cache: "ListingCache", *, where: QueueFilter, limit: int, offset: int,
               reader: int | None = None) -> tuple[list[QueueRow], int]:
    """A page of a queue view and how many items the view has, shared through `cache` (see listing_cache.py) with
    `reader` (a user's id)."""
    return cache.get(("queue", where, limit, offset),
                     lambda: (list_queue(session, where=where, limit=limit, offset=offset),
                              count_queue(session, where=where)), reader=reader)
