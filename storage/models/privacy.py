"""What erasure leaves behind: that it happened (not what was erased), anonymous counts, and who not to collect."""

from datetime import date, datetime
from typing import Any

from sqlmodel import Field, SQLModel

from storage.types import JSONValue, UTCDateTime, utcnow


class Erasure(SQLModel, table=True):
    """An erasure was carried out: when, by whom, of what kind, and how many rows went (no identifiers)."""

    __tablename__ = "erasure"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=64)
    kind: str = Field(max_length=16)  # customer | author
    counts: dict[str, Any] = Field(default_factory=dict, sa_type=JSONValue)


class AnonymousPostCount(SQLModel, table=True):
    """Erased posts, counted per day, platform, sentiment and complaint, so trends keep their totals."""

    __tablename__ = "anonymous_post_count"

    day: date = Field(primary_key=True)
    platform: str = Field(primary_key=True, max_length=16)
    sentiment_label: str = Field(primary_key=True, max_length=16)  # "unscored" when none
    is_complaint: bool = Field(primary_key=True)
    posts: int = 0


class SuppressedAuthor(SQLModel, table=True):
    """An erased author, as a one-way hash of platform and account id, so collectors never store them again."""

    __tablename__ = "suppressed_author"

    key_hash: str = Field(primary_key=True, max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
