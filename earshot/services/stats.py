"""Store-wide counts: what `earshot stats` and `/api/stats` report."""

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from storage.models import Customer, Enrichment, Post, QueueItem
from storage.repo.links import count_linked_authors, count_links
from storage.repo.usage import reads_by_target_this_month


def store_stats(session: Session) -> dict[str, Any]:
    queue = _counts_by(session, QueueItem.team)
    by_state = _counts_by(session, QueueItem.state)
    by_platform = _counts_by(session, Post.platform)
    sentiment = _counts_by(session, Enrichment.sentiment_label)
    return {
        "posts": session.scalar(select(func.count()).select_from(Post)) or 0,
        "posts_by_platform": by_platform,
        "enriched": session.scalar(select(func.count()).select_from(Enrichment)) or 0,
        "complaints": session.scalar(
            select(func.count()).select_from(Enrichment).where(Enrichment.is_complaint.is_(True))
        ) or 0,
        "sentiment": {("unscored" if label is None else label): n for label, n in sentiment.items()},
        "customers": session.scalar(select(func.count()).select_from(Customer)) or 0,
        "linked": count_linked_authors(session),
        "links_to_review": count_links(session, status="proposed"),
        "lifecycle": {("not computed" if stage is None else stage): n
                      for stage, n in _counts_by(session, Customer.lifecycle_stage).items()},
        "queue": {team: queue.get(team, 0) for team in sorted({"pr", "support", *queue})},
        "queue_by_state": by_state,
        "reads_this_month": reads_by_target_this_month(session),
    }


def _counts_by(session: Session, column: Any) -> dict[Any, int]:
    return {value: count for value, count in session.execute(select(column, func.count()).group_by(column))}
