"""Storing collected posts and their authors idempotently (platform + external id is the identity)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, select, update
from sqlmodel import Session

from listener.records import AuthorRecord, PostRecord
from storage.models import Enrichment, Post
from storage.repo.bulk import BulkWriter
from storage.repo.claims import add_work_from
from storage.repo.erasure import suppressed_keys
from storage.types import utcnow

_AUTHOR_PROFILE = ("handle", "display_name", "bio", "location", "followers", "verified", "updated_at")
_AUTHOR_COLUMNS = ("platform", "external_id", *_AUTHOR_PROFILE)
_POST_COLUMNS = (
    "platform", "external_id", "author_id", "kind", "title", "text", "created_at", "url", "language", "reply_to",
    "conversation_id", "like_count", "share_count", "reply_count", "raw", "target", "collected_at",
)


AuthorKey = tuple[str, str]
KnownAuthors = dict[AuthorKey, tuple]  # (platform, external id) -> (id, handle, name, bio, location, followers, verified)


@dataclass(frozen=True)
class StoreResult:
    new: int
    duplicates: int
    authors: KnownAuthors = field(default_factory=dict)  # what this batch stored: cache it once committed
    suppressed: int = 0  # posts of erased authors, not stored


def store_posts(
    session: Session, *, records: Sequence[PostRecord], target: str, known_authors: KnownAuthors | None = None
) -> StoreResult:
    """Insert posts not stored yet (and refresh their authors' profiles); count the rest as duplicates.

    `known_authors` holds authors committed by earlier batches of the same run, so they need no lookup.
    """
    unique = _first_per_key(records)
    in_batch_duplicates = len(records) - len(unique)
    if not unique:
        return StoreResult(new=0, duplicates=in_batch_duplicates)
    existing = _existing_post_keys(session, unique.keys())
    fresh = [record for key, record in unique.items() if key not in existing]
    erased = suppressed_keys(session, keys={(r.author.platform, r.author.external_id) for r in fresh})
    suppressed = [r for r in fresh if (r.author.platform, r.author.external_id) in erased]
    fresh = [r for r in fresh if (r.author.platform, r.author.external_id) not in erased]
    authors: KnownAuthors = {}
    if fresh:
        authors = upsert_authors(session, authors=[record.author for record in fresh], known=known_authors)
        author_ids = {key: profile[0] for key, profile in authors.items()}
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
        _due_for_enrichment(session, keys=[(r.platform, r.external_id) for r in fresh])
    return StoreResult(new=len(fresh), duplicates=in_batch_duplicates + len(existing), authors=authors,
                       suppressed=len(suppressed))


def _due_for_enrichment(session: Session, *, keys: Iterable[tuple[str, str]]) -> None:
    """The new posts are work for the enrich stage (storage/repo/claims.py). Not one another run stored and
    enriched meanwhile (its insert won, so this one's did nothing)."""
    for platform, external_ids in _by_platform(keys).items():
        add_work_from(session, stage="enrich", post_ids=select(Post.id).where(
            Post.platform == platform, Post.external_id.in_(external_ids),
            ~exists().where(Enrichment.post_id == Post.id)))


def upsert_authors(
    session: Session, *, authors: Iterable[AuthorRecord], known: KnownAuthors | None = None
) -> KnownAuthors:
    """Insert new authors and refresh changed profiles; returns (id, profile...) by (platform, external id).

    A field the record leaves as None (a Reddit post without its profile, say) keeps the stored value, and
    authors whose profile did not change are not rewritten.
    """
    latest = {(a.platform, a.external_id): a for a in authors}
    writer = BulkWriter(session)
    known = known or {}
    stored = {key: known[key] for key in latest if key in known}
    stored.update(_author_profiles(writer, [key for key in latest if key not in stored]))
    now = writer.when(utcnow())
    rows, result = [], {}
    for key, author in latest.items():
        before = stored.get(key)
        profile = _merged_profile(author, before[1:] if before else None)
        if before is None or profile != before[1:]:
            rows.append((author.platform, author.external_id, *profile, now))
        result[key] = (before[0] if before else None, *profile)
    writer.insert("author", _AUTHOR_COLUMNS, rows, conflict=("platform", "external_id"), update=_AUTHOR_PROFILE)
    new_ids = _ids_by_key(session, "author", [key for key, value in result.items() if value[0] is None])
    return {key: (value[0] if value[0] is not None else new_ids[key], *value[1:]) for key, value in result.items()}


def _merged_profile(author: AuthorRecord, stored: tuple | None) -> tuple:
    fresh = (author.handle, author.display_name, author.bio, author.location, author.followers, author.verified)
    if stored is None:
        return tuple(0 if value is None and index == 4 else value for index, value in enumerate(fresh))
    return tuple(old if new is None else new for new, old in zip(fresh, stored))


def _author_profiles(writer: BulkWriter, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple]:
    found: dict[tuple[str, str], tuple] = {}
    for platform, external_ids in _by_platform(keys).items():
        rows = writer.select_by_external_id(
            "author", platform, external_ids, ("id", "handle", "display_name", "bio", "location", "followers", "verified")
        )
        found.update({(platform, external_id): (row[0], *row[1:6], bool(row[6])) for external_id, row in rows.items()})
    return found


def _by_platform(keys: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """(platform, external id) keys as each platform's external ids."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for platform, external_id in keys:
        grouped[platform].append(external_id)
    return grouped


def _first_per_key(records: Sequence[PostRecord]) -> dict[tuple[str, str], PostRecord]:
    unique: dict[tuple[str, str], PostRecord] = {}
    for record in records:
        unique.setdefault((record.platform, record.external_id), record)
    return unique


def _existing_post_keys(session: Session, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    return set(_ids_by_key(session, "post", keys))


def _ids_by_key(session: Session, table: str, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    writer = BulkWriter(session)
    found: dict[tuple[str, str], int] = {}
    for platform, external_ids in _by_platform(keys).items():
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
