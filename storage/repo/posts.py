"""Storing collected posts and their authors idempotently (platform + external id is the identity)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from listener.records import AuthorRecord, PostRecord
from storage.models import Author, Post
from storage.repo.bulk import BulkWriter
from storage.types import utcnow

_AUTHOR_PROFILE = ("handle", "display_name", "bio", "location", "followers", "verified", "updated_at")
_AUTHOR_COLUMNS = ("platform", "external_id", *_AUTHOR_PROFILE)
_POST_COLUMNS = (
    "platform", "external_id", "author_id", "kind", "title", "text", "created_at", "url", "language", "reply_to",
    "conversation_id", "like_count", "share_count", "reply_count", "raw", "target", "collected_at",
)


@dataclass(frozen=True)
class StoreResult:
    new: int
    duplicates: int


def store_posts(session: Session, *, records: Sequence[PostRecord], target: str) -> StoreResult:
    """Insert posts not stored yet (and refresh their authors' profiles); count the rest as duplicates."""
    unique = _first_per_key(records)
    in_batch_duplicates = len(records) - len(unique)
    if not unique:
        return StoreResult(new=0, duplicates=in_batch_duplicates)
    existing = _existing_post_keys(session, unique.keys())
    fresh = [record for key, record in unique.items() if key not in existing]
    if fresh:
        author_ids = upsert_authors(session, authors=[record.author for record in fresh])
        writer = BulkWriter(session)
        now = writer.when(utcnow())
        rows = [
            (
                r.platform, r.external_id, author_ids[(r.author.platform, r.author.external_id)], r.kind, r.title,
                r.text, writer.when(r.created_at), r.url, r.language, r.reply_to, r.conversation_id, r.like_count,
                r.share_count, r.reply_count, writer.json(r.raw), target, now,
            )
            for r in fresh
        ]
        writer.insert("post", _POST_COLUMNS, rows, conflict=("platform", "external_id"), json_columns=("raw",))
    return StoreResult(new=len(fresh), duplicates=in_batch_duplicates + len(existing))


def upsert_authors(session: Session, *, authors: Iterable[AuthorRecord]) -> dict[tuple[str, str], int]:
    """Insert new authors and refresh changed profiles; returns ids by (platform, external id).

    A field the record leaves as None (a Reddit post without its profile, say) keeps the stored value, and
    authors whose profile did not change are not rewritten.
    """
    latest = {(a.platform, a.external_id): a for a in authors}
    writer = BulkWriter(session)
    known = _author_profiles(writer, latest.keys())
    now = writer.when(utcnow())
    rows = []
    for key, author in latest.items():
        stored = known.get(key)
        profile = _merged_profile(author, stored[1:] if stored else None)
        if stored is None or profile != stored[1:]:
            rows.append((author.platform, author.external_id, *profile, now))
    writer.insert("author", _AUTHOR_COLUMNS, rows, conflict=("platform", "external_id"), update=_AUTHOR_PROFILE)
    ids = {key: profile[0] for key, profile in known.items()}
    missing = [key for key in latest if key not in ids]
    if missing:
        ids.update(_ids_by_key(session, "author", missing))
    return ids


def _merged_profile(author: AuthorRecord, stored: tuple | None) -> tuple:
    fresh = (author.handle, author.display_name, author.bio, author.location, author.followers, author.verified)
    if stored is None:
        return tuple(0 if value is None and index == 4 else value for index, value in enumerate(fresh))
    return tuple(old if new is None else new for new, old in zip(fresh, stored))


def _author_profiles(writer: BulkWriter, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple]:
    by_platform: dict[str, list[str]] = defaultdict(list)
    for platform, external_id in keys:
        by_platform[platform].append(external_id)
    found: dict[tuple[str, str], tuple] = {}
    for platform, external_ids in by_platform.items():
        rows = writer.select_by_external_id(
            "author", platform, external_ids, ("id", "handle", "display_name", "bio", "location", "followers", "verified")
        )
        found.update({(platform, external_id): (row[0], *row[1:6], bool(row[6])) for external_id, row in rows.items()})
    return found


def _first_per_key(records: Sequence[PostRecord]) -> dict[tuple[str, str], PostRecord]:
    unique: dict[tuple[str, str], PostRecord] = {}
    for record in records:
        unique.setdefault((record.platform, record.external_id), record)
    return unique


def _existing_post_keys(session: Session, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    return set(_ids_by_key(session, "post", keys))


def _ids_by_key(session: Session, table: str, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    by_platform: dict[str, list[str]] = defaultdict(list)
    for platform, external_id in keys:
        by_platform[platform].append(external_id)
    writer = BulkWriter(session)
    found: dict[tuple[str, str], int] = {}
    for platform, external_ids in by_platform.items():
        ids = writer.ids_by_external_id(table, platform, external_ids)
        found.update({(platform, external_id): row_id for external_id, row_id in ids.items()})
    return found


def recent_external_ids(
    session: Session, *, platform: str, targets: Sequence[str], since: Any, limit: int
) -> list[str]:
    """Ids of posts on `platform` found by `targets`, created since `since`, not known deleted; newest first."""
    rows = session.scalars(
        select(Post.external_id)
        .where(Post.platform == platform, Post.target.in_(targets), Post.created_at >= since, Post.deleted_at.is_(None))
        .order_by(Post.created_at.desc())
        .limit(limit)
    )
    return list(rows)


def mark_deleted(session: Session, *, platform: str, external_ids: Iterable[str]) -> int:
    """Posts deleted upstream: keep the row (ids, times, counts) but drop the text and the raw payload."""
    ids = sorted(set(external_ids))
    if not ids:
        return 0
    result = session.execute(
        update(Post)
        .where(Post.platform == platform, Post.external_id.in_(ids), Post.deleted_at.is_(None))
        .values(text="", title=None, url=None, raw={}, deleted_at=utcnow())
    )
    return result.rowcount or 0
