"""What staff work on: routing decisions, queue items and the audit trail of every change."""

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.types import JSONValue, UTCDateTime, utcnow

QUEUE_STATES = ("new", "assigned", "replied", "resolved", "snoozed", "escalated")  # moves: engage/queue.py


class RouteDecision(SQLModel, table=True):
    """Which rule a post matched last; a post is due for routing when its enrichment is newer."""

    __tablename__ = "route_decision"

    post_id: int = Field(foreign_key="post.id", primary_key=True)
    rule: str = Field(max_length=100)
    team: str | None = Field(default=None, max_length=32)
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class QueueItem(SQLModel, table=True):
    __tablename__ = "queue_item"
    __table_args__ = (Index("ix_queue_item_team_state", "team", "state", "priority", "due_at"),
                      Index("ix_queue_item_team_priority_due", "team", "priority", "due_at"),
                      Index("ix_queue_item_assignee_state", "assignee", "state"))

    id: int | None = Field(default=None, primary_key=True)
    post_id: int | None = Field(default=None, foreign_key="post.id", unique=True)  # None: an alert's item
    alert_id: int | None = Field(default=None, foreign_key="alert.id", unique=True)
    team: str = Field(max_length=32)
    priority: int = 3
    state: str = Field(default="new", max_length=16)
    assignee: str | None = Field(default=None, max_length=64)
    rule: str = Field(max_length=100)
    reasons: list[str] = Field(default_factory=list, sa_type=JSONValue)
    tags: list[str] = Field(default_factory=list, sa_type=JSONValue)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    snoozed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    conversation_key: str | None = Field(default=None, max_length=100, index=True)  # platform:thread root id
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ItemPost(SQLModel, table=True):
    """A later post of the same conversation, attached to the open item instead of queued again."""

    __tablename__ = "item_post"

    item_id: int = Field(foreign_key="queue_item.id", primary_key=True)
    post_id: int = Field(foreign_key="post.id", primary_key=True)


class ItemNote(SQLModel, table=True):
    """An internal note on a queue item (never sent to the author)."""

    __tablename__ = "item_note"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="queue_item.id", index=True)
    author: str = Field(max_length=64)
    text: str
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=64)
    action: str = Field(max_length=64)
    item_id: int | None = Field(default=None, foreign_key="queue_item.id", index=True)
    link_id: int | None = Field(default=None, foreign_key="customer_link.id", index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSONValue)


class Reply(SQLModel, table=True):
    """A reply written on a queue item. Sent at most once: it is marked `sending` (committed) before the platform is
    called, so a crash mid-send leaves it `sending` for a person to check, never sent again by itself."""

    __tablename__ = "reply"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="queue_item.id", index=True)
    post_id: int = Field(foreign_key="post.id")
    author: str = Field(max_length=64)
    text: str
    idempotency_key: str = Field(max_length=64, unique=True)
    # awaiting_approval | rejected | sending | sent | dry_run | failed
    status: str = Field(default="sending", max_length=24)
    mode: str = Field(max_length=8)  # dry-run | live
    platform_reply_id: str | None = Field(default=None, max_length=64)
    error: str | None = None
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # teams whose replies need a second person's approval (`[teams.NAME] approve_replies`)
    reviewed_by: str | None = Field(default=None, max_length=64)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_note: str | None = None
