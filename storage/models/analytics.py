"""Pre-aggregated trends: posts and their sentiment per UTC hour, per product ('*': all posts) and per value of one
dimension (platform, channel, purchase stage, ...). Queries for any period, interval and grouping sum these rows in
SQL, so they cost the same however many posts are stored; `analytics/rollup.py` keeps them current."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

ALL = "*"


class TrendBucket(SQLModel, table=True):
    __tablename__ = "trend_bucket"
    __table_args__ = (Index("ix_trend_bucket_dimension_product_hour", "dimension", "product", "hour"),)

    hour: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    product: str = Field(max_length=64, primary_key=True)  # a SKU, or '*' for every post
    dimension: str = Field(max_length=16, primary_key=True)  # 'all' (value '*'), platform, channel, ...
    value: str = Field(max_length=100, primary_key=True)
    posts: int = 0
    positive: int = 0
    neutral: int = 0
    negative: int = 0
    scored: int = 0  # posts with a sentiment score
    score_sum: float = 0.0


class TrendWatermark(SQLModel, table=True):
    """How far the buckets are current: enrichments at or before `enriched_through` are counted."""

    __tablename__ = "trend_watermark"

    id: int = Field(default=1, primary_key=True)
    enriched_through: datetime | None = Field(default=None, sa_type=UTCDateTime)
    refreshed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
