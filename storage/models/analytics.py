"""Pre-aggregated trends: posts and their sentiment per UTC hour, per product ('*': all posts) and per value of one
dimension (platform, channel, purchase stage, ...). Queries for any period, interval and grouping sum these rows in
SQL, so they cost the same however many posts are stored; `analytics/rollup.py` keeps them current."""

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import JSONValue, UTCDateTime, utcnow

ALL = "*"


class TrendBucket(SQLModel, table=True):
    __tablename__ = "trend_bucket"
    __table_args__ = (Index("ix_trend_bucket_dimension_product_hour", "dimension", "product", "hour"),)

    hour: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    product: str = Field(max_length=64, primary_key=True)  # a SKU, or '*' for every post
    dimension: str = Field(max_length=32, primary_key=True)  # 'all' (value '*'), platform, channel, ...
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


class Alert(SQLModel, table=True):
    """A spike in a series of posts per window, or a single post going viral; it reaches PR as a queue item."""

    __tablename__ = "alert"
    __table_args__ = (UniqueConstraint("series", "window_start", name="uq_alert_series_window"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # spike | viral
    series: str = Field(max_length=100)  # "negative:NV-A12", "total:*" (every post), "post:123"
    product: str | None = Field(default=None, max_length=64)
    measure: str | None = Field(default=None, max_length=16)  # negative | total (spikes)
    window_start: datetime = Field(sa_type=UTCDateTime)
    window_end: datetime = Field(sa_type=UTCDateTime)
    count: int  # posts in the window (spike) or the post's engagement (viral)
    baseline: float  # what the window was expected to hold (spike) or the threshold crossed (viral)
    score: float | None = None
    top_posts: list[int] = Field(default_factory=list, sa_type=JSONValue)  # the posts driving it, most reach first
    summary: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AlertCheck(SQLModel, table=True):
    """How far each series has been judged, so every window is judged once."""

    __tablename__ = "alert_check"

    series: str = Field(max_length=100, primary_key=True)
    judged_through: datetime = Field(sa_type=UTCDateTime)  # the end of the last window judged
