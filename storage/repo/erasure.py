"""Erasing a person: their posts, profile, links, CRM record and everything derived, leaving anonymous counts, a
record that an erasure happened, and a one-way hash so collectors skip them from now on."""

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlmodel import Session

from storage.models import (Alert, AnonymousPostCount, AuditEvent, Author, Customer, CustomerHandle, CustomerLink,
                            Enrichment, Erasure, ItemNote, ItemPost, LifecycleTransition, Post, Purchase, QueueItem,
                            RouteDecision, SupportCase, SuppressedAuthor)
from storage.models.crm import LINKED_STATUSES
from storage.repo.dialect import upsert_insert

ERASED_HANDLE = "@[erased]"


def author_key_hash(platform: str, external_id: str) -> str:
    return hashlib.sha256(f"{platform}:{external_id}".encode()).hexdigest()


def suppressed_keys(session: Session, *, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (platform, author id) keys were erased."""
    by_hash = {author_key_hash(*key): key for key in keys}
    if not by_hash:
        return set()
    found = session.scalars(select(SuppressedAuthor.key_hash).where(SuppressedAuthor.key_hash.in_(sorted(by_hash))))
    return {by_hash[h] for h in found}


def forget_author(session: Session, *, author_id: int, counts: Counter) -> None:
    author = session.get(Author, author_id)
    if author is None:
        return
    post_ids = list(session.scalars(select(Post.id).where(Post.author_id == author_id)))
    _keep_anonymous_counts(session, post_ids)
    items = list(session.scalars(select(QueueItem.id).where(QueueItem.post_id.in_(post_ids))))
    counts["audit_events"] += _delete(session, delete(AuditEvent).where(AuditEvent.item_id.in_(items)))
    counts["notes"] += _delete(session, delete(ItemNote).where(ItemNote.item_id.in_(items)))
    _delete(session, delete(ItemPost).where(or_(ItemPost.item_id.in_(items), ItemPost.post_id.in_(post_ids))))
    counts["queue_items"] += _delete(session, delete(QueueItem).where(QueueItem.id.in_(items)))
    _delete(session, delete(RouteDecision).where(RouteDecision.post_id.in_(post_ids)))
    _delete(session, delete(Enrichment).where(Enrichment.post_id.in_(post_ids)))
    session.execute(update(LifecycleTransition).where(LifecycleTransition.post_id.in_(post_ids)).values(post_id=None))
    _drop_from_alerts(session, set(post_ids))
    counts["posts"] += _delete(session, delete(Post).where(Post.id.in_(post_ids)))
    if author.handle:
        counts["mentions_redacted"] += _redact_mentions(session, author.platform, author.handle)
    customers = list(session.scalars(select(CustomerLink.customer_id).where(CustomerLink.author_id == author_id)))
    links = list(session.scalars(select(CustomerLink.id).where(CustomerLink.author_id == author_id)))
    counts["audit_events"] += _delete(session, delete(AuditEvent).where(AuditEvent.link_id.in_(links)))
    counts["links"] += _delete(session, delete(CustomerLink).where(CustomerLink.id.in_(links)))
    # their customers' lifecycle and churn risk are recomputed without them at the next refresh
    session.execute(update(Customer).where(Customer.id.in_(customers)).values(models_refreshed_at=None))
    session.add(SuppressedAuthor(key_hash=author_key_hash(author.platform, author.external_id)))
    session.delete(author)
    counts["authors"] += 1


def forget_customer(session: Session, *, customer_id: int, counts: Counter) -> None:
    """The customer's record and everything about them, including the authors linked to them (their posts)."""
    linked = list(session.scalars(select(CustomerLink.author_id).where(
        CustomerLink.customer_id == customer_id, CustomerLink.status.in_(LINKED_STATUSES))))
    for author_id in linked:
        forget_author(session, author_id=author_id, counts=counts)
    links = list(session.scalars(select(CustomerLink.id).where(CustomerLink.customer_id == customer_id)))
    counts["audit_events"] += _delete(session, delete(AuditEvent).where(AuditEvent.link_id.in_(links)))
    counts["links"] += _delete(session, delete(CustomerLink).where(CustomerLink.id.in_(links)))
    for table in (CustomerHandle, Purchase, SupportCase, LifecycleTransition):
        _delete(session, delete(table).where(table.customer_id == customer_id))
    counts["customers"] += _delete(session, delete(Customer).where(Customer.id == customer_id))


def record_erasure(session: Session, *, actor: str, kind: str, counts: Counter) -> None:
    session.add(Erasure(actor=actor, kind=kind, counts=dict(sorted(counts.items()))))


def _keep_anonymous_counts(session: Session, post_ids: list[int]) -> None:
    rows = session.execute(
        select(func.date(Post.created_at), Post.platform, Enrichment.sentiment_label, Enrichment.is_complaint,
               func.count())
        .outerjoin(Enrichment, Enrichment.post_id == Post.id).where(Post.id.in_(post_ids))
        .group_by(func.date(Post.created_at), Post.platform, Enrichment.sentiment_label, Enrichment.is_complaint)
    )
    for day, platform, sentiment, complaint, count in rows:
        values = {"day": _as_date(day), "platform": platform, "sentiment_label": sentiment or "unscored",
                  "is_complaint": bool(complaint), "posts": count}
        statement = upsert_insert(session, AnonymousPostCount.__table__).values(values)
        session.execute(statement.on_conflict_do_update(
            index_elements=["day", "platform", "sentiment_label", "is_complaint"],
            set_={"posts": AnonymousPostCount.__table__.c.posts + count}))


def _redact_mentions(session: Session, platform: str, handle: str) -> int:
    """Other people's posts keep their words, but not the erased person's handle."""
    mention = f"@{handle}"
    changed = 0
    for post in session.scalars(select(Post).where(Post.platform == platform,
                                                   or_(func.lower(Post.text).contains(mention.lower()),
                                                       func.lower(Post.title).contains(mention.lower())))):
        post.text = _replace(post.text, mention)
        post.title = _replace(post.title, mention) if post.title else post.title
        post.raw = _replace_deep(post.raw, mention)
        session.add(post)
        changed += 1
    return changed


def _replace(text: str, mention: str) -> str:
    return re.sub(re.escape(mention) + r"\b", ERASED_HANDLE, text, flags=re.IGNORECASE)


def _replace_deep(value: Any, mention: str) -> Any:
    """Every string of a raw payload: "@handle" in text, and the bare handle as a field (mention entities)."""
    if isinstance(value, str):
        return "[erased]" if value.lower() == mention[1:].lower() else _replace(value, mention)
    if isinstance(value, list):
        return [_replace_deep(v, mention) for v in value]
    if isinstance(value, dict):
        return {k: _replace_deep(v, mention) for k, v in value.items()}
    return value


def _drop_from_alerts(session: Session, post_ids: set[int]) -> None:
    """Alerts keep their counts, not the erased posts among those driving them (and a viral post's text is gone)."""
    if not post_ids:
        return
    for alert in session.scalars(select(Alert).where(Alert.top_posts.is_not(None))):
        kept = [i for i in alert.top_posts or [] if i not in post_ids]
        if kept != list(alert.top_posts or []):
            alert.top_posts = kept
            session.add(alert)


def _delete(session: Session, statement) -> int:
    return session.execute(statement).rowcount or 0


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
