"""Replies on queue items: stored before they are sent, marked with the outcome, retried only after a failure."""

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session

from storage.models import Reply
from storage.types import utcnow

AWAITING = "awaiting_approval"


def new_reply(session: Session, *, item_id: int, post_id: int, author: str, text: str, mode: str,
              status: str = "sending") -> Reply:
    reply = Reply(item_id=item_id, post_id=post_id, author=author, text=text, mode=mode, status=status,
                  idempotency_key=uuid.uuid4().hex)
    session.add(reply)
    session.flush()
    return reply


UNCONFIRMED = "unconfirmed"  # sent, but no answer came: the platform may have posted it
RETRYABLE = ("failed", UNCONFIRMED)


def take_for_retry(session: Session, *, reply_id: int) -> str | None:
    """Only a failed or unconfirmed reply may be sent again, and only by one request at a time (a guarded update);
    returns the status it had (None: not one to send again)."""
    for status in RETRYABLE:
        result = session.execute(update(Reply).where(Reply.id == reply_id, Reply.status == status)
                                 .values(status="sending"))
        if result.rowcount == 1:
            return status
    return None


def review(session: Session, *, reply_id: int, reviewer: str, approve: bool, note: str | None) -> bool:
    """Approve (on to `sending`) or reject a reply awaiting approval; one decision only (a guarded update)."""
    result = session.execute(update(Reply).where(Reply.id == reply_id, Reply.status == AWAITING)
                             .values(status="sending" if approve else "rejected", reviewed_by=reviewer,
                                     reviewed_at=utcnow(), review_note=note))
    return result.rowcount == 1


def awaiting_on_item(session: Session, *, item_id: int) -> Reply | None:
    return session.scalar(select(Reply).where(Reply.item_id == item_id, Reply.status == AWAITING).limit(1))


def record_outcome(session: Session, *, reply_id: int, status: str, platform_reply_id: str | None = None,
                   error: str | None = None, at: datetime | None = None) -> Reply:
    reply = session.get(Reply, reply_id)
    reply.status, reply.platform_reply_id, reply.error = status, platform_reply_id, error
    reply.attempts += 1
    if status in ("sent", "dry_run"):
        reply.sent_at = at or utcnow()
    session.add(reply)
    session.flush()
    return reply


def replies_of(session: Session, *, item_id: int) -> list[Reply]:
    return list(session.scalars(select(Reply).where(Reply.item_id == item_id).order_by(Reply.id)))
