"""Listing queue items with the post, author, sentiment and customer beside each."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, func, select
from sqlmodel import Session

from storage.models import Author, Customer, CustomerLink, Enrichment, Post, QueueItem
from storage.models.crm import LINKED_STATUSES
from storage.types import utcnow


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
    post_id: int
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
    """Open work first: by priority, then due time, then age."""
    link = (
        select(CustomerLink.author_id, func.min(CustomerLink.customer_id).label("customer_id"))
        .where(CustomerLink.status.in_(LINKED_STATUSES))
        .group_by(CustomerLink.author_id)
        .subquery()
    )
    query = (
        select(QueueItem, Post, Author, Enrichment, Customer)
        .join(Post, Post.id == QueueItem.post_id)
        .join(Author, Author.id == Post.author_id)
        .outerjoin(Enrichment, Enrichment.post_id == Post.id)
        .outerjoin(link, link.c.author_id == Author.id)
        .outerjoin(Customer, Customer.id == link.c.customer_id)
        .limit(limit)
        .offset(offset)
    )
    where = _merged(where, team, state)
    if where.order == "reach":
        query = query.order_by(Author.followers.desc(), func.coalesce(Enrichment.sentiment_score, 0.0),
                               QueueItem.priority, QueueItem.id)
    else:
        query = query.order_by(QueueItem.priority, QueueItem.due_at, Post.created_at, QueueItem.id)
    query = _apply(query, where)
    return [_row(*columns) for columns in session.execute(query)]


def count_queue(session: Session, *, team: str | None = None, state: str | None = None,
                where: QueueFilter | None = None) -> int:
    query = (select(func.count()).select_from(QueueItem).join(Post, Post.id == QueueItem.post_id)
             .outerjoin(Enrichment, Enrichment.post_id == Post.id))
    return session.scalar(_apply(query, _merged(where, team, state))) or 0


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


def _row(item: QueueItem, post: Post, author: Author, enrichment: Enrichment | None, customer: Customer | None) -> QueueRow:
    return QueueRow(
        id=item.id,
        team=item.team,
        priority=item.priority,
        state=item.state,
        assignee=item.assignee,
        rule=item.rule,
        reasons=list(item.reasons or []),
        due_at=item.due_at,
        post_id=post.id,
        platform=post.platform,
        url=post.url,
        text=f"{post.title}\n{post.text}" if post.title else post.text,
        created_at=post.created_at,
        author_handle=author.handle,
        author_name=author.display_name,
        followers=author.followers,
        sentiment_label=enrichment.sentiment_label if enrichment else None,
        sentiment_score=enrichment.sentiment_score if enrichment else None,
        complaint_category=enrichment.complaint_category if enrichment else None,
        products=list(enrichment.products or []) if enrichment else [],
        customer_id=customer.external_id if customer else None,
        customer_name=customer.name if customer else None,
    )
