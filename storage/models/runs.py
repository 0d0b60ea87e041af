"""Bookkeeping for the stages: per-target collection cursors and per-run statistics."""

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from storage.types import JSONValue, UTCDateTime, utcnow


class Cursor(SQLModel, table=True):
    """Where a target's collection stopped; advanced in the same transaction as the posts it covers."""

    __tablename__ = "cursor"

    target: str = Field(primary_key=True, max_length=100)
    value: dict[str, Any] = Field(default_factory=dict, sa_type=JSONValue)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RunStat(SQLModel, table=True):
    __tablename__ = "run_stat"

    id: int | None = Field(default=None, primary_key=True)
    stage: str = Field(max_length=16, index=True)
    source: str = Field(max_length=100)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    counts: dict[str, int] = Field(default_factory=dict, sa_type=JSONValue)
    error: str | None = None


class ReadUsage(SQLModel, table=True):
    """Posts read from a paid API per target and calendar month (UTC), for read budgets."""

    __tablename__ = "read_usage"

    target: str = Field(primary_key=True, max_length=100)
    month: str = Field(primary_key=True, max_length=7)
    platform: str = Field(max_length=16)
    reads: int = 0


class PostWork(SQLModel, table=True):
    """A post a stage (enrich, route) still has to do: written with the post (enrich) or with its enrichment
    (route), deleted with the stage's result, so a stage finds its work without scanning every post. A worker takes
    rows for a while (`holder` until `expires_at`): other workers leave them alone, and take them again once the
    lease has run out (its worker died)."""

    __tablename__ = "post_work"

    stage: str = Field(primary_key=True, max_length=16)
    post_id: int = Field(primary_key=True, foreign_key="post.id", ondelete="CASCADE")
    holder: str | None = Field(default=None, max_length=100)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Lease(SQLModel, table=True):
    """A named lease one process holds at a time (the scheduler leader, a collection target), renewed while it
    lives; another process takes it over once it has expired."""

    __tablename__ = "lease"

    name: str = Field(primary_key=True, max_length=100)
    holder: str = Field(max_length=100)
    expires_at: datetime = Field(sa_type=UTCDateTime)
