"""Posts taken by a worker for a stage, with a lease: how several enrich or route workers share the work.

A worker claims a batch in one short transaction: the next posts the stage still has to do that nobody holds a live
claim on (`FOR NO KEY UPDATE SKIP LOCKED` on PostgreSQL, so claimers pass each other instead of waiting; SQLite runs
one writer at a time anyway). The claim rows are written with `ON CONFLICT ... WHERE expires_at < now RETURNING`, so
of two workers that raced for a post exactly one gets it, and the claimed posts are checked once more in that
transaction (one done and released meanwhile by another worker is no longer due). When the worker writes its
results, it releases the claims in the same transaction and keeps only the posts it still held: a worker that lost a
post (it stalled past the lease and another took it over) throws that result away instead of writing it twice.
"""

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine, Select, delete, exists, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from storage.engine import session_scope
from storage.models import Post, PostClaim
from storage.repo.dialect import upsert_insert
from storage.types import utcnow

_CLAIMS = PostClaim.__table__


def claim_posts(session: Session, *, stage: str, due: Select, holder: str, limit: int, lease: timedelta,
                after_id: int = 0) -> list[int]:
    """Claim up to `limit` posts from `due` (a select of `Post.id` with the stage's conditions), lowest id first
    above `after_id`; returns the ids this holder now holds, in order."""
    now = utcnow()
    query = (due.where(Post.id > after_id, ~_claimed(stage, now)).order_by(Post.id).limit(limit)
             .with_for_update(of=Post, skip_locked=True, key_share=True))  # FOR NO KEY UPDATE: see below
    # NO KEY UPDATE, not UPDATE: a worker writing enrichments takes KEY SHARE locks on their posts (the foreign key),
    # which FOR UPDATE would block; a claimer holding a post that way while waiting for that worker's claim row was
    # a deadlock (seen with four workers on PostgreSQL under load)
    candidates = list(session.scalars(query))
    if not candidates:
        return []
    expires = now + lease
    statement = upsert_insert(session, _CLAIMS).values(
        [{"stage": stage, "post_id": post_id, "holder": holder, "expires_at": expires} for post_id in candidates])
    statement = statement.on_conflict_do_update(
        index_elements=["stage", "post_id"],
        set_={"holder": statement.excluded.holder, "expires_at": statement.excluded.expires_at},
        where=_CLAIMS.c.expires_at < now,
    ).returning(_CLAIMS.c.post_id)
    claimed = list(session.scalars(statement))
    # the candidates were read before the claims were written: another worker may have claimed, done and
    # released some in between (on SQLite this transaction waited for its write lock meanwhile); look again, now
    # that this transaction holds the claims, and give back what is no longer due
    still_due = set(session.scalars(due.where(Post.id.in_(claimed)))) if claimed else set()
    release_claims(session, stage=stage, holder=holder, post_ids=[i for i in claimed if i not in still_due])
    return sorted(still_due)


class ClaimWalk:
    """A worker's way through a stage's due posts: claims above its last batch first, then once more from the
    start for batches whose lease ran out (a worker that died); a walk from the start that finds nothing means the
    stage has nothing left for now."""

    def __init__(self, *, stage: str, due: Callable[[], Select], holder: str, lease: timedelta) -> None:
        self.stage, self.due, self.holder, self.lease = stage, due, holder, lease
        self.after_id = 0
        self.lost = 0  # posts whose lease ran out and another worker took over before this one wrote them

    def next_ids(self, session: Session, limit: int) -> list[int]:
        while True:
            ids = claim_posts(session, stage=self.stage, due=self.due(), holder=self.holder, limit=limit,
                              lease=self.lease, after_id=self.after_id)
            if ids or self.after_id == 0:
                self.after_id = ids[-1] if ids else 0
                return ids
            self.after_id = 0

    def keep_held(self, session: Session, post_ids: Sequence[int]) -> set[int]:
        """Release these posts' claims as their results are written; the ones still held (the rest count as lost)."""
        held = release_claims(session, stage=self.stage, holder=self.holder, post_ids=post_ids)
        self.lost += len(set(post_ids)) - len(held)
        return held

    def give_back(self, engine: Engine) -> None:
        """Release whatever this walk still holds (it stopped, or failed), so the next run need not wait out the
        lease; when the store itself is failing, the lease runs out instead."""
        try:
            with session_scope(engine) as session:
                release_all(session, stage=self.stage, holder=self.holder)
        except SQLAlchemyError:
            pass


def release_claims(session: Session, *, stage: str, holder: str, post_ids: Sequence[int]) -> set[int]:
    """Drop this holder's claims on these posts; returns the posts it still held (whose results it may write)."""
    if not post_ids:
        return set()
    statement = (delete(_CLAIMS).where(_CLAIMS.c.stage == stage, _CLAIMS.c.holder == holder,
                                       _CLAIMS.c.post_id.in_(list(post_ids)))
                 .returning(_CLAIMS.c.post_id))
    return set(session.scalars(statement))


def release_all(session: Session, *, stage: str, holder: str) -> int:
    """Give back everything this holder still has (a worker stopping cleanly), so others need not wait out the lease."""
    return session.execute(delete(_CLAIMS).where(_CLAIMS.c.stage == stage, _CLAIMS.c.holder == holder)).rowcount


def anything_due(session: Session, *, stage: str, due: Select) -> bool:
    """Whether `due` has a post nobody holds a live claim on (an idle worker's cheap look before it claims)."""
    return session.scalar(select(exists(due.where(~_claimed(stage, utcnow())))))


def _claimed(stage: str, now: datetime):
    """The post has a live claim for this stage."""
    return exists().where(_CLAIMS.c.stage == stage, _CLAIMS.c.post_id == Post.id, _CLAIMS.c.expires_at >= now)


def live_claims(session: Session, *, stage: str, now: datetime | None = None) -> int:
    moment = now or utcnow()
    return session.scalar(select(func.count()).select_from(_CLAIMS)
                          .where(_CLAIMS.c.stage == stage, _CLAIMS.c.expires_at >= moment))
