"""What the rules see of posts due for routing (storage/repo/claims.py); writing decisions and queue items."""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlmodel import Session

from engage.facts import RoutingFacts
from storage.models import (Author, AuditEvent, Customer, CustomerLink, Enrichment, ItemPost, Post, QueueItem,
                            RouteDecision)
from storage.models.crm import LINKED_STATUSES
from storage.repo.dialect import upsert_insert


def routing_facts_for(session: Session, *, post_ids: Sequence[int],
                      own_account: Callable[[str, str | None], bool]) -> list[RoutingFacts]:
    """What the rules see of these enriched posts, in id order."""
    query = _facts_query().where(Post.id.in_(list(post_ids))).order_by(Post.id)
    return [_facts(row, own_account) for row in session.execute(query)]


def routing_facts_of(session: Session, *, post_id: int,
                     own_account: Callable[[str, str | None], bool]) -> RoutingFacts | None:
    """What the rules see of one enriched post (None when it is not enriched)."""
    row = session.execute(_facts_query().where(Post.id == post_id)).first()
    return _facts(row, own_account) if row else None


def _facts_query():
    """Only the columns the rules read (not the post's raw payload or the enrichment's details: JSON that the
    route stage would parse for nothing, a third of its time)."""
    linked_customer = (
        select(func.min(CustomerLink.customer_id))
        .where(CustomerLink.author_id == Post.author_id, CustomerLink.status.in_(LINKED_STATUSES))
        .scalar_subquery()
    )
    return (select(Post.id, Post.platform, Post.title, Post.text, Post.conversation_id, Post.external_id,
                   Author.handle, Author.bio, Author.followers,
                   Enrichment.language, Enrichment.sentiment_label, Enrichment.sentiment_score, Enrichment.is_complaint,
                   Enrichment.complaint_category, Enrichment.is_question, Enrichment.products,
                   Enrichment.purchase_stage, Enrichment.is_churn, Enrichment.is_referral,
                   Customer.id.label("customer_id"), Customer.lifecycle_stage, Customer.segment,
                   Customer.lifetime_value, Customer.churn_risk)
            .join(Author, Author.id == Post.author_id).join(Enrichment, Enrichment.post_id == Post.id)
            .outerjoin(Customer, Customer.id == linked_customer))


def _facts(row: Row, own_account: Callable[[str, str | None], bool]) -> RoutingFacts:
    return RoutingFacts(
        post_id=row.id,
        platform=row.platform,
        text=f"{row.title}\n{row.text}" if row.title else row.text,
        language=row.language,
        author_handle=row.handle,
        author_bio=row.bio,
        followers=row.followers,
        sentiment_label=row.sentiment_label,
        sentiment_score=row.sentiment_score,
        is_complaint=row.is_complaint,
        complaint_category=row.complaint_category,
        is_question=row.is_question,
        products=tuple(row.products or ()),
        purchase_stage=row.purchase_stage,
        is_churn=row.is_churn,
        is_referral=row.is_referral,
        customer_id=row.customer_id,
        lifecycle_stage=row.lifecycle_stage,
        customer_segment=row.segment,
        customer_value=row.lifetime_value,
        churn_risk=row.churn_risk,
        own_account=own_account(row.platform, row.handle),
        conversation=f"{row.platform}:{row.conversation_id or row.external_id}",
    )


def save_decisions(session: Session, *, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    statement = upsert_insert(session, RouteDecision.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["post_id"],
        set_={c: statement.excluded[c] for c in ("rule", "team", "decided_at")},
    )
    session.execute(statement, list(rows))


def queue_items_for_posts(session: Session, *, post_ids: Sequence[int]) -> dict[int, QueueItem]:
    items = session.scalars(select(QueueItem).where(QueueItem.post_id.in_(post_ids)))
    return {item.post_id: item for item in items}


def open_items_by_conversation(session: Session, *, conversations: Iterable[str | None]) -> dict[str, QueueItem]:
    """Each of these conversations' open item (not resolved), the oldest where there are several; one query."""
    keys = {key for key in conversations if key}
    if not keys:
        return {}
    found: dict[str, QueueItem] = {}
    for item in session.scalars(select(QueueItem).where(
            QueueItem.conversation_key.in_(keys), QueueItem.state != "resolved").order_by(QueueItem.id)):
        found.setdefault(item.conversation_key, item)
    return found


def attachments_of(session: Session, *, post_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(item, post) pairs of these posts already attached to an item."""
    rows = session.execute(select(ItemPost.item_id, ItemPost.post_id).where(ItemPost.post_id.in_(post_ids)))
    return {(item_id, post_id) for item_id, post_id in rows}


def attach_to_item(session: Session, *, item: QueueItem, post_id: int, priority: int, rule: str,
                   reasons: list[str], now: datetime, attached: set[tuple[int, int]]) -> str:
    """A later post of the same conversation joins the open item (which takes the more urgent priority);
    `attached` holds the pairs already stored (attachments_of) and gains this one."""
    if (item.id, post_id) in attached:
        return "unchanged"
    attached.add((item.id, post_id))
    session.add(ItemPost(item_id=item.id, post_id=post_id))
    before = item.priority
    item.priority, item.updated_at = min(item.priority, priority), now
    session.add(item)
    session.add(AuditEvent(actor="router", action="attached", item_id=item.id, at=now,
                           detail={"post": post_id, "rule": rule, "reasons": reasons,
                                   **({"priority": {"from": before, "to": item.priority}}
                                      if item.priority != before else {})}))
    return "attached"


def new_queue_item(*, post_id: int, team: str, priority: int, rule: str, reasons: list[str], tags: list[str],
                   due_at: datetime | None, now: datetime, conversation: str | None) -> QueueItem:
    """A post's queue item, not yet stored: the caller adds a batch of them and flushes once, then records each
    with `queued_event`."""
    return QueueItem(post_id=post_id, team=team, priority=priority, rule=rule, reasons=reasons, tags=tags,
                     due_at=due_at, created_at=now, updated_at=now, conversation_key=conversation)


def queued_event(item: QueueItem) -> AuditEvent:
    return AuditEvent(actor="router", action="queued", item_id=item.id, at=item.created_at,
                      detail={"team": item.team, "priority": item.priority, "rule": item.rule,
                              "reasons": item.reasons})


def update_queue_item(
    session: Session,
    *,
    existing: QueueItem,
    team: str,
    priority: int,
    rule: str,
    reasons: list[str],
    tags: list[str],
    due_at: datetime | None,
    now: datetime,
) -> str:
    """Route a post's item again while nobody has touched it. Returns what happened."""
    if existing.state != "new":
        return "kept"  # a person is working on it: routing no longer moves it
    if (existing.team, existing.priority, existing.rule) == (team, priority, rule):
        return "unchanged"
    before = {"team": existing.team, "priority": existing.priority, "rule": existing.rule}
    existing.team, existing.priority, existing.rule = team, priority, rule
    existing.reasons, existing.tags, existing.due_at, existing.updated_at = reasons, tags, due_at, now
    session.add(AuditEvent(actor="router", action="rerouted", item_id=existing.id, at=now,
                           detail={"from": before, "to": {"team": team, "priority": priority, "rule": rule}}))
    return "rerouted"
