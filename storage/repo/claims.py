"""The posts each stage still has to do (`post_work`), and how several enrich or route workers share them.

A post's work row for a stage is written with what makes it due: `enrich` with the post (storage/repo/posts.py),
`route` with its enrichment (storage/repo/enrichments.py; enriched again, it is due again). The stage deletes the row
when it writes its result. So a worker finds its work in this small table instead of scanning every post against its
results (that scan took seconds a round at a million posts).

A worker claims a batch in one statement: the lowest post ids of the stage that nobody holds, or whose holder's lease
ran out (a worker that died), are marked as its own until the lease expires (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, so claimers pass each other instead of waiting; SQLite runs one writer at a time anyway). When it writes
its results, it deletes the rows it still holds in the same transaction and keeps only those posts: a worker that
lost a post (it stalled past the lease and another took it over, or the post was enriched again meanwhile) throws
that result away instead of writing it twice.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine, Select, delete, exists, func, literal, or_, select, true, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from storage.engine import session_scope
from storage.models import PostWork
from storage.repo.dialect import upsert_insert
from storage.types import utcnow

_WORK = PostWork.__table__


def add_work(session: Session, *, stage: str, post_ids: Sequence[int]) -> None:
    """These posts are due for the stage (again). A worker holding one of them works on what it read before: it
    loses the post (its result is thrown away) and the post is done again."""
    if not post_ids:
        return
    statement = upsert_insert(session, _WORK)
    statement = statement.on_conflict_do_update(index_elements=["stage", "post_id"],
                                                set_={"holder": None, "expires_at": None})
    session.execute(statement, [{"stage": stage, "post_id": i} for i in sorted(set(post_ids))])  # in pages


def add_work_from(session: Session, *, stage: str, post_ids: Select) -> None:
    """The posts of the select `post_ids` are due for the stage; ones already due are left as they are."""
    due = post_ids.subquery()
    # WHERE true: SQLite reads the ON CONFLICT of an INSERT … SELECT without a WHERE as part of a join
    statement = upsert_insert(session, _WORK).from_select(["stage", "post_id"],
                                                          select(literal(stage), due.c[0]).where(true()))
    session.execute(statement.on_conflict_do_nothing(index_elements=["stage", "post_id"]))


def drop_work(session: Session, *, stage: str, post_ids: Sequence[int]) -> None:
    """These posts are done for the stage, whoever holds them (that holder loses them)."""
    if post_ids:
        session.execute(delete(_WORK).where(_WORK.c.stage == stage, _WORK.c.post_id.in_(list(post_ids))))


def claim_posts(session: Session, *, stage: str, holder: str, limit: int, lease: timedelta) -> list[int]:
    """Claim up to `limit` of the stage's posts that nobody holds, lowest id first; returns them in order."""
    now = utcnow()
    free = (select(_WORK.c.post_id).where(_WORK.c.stage == stage, _free(now)).order_by(_WORK.c.post_id)
            .limit(limit).with_for_update(skip_locked=True).cte("free"))
    statement = (update(_WORK).where(_WORK.c.stage == stage, _WORK.c.post_id == free.c.post_id)
                 .values(holder=holder, expires_at=now + lease).returning(_WORK.c.post_id))
    return sorted(session.scalars(statement))


class StageClaims:
    """A worker's claims on one stage, batch by batch, and the posts it lost to another worker."""

    def __init__(self, *, stage: str, holder: str, lease: timedelta) -> None:
        self.stage, self.holder, self.lease = stage, holder, lease
        self.lost = 0  # posts whose lease ran out and another worker took over before this one wrote them

    def next_ids(self, session: Session, limit: int) -> list[int]:
        return claim_posts(session, stage=self.stage, holder=self.holder, limit=limit, lease=self.lease)

    def keep_held(self, session: Session, post_ids: Sequence[int]) -> set[int]:
        """Mark these posts done as their results are written; the ones still held (the rest count as lost)."""
        held = release_claims(session, stage=self.stage, holder=self.holder, post_ids=post_ids)
        self.lost += len(set(post_ids)) - len(held)
        return held

    def give_back(self, engine: Engine) -> None:
        """Release whatever these claims still hold (it stopped, or failed), so the next run need not wait out the
        lease; when the store itself is failing, the lease runs out instead."""
        try:
            with session_scope(engine) as session:
                release_all(session, stage=self.stage, holder=self.holder)
        except SQLAlchemyError:
            pass


def release_claims(session: Session, *, stage: str, holder: str, post_ids: Sequence[int]) -> set[int]:
    """Delete the work rows of these posts that this holder still holds (their results are being written); returns
    those posts."""
    if not post_ids:
        return set()
    statement = (delete(_WORK).where(_WORK.c.stage == stage, _WORK.c.holder == holder,
                                     _WORK.c.post_id.in_(list(post_ids)))
                 .returning(_WORK.c.post_id))
    return set(session.scalars(statement))


def release_all(session: Session, *, stage: str, holder: str) -> int:
    """Give back everything this holder still has (a worker stopping), so others need not wait out the lease."""
    return session.execute(update(_WORK).where(_WORK.c.stage == stage, _WORK.c.holder == holder)
                           .values(holder=None, expires_at=None)).rowcount


def anything_due(session: Session, *, stage: str) -> bool:
    """Whether the stage has a post nobody holds (an idle worker's cheap look before it claims)."""
    return session.scalar(select(exists().where(_WORK.c.stage == stage, _free(utcnow()))))


def work_left(session: Session, *, stage: str) -> int:
    """The stage's posts still to do, held or not."""
    return session.scalar(select(func.count()).select_from(_WORK).where(_WORK.c.stage == stage))


def live_claims(session: Session, *, stage: str, now: datetime | None = None) -> int:
    moment = now or utcnow()
    return session.scalar(select(func.count()).select_from(_WORK)
                          .where(_WORK.c.stage == stage, _WORK.c.expires_at >= moment))


def _free(now: datetime):
    """Nobody holds the post, or its holder's lease has run out."""
    return or_(_WORK.c.expires_at.is_(None), _WORK.c.expires_at < now)
