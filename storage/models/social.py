"""What listeners collect: authors and their posts, unique by platform + the platform's own id."""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import JSONValue, UTCDateTime, utcnow


class Author(SQLModel, table=True):
    __tablename__ = "author"
    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="uq_author_platform_external_id"),
        Index("ix_author_platform_handle", "platform", "handle"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    handle: str | None = Field(default=None, max_length=64)
    display_name: str | None = None
    bio: str | None = None
    location: str | None = None
    followers: int = 0
    verified: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    link_checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # last looked up in the CRM


class Post(SQLModel, table=True):
    __tablename__ = "post"
    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="uq_post_platform_external_id"),
        Index("ix_post_created_at", "created_at"),
        Index("ix_post_conversation", "platform", "conversation_id"),
        Index("ix_post_id_author_created", "id", "author_id", "created_at"),  # the queue views' sort keys
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    author_id: int = Field(foreign_key="author.id", index=True)
    kind: str = Field(default="post", max_length=16)
    title: str | None = None
    text: str
    created_at: datetime = Field(sa_type=UTCDateTime)
    url: str | None = None
    language: str | None = Field(default=None, max_length=16)
    reply_to: str | None = Field(default=None, max_length=64)
    conversation_id: str | None = Field(default=None, max_length=64)
    like_count: int = 0
    share_count: int = 0
    reply_count: int = 0
    raw: dict[str, Any] = Field(default_factory=dict, sa_type=JSONValue)
    target: str = Field(max_length=100)
    collected_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
