"""Storing collected posts and their authors idempotently (platform + external id is the identity)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from listener.records import AuthorRecord, PostRecord
from storage.models import Author, Post
from storage.repo.dialect import upsert_insert
from storage.types import utcnow

_AUTHOR_PROFILE = ("handle", "display_name", "bio", "location", "followers", "verified", "updated_at")


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
        now = utcnow()
        rows = [_post_row(record, author_ids, target, now) for record in fresh]
        statement = upsert_insert(session, Post.__table__).on_conflict_do_nothing(
            index_elements=["platform", "external_id"]
        )
        session.execute(statement, rows)
    return StoreResult(new=len(fresh), duplicates=in_batch_duplicates + len(existing))


def upsert_authors(session: Session, *, authors: Iterable[AuthorRecord]) -> dict[tuple[str, str], int]:
    """Insert or refresh authors; returns their ids by (platform, external id)."""
    latest = {(a.platform, a.external_id): a for a in authors}
    now = utcnow()
    rows = [{**author.model_dump(), "updated_at": now} for author in latest.values()]
    statement = upsert_insert(session, Author.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["platform", "external_id"],
        set_={column: statement.excluded[column] for column in _AUTHOR_PROFILE},
    )
    session.execute(statement, rows)
    return _ids_by_key(session, Author, latest.keys())


def _first_per_key(records: Sequence[PostRecord]) -> dict[tuple[str, str], PostRecord]:
    unique: dict[tuple[str, str], PostRecord] = {}
    for record in records:
        unique.setdefault((record.platform, record.external_id), record)
    return unique


def _existing_post_keys(session: Session, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    return set(_ids_by_key(session, Post, keys))


def _ids_by_key(session: Session, model: Any, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    by_platform: dict[str, list[str]] = defaultdict(list)
    for platform, external_id in keys:
        by_platform[platform].append(external_id)
    found: dict[tuple[str, str], int] = {}
    for platform, external_ids in by_platform.items():
        for chunk in _chunks(external_ids, 500):
            rows = session.execute(
                select(model.id, model.external_id).where(
                    model.platform == platform, model.external_id.in_(chunk)
                )
            )
            found.update({(platform, external_id): row_id for row_id, external_id in rows})
    return found


def _post_row(record: PostRecord, author_ids: dict[tuple[str, str], int], target: str, now: Any) -> dict[str, Any]:
    row = record.model_dump(exclude={"author"})
    row["author_id"] = author_ids[(record.author.platform, record.author.external_id)]
    row["target"] = target
    row["collected_at"] = now
    return row


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


__all__ = ["StoreResult", "store_posts", "upsert_authors"]


def recent_external_ids(session: Session, *, platform: str, since: Any, limit: int) -> list[str]:
    """Ids of posts on `platform` created since `since` and not known to be deleted, newest first."""
    rows = session.scalars(
        select(Post.external_id)
        .where(Post.platform == platform, Post.created_at >= since, Post.deleted_at.is_(None))
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
