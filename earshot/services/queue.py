"""Listing queue items with the post, author, sentiment and customer beside each."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from storage.models import Author, Customer, CustomerLink, Enrichment, Post, QueueItem
from storage.models.crm import LINKED_STATUSES


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


def list_queue(
    session: Session, *, team: str | None = None, state: str | None = None, limit: int = 50, offset: int = 0
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
        .order_by(QueueItem.priority, QueueItem.due_at, Post.created_at, QueueItem.id)
        .limit(limit)
        .offset(offset)
    )
    if team:
        query = query.where(QueueItem.team == team)
    if state:
        query = query.where(QueueItem.state == state)
    return [_row(*columns) for columns in session.execute(query)]


def count_queue(session: Session, *, team: str | None = None, state: str | None = None) -> int:
    query = select(func.count()).select_from(QueueItem)
    if team:
        query = query.where(QueueItem.team == team)
    if state:
        query = query.where(QueueItem.state == state)
    return session.scalar(query) or 0


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
