"""Alerts in the store: the hourly series they are judged on (from trend_bucket), the posts driving them, how far
each series has been judged, and the alert with its PR queue item."""

from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, cast, func, literal, select
from sqlmodel import Session

from storage.models import Alert, AlertCheck, AuditEvent, Author, Enrichment, Post, QueueItem, TrendBucket
from storage.models.analytics import ALL


def series_products(session: Session) -> list[str]:
    return list(session.scalars(select(TrendBucket.product).where(TrendBucket.dimension == "all",
                                                                  TrendBucket.product != ALL).distinct()))


def first_hour(session: Session, *, product: str) -> datetime | None:
    return session.scalar(select(func.min(TrendBucket.hour)).where(TrendBucket.dimension == "all",
                                                                   TrendBucket.product == product))


def hourly_counts(session: Session, *, product: str, measure: str, start: datetime, end: datetime
                  ) -> dict[datetime, int]:
    """Posts (or negative posts) per hour in [start, end), hours with none left out."""
    column = TrendBucket.negative if measure == "negative" else TrendBucket.posts
    rows = session.execute(select(TrendBucket.hour, column).where(
        TrendBucket.dimension == "all", TrendBucket.product == product, TrendBucket.hour >= start,
        TrendBucket.hour < end))
    return {hour: int(count) for hour, count in rows}


def judged_through(session: Session, *, series: str) -> datetime | None:
    check = session.get(AlertCheck, series)
    return check.judged_through if check else None


def mark_judged(session: Session, *, series: str, through: datetime) -> None:
    check = session.get(AlertCheck, series) or AlertCheck(series=series, judged_through=through)
    check.judged_through = through
    session.add(check)


def driving_posts(session: Session, *, product: str, negative_only: bool, start: datetime, end: datetime,
                  limit: int = 5) -> list[int]:
    """The posts of the window with the widest reach (followers, then engagement), for the alert's reader."""
    query = (select(Post.id).join(Author, Author.id == Post.author_id).join(Enrichment, Enrichment.post_id == Post.id)
             .where(Post.created_at >= start, Post.created_at < end)
             .order_by((Author.followers + Post.like_count + Post.share_count + Post.reply_count).desc(), Post.id)
             .limit(limit))
    if product != ALL:
        query = query.where(cast(Enrichment.products, Text).contains(f'"{product}"'))
    if negative_only:
        query = query.where(Enrichment.sentiment_label == "negative")
    return list(session.scalars(query))


def viral_candidates(session: Session, *, threshold: int) -> list[tuple[int, int, datetime]]:
    """Posts whose engagement reached the threshold and that have not raised an alert yet."""
    engagement = Post.like_count + Post.share_count + Post.reply_count
    already = select(Alert.id).where(Alert.series == literal("post:").concat(cast(Post.id, String)))
    rows = session.execute(select(Post.id, engagement, Post.created_at)
                           .where(engagement >= threshold, ~already.exists()).order_by(Post.id))
    return [(post_id, int(total), created) for post_id, total, created in rows]


def recent_spikes(session: Session, *, since: datetime) -> list[tuple[str, datetime]]:
    """Spike alerts raised from `since` on, as (product or '*', window start)."""
    rows = session.execute(select(Alert.product, Alert.window_start).where(Alert.kind == "spike",
                                                                           Alert.window_start >= since))
    return [(product or ALL, start) for product, start in rows]


def alert_exists(session: Session, *, series: str, window_start: datetime) -> bool:
    return session.scalar(select(Alert.id).where(Alert.series == series, Alert.window_start == window_start)
                          ) is not None


def raise_alert(session: Session, *, alert: Alert, team: str, priority: int, due_at: datetime | None,
                reasons: list[str], tags: list[str], now: datetime) -> QueueItem:
    """Store the alert and queue it for `team`, with the queued event in its history."""
    session.add(alert)
    session.flush()
    item = QueueItem(post_id=None, alert_id=alert.id, team=team, priority=priority, rule=f"alert:{alert.kind}",
                     reasons=reasons, tags=tags, due_at=due_at, created_at=now, updated_at=now)
    session.add(item)
    session.flush()
    session.add(AuditEvent(actor="alerts", action="queued", item_id=item.id, at=now,
                           detail={"team": team, "priority": priority, "rule": item.rule, "reasons": reasons}))
    return item


def list_alerts(session: Session, *, limit: int = 50, since: datetime | None = None) -> list[dict[str, Any]]:
    query = (select(Alert, QueueItem.id, QueueItem.state).outerjoin(QueueItem, QueueItem.alert_id == Alert.id)
             .order_by(Alert.window_start.desc(), Alert.id.desc()).limit(limit))
    if since:
        query = query.where(Alert.window_start >= since)
    return [{"id": a.id, "kind": a.kind, "series": a.series, "product": a.product, "measure": a.measure,
             "window_start": a.window_start.isoformat(), "window_end": a.window_end.isoformat(), "count": a.count,
             "baseline": a.baseline, "score": a.score, "top_posts": a.top_posts, "summary": a.summary,
             "item_id": item_id, "item_state": state} for a, item_id, state in session.execute(query)]

