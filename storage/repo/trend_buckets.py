"""Keeping `trend_bucket` current, in SQL: for a span of hours, the old rows go and each dimension's counts are
inserted again from the posts of those hours (INSERT ... SELECT ... GROUP BY; no post is loaded into Python)."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, false, func, insert, literal, literal_column, or_, select, true
from sqlmodel import Session

from storage.models import Customer, CustomerLink, Enrichment, Post, TrendBucket, TrendWatermark
from storage.models.analytics import ALL
from storage.models.crm import LINKED_STATUSES

MEASURES = ("posts", "positive", "neutral", "negative", "scored", "score_sum")
# dimension -> the column its value comes from (None: computed specially below)
COLUMNS: dict[str, Any] = {
    "platform": Post.platform,
    "language": Enrichment.language,
    "purchase_stage": Enrichment.purchase_stage,
    "channel": Enrichment.channel,
    "complaint_category": Enrichment.complaint_category,
    "age_band": Enrichment.age_band,
    "country": Enrichment.country,
    "city": Enrichment.city,
    "segment": Customer.segment,
    "lifecycle": Customer.lifecycle_stage,
}
CUSTOMER_DIMENSIONS = ("segment", "lifecycle")
DIMENSIONS = ("all", "product", "brand", *COLUMNS)


def hour_of(session: Session, column: Any) -> Any:
    if _dialect(session) == "sqlite":
        return func.strftime("%Y-%m-%d %H:00:00.000000", column)
    return func.date_trunc("hour", column)


def hours_enriched_since(session: Session, *, since: datetime | None) -> list[datetime]:
    """The hours (of posting) whose posts were enriched after `since` (all hours when None)."""
    hour = hour_of(session, Post.created_at).label("hour")
    query = select(hour).join(Enrichment, Enrichment.post_id == Post.id).group_by(hour).order_by(hour)
    if since is not None:
        query = query.where(Enrichment.enriched_at > since)
    return [_as_datetime(value) for value in session.scalars(query)]


def latest_enrichment(session: Session) -> datetime | None:
    return session.scalar(select(func.max(Enrichment.enriched_at)))


def watermark(session: Session) -> TrendWatermark:
    return session.get(TrendWatermark, 1) or TrendWatermark(id=1)


def rebuild_span(session: Session, *, start: datetime, end: datetime, brand: str) -> None:
    """Replace every bucket with an hour in [start, end) by counts over the posts of those hours."""
    hour_column = TrendBucket.__table__.c.hour
    session.execute(delete(TrendBucket).where(hour_column >= start, hour_column < end))
    in_span = and_(Post.created_at >= start, Post.created_at < end)
    for per_product in (False, True):
        for dimension in DIMENSIONS:
            if dimension == "product" and not per_product:
                continue  # the product dimension is the per-product 'all' rows
            for value, extra in _values(session, dimension, brand):
                _insert(session, dimension, value, extra, in_span, per_product)


def _values(session: Session, dimension: str, brand: str) -> list[tuple[Any, Callable[[Any], Any] | None]]:
    """(the value expression, an optional change to the FROM clause) for each source of a dimension's values."""
    if dimension in ("all", "product"):
        return [(literal(ALL), None)]
    if dimension == "brand":
        ours = or_(_array_length(session, Enrichment.products) > 0,
                   func.lower(Post.text).contains(brand.lower()) if brand else false())
        competitors = _explode(session, _competitors(session))
        return [(case((ours, literal(brand or "ours")), else_=None), None),
                (competitors.c.value, lambda q: q.join(competitors, true()))]
    if dimension in CUSTOMER_DIMENSIONS:
        linked = (select(CustomerLink.author_id, func.min(CustomerLink.customer_id).label("customer_id"))
                  .where(CustomerLink.status.in_(LINKED_STATUSES)).group_by(CustomerLink.author_id).subquery())
        return [(COLUMNS[dimension], lambda q: q.join(linked, linked.c.author_id == Post.author_id)
                 .join(Customer, Customer.id == linked.c.customer_id))]
    return [(COLUMNS[dimension], None)]


def _insert(session: Session, dimension: str, value: Any, extra: Callable[[Any], Any] | None, in_span: Any,
            per_product: bool) -> None:
    hour = hour_of(session, Post.created_at)
    label = Enrichment.sentiment_label
    query = select(Post.id).select_from(Post).join(Enrichment, Enrichment.post_id == Post.id)
    if per_product:
        products = _explode(session, Enrichment.products)
        query = query.join(products, true())
        product = products.c.value
    else:
        product = literal(ALL)
    if extra is not None:
        query = extra(query)
    query = (query.with_only_columns(
        hour.label("hour"), product.label("product"), literal(dimension).label("dimension"), value.label("value"),
        func.count().label("posts"),
        func.sum(case((label == "positive", 1), else_=0)).label("positive"),
        func.sum(case((label == "neutral", 1), else_=0)).label("neutral"),
        func.sum(case((label == "negative", 1), else_=0)).label("negative"),
        func.count(Enrichment.sentiment_score).label("scored"),
        func.coalesce(func.sum(Enrichment.sentiment_score), 0.0).label("score_sum"),
    ).where(in_span, value.is_not(None)).group_by(hour, product, value))
    columns = ["hour", "product", "dimension", "value", *MEASURES]
    session.execute(insert(TrendBucket).from_select(columns, query))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _explode(session: Session, json_array: Any) -> Any:
    """A JSON array's elements as rows (`.c.value`), joined laterally to the row it belongs to."""
    if _dialect(session) == "sqlite":
        return func.json_each(json_array).table_valued("value")
    return func.jsonb_array_elements_text(json_array).table_valued("value").lateral()


def _competitors(session: Session) -> Any:
    if _dialect(session) == "sqlite":
        return func.json_extract(Enrichment.details, "$.products.competitors")
    return Enrichment.details.op("#>")(literal_column("ARRAY['products', 'competitors']"))


def _array_length(session: Session, json_array: Any) -> Any:
    if _dialect(session) == "sqlite":
        return func.coalesce(func.json_array_length(json_array), 0)
    return func.coalesce(func.jsonb_array_length(json_array), 0)


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def spans(hours: list[datetime], *, longest: timedelta) -> list[tuple[datetime, datetime]]:
    """[start, end) spans of at most `longest` that cover every given hour; hours in a span that were not given are
    counted again too (harmless), so a few large statements replace many small ones."""
    result: list[tuple[datetime, datetime]] = []
    for hour in sorted(hours):
        if result and hour < result[-1][1]:
            continue
        if result and hour + timedelta(hours=1) - result[-1][0] <= longest:
            result[-1] = (result[-1][0], hour + timedelta(hours=1))
        else:
            result.append((hour, hour + timedelta(hours=1)))
    return result
