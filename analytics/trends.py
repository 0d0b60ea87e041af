"""Trends from the hourly buckets: posts and sentiment per hour, day or week, grouped by one dimension; share of
voice; the purchase funnel per product; channel attribution. Sums in SQL over `trend_bucket` (see
storage/models/analytics.py), so a query costs the same for a thousand posts or millions."""

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, literal, select
from sqlmodel import Session

from config.errors import EarshotError
from enrich.vocabulary import PURCHASE_STAGES
from storage.models import TrendBucket
from storage.models.analytics import ALL
from storage.repo.trend_buckets import DIMENSIONS

INTERVALS = ("hour", "day", "week")
GROUPINGS = tuple(d for d in DIMENSIONS if d != "all")


class TrendQueryError(EarshotError):
    """A grouping, interval or period that does not exist."""


@dataclass(frozen=True)
class TrendQuery:
    interval: str = "day"
    group_by: str | None = None  # one of GROUPINGS; None: all posts together
    product: str | None = None  # only posts naming this SKU
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        if self.interval not in INTERVALS:
            raise TrendQueryError(f"unknown interval {self.interval!r}; use {', '.join(INTERVALS)}")
        if self.group_by is not None and self.group_by not in GROUPINGS:
            raise TrendQueryError(f"unknown grouping {self.group_by!r}; use one of {', '.join(GROUPINGS)}")
        if self.group_by == "product" and self.product:
            raise TrendQueryError("group by product, or filter on one product: not both")
        if self.since and self.until and self.since >= self.until:
            raise TrendQueryError("the period's start must be before its end")


@dataclass(frozen=True)
class TrendPoint:
    period: str  # the bucket's start: 2026-11-23T14:00 (hour), 2026-11-23 (day), the Monday (week)
    group: str  # the dimension's value, or '*' when not grouped
    posts: int
    positive: int
    neutral: int
    negative: int
    mean_sentiment: float | None  # mean score (-1..1) of the scored posts
    net_sentiment: float | None  # (positive - negative) / (positive + negative)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def trend(session: Session, query: TrendQuery) -> list[TrendPoint]:
    period = _period(session, query.interval)
    group = TrendBucket.product if query.group_by == "product" else TrendBucket.value
    rows = session.execute(
        _filtered(query, dimension=_dimension(query.group_by), product=_product(query))
        .with_only_columns(period.label("period"), group.label("grp"), *_sums())
        .group_by(period, group).order_by(period, group))
    return [_point(row.period, row.grp, row) for row in rows]


def totals(session: Session, query: TrendQuery) -> list[TrendPoint]:
    """One point per group over the whole period (the shares, the funnel's stages, the channels)."""
    group = TrendBucket.product if query.group_by == "product" else TrendBucket.value
    rows = session.execute(
        _filtered(query, dimension=_dimension(query.group_by), product=_product(query))
        .with_only_columns(group.label("grp"), *_sums()).group_by(group).order_by(func.sum(TrendBucket.posts).desc()))
    return [_point("total", row.grp, row) for row in rows]


def share_of_voice(session: Session, query: TrendQuery) -> list[dict[str, Any]]:
    """Posts naming us (our products or our name) and each configured competitor, with each one's share."""
    points = totals(session, TrendQuery(interval=query.interval, group_by="brand", since=query.since,
                                        until=query.until))
    mentions = sum(p.posts for p in points)
    return [{**p.as_dict(), "brand": p.group, "share": round(p.posts / mentions, 4) if mentions else 0.0}
            for p in points]


