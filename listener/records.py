"""Platform-neutral records a collector yields; each platform maps its objects to these in one place."""

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SkipValidation, field_validator

# Platforms report some languages with their own codes; we store ISO 639-1.
_LANGUAGE_ALIASES = {"in": "id", "iw": "he", "ji": "yi", "und": None, "zxx": None, "qme": None}


def normalise_language(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip().lower().split("-")[0]
    return _LANGUAGE_ALIASES.get(code, code) or None


_ZERO = timedelta(0)


def aware_utc(value: datetime) -> datetime:
    offset = value.utcoffset()
    if offset is None:
        raise ValueError("created_at needs a timezone (e.g. 2026-10-03T14:22:05Z)")
    return value.replace(tzinfo=UTC) if offset == _ZERO else value.astimezone(UTC)


def without_nul(value: str | None) -> str | None:
    """NUL characters cannot be stored (PostgreSQL refuses them in text); they carry no meaning in a post."""
    return value.replace("\x00", "") if value else value


class AuthorRecord(BaseModel):
    """An author as one post shows them. None means "not in this payload": a stored value is kept."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    platform: str
    external_id: str = Field(min_length=1, max_length=64)
    handle: str | None = Field(default=None, max_length=64)
    display_name: str | None = None
    bio: str | None = None
    location: str | None = None
    followers: int | None = Field(default=None, ge=0, le=2**53)  # None: not known (kept as stored)
    verified: bool = False


class PostRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    platform: str = Field(min_length=1, max_length=16)
    external_id: str = Field(min_length=1, max_length=64)
    author: AuthorRecord
    text: str
    title: str | None = None
    kind: Literal["post", "comment"] = "post"
    created_at: datetime
    url: str | None = None
    language: str | None = None
    reply_to: str | None = Field(default=None, max_length=64)
    conversation_id: str | None = Field(default=None, max_length=64)
    like_count: int = Field(default=0, ge=0, le=2**53)
    share_count: int = Field(default=0, ge=0, le=2**53)
    reply_count: int = Field(default=0, ge=0, le=2**53)
    raw: SkipValidation[dict[str, Any]] = Field(default_factory=dict)  # the platform's JSON, kept as it came

    @field_validator("created_at")
    @classmethod
    def _aware_utc(cls, value: datetime) -> datetime:
        return aware_utc(value)

    @field_validator("language", mode="before")
    @classmethod
    def _iso_language(cls, value: Any) -> Any:
        return normalise_language(value) if isinstance(value, str) or value is None else value

    @field_validator("text", "title")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        return without_nul(value)
