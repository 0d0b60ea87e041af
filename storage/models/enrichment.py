"""What enrichers found in a post: one row per post, replaced whenever the post is re-enriched.

Typed columns hold what analytics group and filter by; `details` holds each enricher's evidence (text spans,
confidences) keyed by enricher name; `versions` says which version of each enricher produced the row.
Demographics are only what the author states about themself (bio, location field, post), never inferred.
"""

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
        Index("ix_enrichment_purchase_stage", "purchase_stage"),
        Index("ix_enrichment_channel", "channel"),
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
    purchase_stage: str | None = Field(default=None, max_length=16)
    channel: str | None = Field(default=None, max_length=16)
    is_churn: bool = False
    competitor: str | None = Field(default=None, max_length=64)
    is_referral: bool = False
    age: int | None = None
    age_band: str | None = Field(default=None, max_length=8)
    pronouns: str | None = Field(default=None, max_length=16)
    city: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, max_length=2)
    occupation: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSONValue)
    versions: dict[str, str] = Field(default_factory=dict, sa_type=JSONValue)
    enriched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
