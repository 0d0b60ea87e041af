"""What enrichers found in a post: one row per post, replaced whenever the post is re-enriched."""

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.types import JSONValue, UTCDateTime, utcnow


class Enrichment(SQLModel, table=True):
    __tablename__ = "enrichment"
    __table_args__ = (
        Index("ix_enrichment_enriched_at", "enriched_at"),
        Index("ix_enrichment_sentiment", "sentiment_label"),
    )

    post_id: int = Field(foreign_key="post.id", primary_key=True)
    language: str | None = Field(default=None, max_length=16)
    sentiment_label: str | None = Field(default=None, max_length=16)
    sentiment_score: float | None = None
    sentiment_backend: str | None = Field(default=None, max_length=64)
    sentiment_version: str | None = Field(default=None, max_length=32)
    products: list[str] = Field(default_factory=list, sa_type=JSONValue)
    is_complaint: bool = False
    complaint_category: str | None = Field(default=None, max_length=32)
    is_question: bool = False
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSONValue)
    versions: dict[str, str] = Field(default_factory=dict, sa_type=JSONValue)
    enriched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
