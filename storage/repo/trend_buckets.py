"""Keeping `trend_bucket` current, in SQL: for a span of hours, the old rows go and every dimension's counts are
inserted again from the posts of those hours, read once (one INSERT ... WITH ... SELECT ... GROUP BY ... UNION ALL
...; no post is loaded into Python)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, false, func, insert, literal, literal_column, or_, select, true, union_all
from sqlmodel import Session

from storage.models import Customer, CustomerLink, Enrichment, Post, TrendBucket, TrendWatermark
from storage.models.analytics import ALL
from storage.models.crm import LINKED_STATUSES

MEASURES = ("posts", "positive", "neutral", "negative", "scored", "score_sum")
# dimension -> the column its value comes from (all, product and brand are computed below)
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
    """Replace every bucket with an hour in [start, end) by counts over the posts of those hours.

    One statement: the span's enriched posts are read once, with every value a dimension groups by, into a
    materialized CTE (and once more per product they name); each dimension's counts are then grouped from that,
    the branches joined by UNION ALL. (Grouping each dimension straight from the posts read them 27 times.)"""
    hour_column = TrendBucket.__table__.c.hour
    session.execute(delete(TrendBucket).where(hour_column >= start, hour_column < end))
    posts = _span_posts(session, start=start, end=end, brand=brand)
    products = _explode(session, posts.c.products)
    per_product = (select(posts, products.c.value.label("product")).select_from(posts).join(products, true())
                   .cte("span_products").prefix_with("MATERIALIZED"))
    branches = []
    for source in (posts, per_product):
        for dimension in DIMENSIONS:
            if dimension == "product" and source is posts:
                continue  # the product dimension is the per-product 'all' rows
            for value, extra in _values(session, source, dimension):
                branches.append(_counts(source, dimension, value, extra))
    columns = ["hour", "product", "dimension", "value", *MEASURES]
    session.execute(insert(TrendBucket).from_select(columns, union_all(*branches)))


def _span_posts(session: Session, *, start: datetime, end: datetime, brand: str) -> Any:
    """The enriched posts of [start, end): their hour, sentiment, products, and each dimension's value."""
    linked = (select(CustomerLink.author_id, func.min(CustomerLink.customer_id).label("customer_id"))
              .where(CustomerLink.status.in_(LINKED_STATUSES)).group_by(CustomerLink.author_id).subquery())
    ours = or_(_array_length(session, Enrichment.products) > 0,
               func.lower(Post.text).contains(brand.lower()) if brand else false())
    return (select(hour_of(session, Post.created_at).label("hour"), Enrichment.sentiment_label.label("label"),
                   Enrichment.sentiment_score.label("score"), Enrichment.products.label("products"),
                   case((ours, literal(brand or "ours")), else_=None).label("brand"),
                   _competitors(session).label("competitors"),
                   *(column.label(dimension) for dimension, column in COLUMNS.items()))
            .select_from(Post).join(Enrichment, Enrichment.post_id == Post.id)
            .outerjoin(linked, linked.c.author_id == Post.author_id)
            .outerjoin(Customer, Customer.id == linked.c.customer_id)
            .where(Post.created_at >= start, Post.created_at < end)
            .cte("span_posts").prefix_with("MATERIALIZED"))


def _values(session: Session, source: Any, dimension: str) -> list[tuple[Any, Any]]:
    """(the value expression, a table-valued function to join for it, or None) for each source of a dimension's
    values: the brand has two, our name and each competitor named."""
    if dimension in ("all", "product"):
        return [(literal(ALL), None)]
    if dimension == "brand":
        competitors = _explode(session, source.c.competitors)
        return [(source.c.brand, None), (competitors.c.value, competitors)]
    return [(source.c[dimension], None)]


def _counts(source: Any, dimension: str, value: Any, extra: Any) -> Any:
    """One dimension's rows: posts and sentiment per hour, product and value."""
    product = source.c.product if "product" in source.c else literal(ALL)
    label = source.c.label
    query = select(
        source.c.hour.label("hour"), product.label("product"), literal(dimension).label("dimension"),
        value.label("value"), func.count().label("posts"),
        func.sum(case((label == "positive", 1), else_=0)).label("positive"),
        func.sum(case((label == "neutral", 1), else_=0)).label("neutral"),
        func.sum(case((label == "negative", 1), else_=0)).label("negative"),
        func.count(source.c.score).label("scored"),
        func.coalesce(func.sum(source.c.score), 0.0).label("score_sum"),
    ).select_from(source)
    if extra is not None:
        query = query.join(extra, true())
    return query.where(value.is_not(None)).group_by(source.c.hour, product, value)


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