def funnel(session: Session, query: TrendQuery, *, over_time: bool = False) -> list[dict[str, Any]]:
    """Per product: posts at each purchase stage over the period (or per interval, `over_time`), and the conversion
    between stages."""
    period = _period(session, query.interval) if over_time else literal("total")
    rows = session.execute(
        _filtered(query, dimension="purchase_stage", product=None)
        .where(TrendBucket.product != ALL, *([TrendBucket.product == query.product.upper()] if query.product else []))
        .with_only_columns(period.label("period"), TrendBucket.product, TrendBucket.value,
                           func.sum(TrendBucket.posts))
        .group_by(period, TrendBucket.product, TrendBucket.value))
    stages: dict[tuple[str, str], dict[str, int]] = {}
    for when, product, stage, posts in rows:
        stages.setdefault((str(when), product), dict.fromkeys(PURCHASE_STAGES, 0))[stage] = int(posts)
    return [{**({"period": when} if over_time else {}), "product": product, **counts, **conversions(counts)}
            for (when, product), counts in sorted(stages.items())]


def conversions(counts: dict[str, int]) -> dict[str, float | None]:
    """Bought per considering; returned and recommending per bought (None when the base is zero)."""
    def ratio(part: str, base: str) -> float | None:
        return round(counts[part] / counts[base], 4) if counts.get(base) else None

    return {"bought_per_considering": ratio("purchased", "considering"),
            "returned_per_bought": ratio("returned", "purchased"),
            "recommending_per_bought": ratio("recommending", "purchased")}


def channels(session: Session, query: TrendQuery) -> list[dict[str, Any]]:
    """Which channels people name (where they heard of a product), per product, with the sentiment of those posts."""
    rows = session.execute(
        _filtered(query, dimension="channel", product=None)
        .where(TrendBucket.product != ALL, *([TrendBucket.product == query.product.upper()] if query.product else []))
        .with_only_columns(TrendBucket.product.label("product"), TrendBucket.value.label("grp"), *_sums())
        .group_by(TrendBucket.product, TrendBucket.value)
        .order_by(TrendBucket.product, func.sum(TrendBucket.posts).desc()))
    return [{"product": row.product, "channel": row.grp, **_point("total", row.grp, row).as_dict()} for row in rows]


def _dimension(group_by: str | None) -> str:
    return "all" if group_by in (None, "product") else group_by


def _product(query: TrendQuery) -> str | None:
    """Grouping by product reads the per-product rows; otherwise one product's rows, or every post's ('*')."""
    if query.group_by == "product":
        return None
    return query.product.upper() if query.product else ALL


def _filtered(query: TrendQuery, *, dimension: str, product: str | None):
    statement = select(TrendBucket.hour).where(TrendBucket.dimension == dimension)
    if product is None:
        statement = statement.where(TrendBucket.product != ALL)
    else:
        statement = statement.where(TrendBucket.product == product)
    if query.since:
        statement = statement.where(TrendBucket.hour >= query.since)
    if query.until:
        statement = statement.where(TrendBucket.hour < query.until)
    return statement


def _sums() -> tuple:
    return tuple(func.sum(getattr(TrendBucket, name)).label(name)
                 for name in ("posts", "positive", "neutral", "negative", "scored", "score_sum"))


def _period(session: Session, interval: str):
    hour = TrendBucket.hour
    if session.get_bind().dialect.name == "sqlite":
        return {"hour": func.strftime("%Y-%m-%dT%H:00", hour), "day": func.strftime("%Y-%m-%d", hour),
                "week": func.date(hour, "weekday 0", "-6 days")}[interval]
    formats = {"hour": "YYYY-MM-DD\"T\"HH24:00", "day": "YYYY-MM-DD", "week": "YYYY-MM-DD"}
    return func.to_char(func.date_trunc(interval, hour), formats[interval])


def _point(period: Any, group: str, row: Any) -> TrendPoint:
    polar = (row.positive or 0) + (row.negative or 0)
    return TrendPoint(
        period=str(period), group=group, posts=int(row.posts or 0), positive=int(row.positive or 0),
        neutral=int(row.neutral or 0), negative=int(row.negative or 0),
        mean_sentiment=round(row.score_sum / row.scored, 4) if row.scored else None,
        net_sentiment=round((row.positive - row.negative) / polar, 4) if polar else None)


def parse_day(value: str | None) -> datetime | None:
    """`2026-11-01` or a full ISO time, as UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise TrendQueryError(f"not a date: {value!r} (use YYYY-MM-DD or an ISO 8601 time)") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
