"""What can be exported, registered by name: each source declares its columns and reads its rows in batches.

Posts and queue items are read with keyset pagination (`WHERE id > last ORDER BY id LIMIT n`, one short transaction
per batch), up to the highest id counted when the export began, so memory stays bounded by the batch size and a row
stored meanwhile neither shifts a page nor makes the export run on."""

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import astuple, dataclass, field
from typing import Any, ClassVar

from sqlalchemy import Engine, bindparam, func, outerjoin, select, type_coerce
from sqlalchemy.sql.util import find_tables
from sqlalchemy.types import NullType

from analytics.exports import ExportError
from analytics.exports.columns import Column
from analytics.exports.filters import ExportFilters, names_product, period_conditions
from analytics.rollup import refresh_trends
from analytics.trends import TrendPoint, TrendQuery, trend
from config.registry import Registry
from config.settings import Settings
from storage.engine import session_scope
from storage.models.crm import LINKED_STATUSES, Customer, CustomerLink
from storage.models.engagement import QueueItem
from storage.models.enrichment import Enrichment
from storage.models.social import Author, Post

Row = Sequence[Any]  # one cell per selected column, in their order


@dataclass(frozen=True)
class ExportJob:
    """What a source is given: grows by keyword, so sources need not change when an argument is added."""

    engine: Engine
    settings: Settings
    filters: ExportFilters = field(default_factory=ExportFilters)
    personal: bool = False  # include the columns marked personal
    batch_size: int = 1000


class Source(ABC):
    """One kind of export: `prepare` once, then `count`, then `batches` (lists of rows: tuples of cells in the order of
    `selected()`)."""

    name: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]

    def __init__(self, job: ExportJob) -> None:
        self.job = job

    def selected(self) -> list[Column]:
        return [c for c in self.columns if self.job.personal or not c.personal]

    def prepare(self) -> None:
        """Bring what the export reads up to date (before it is counted)."""

    @abstractmethod
    def count(self) -> int:
        """How many rows the export will write."""

    @abstractmethod
    def batches(self) -> Iterator[list[Row]]:
        """The rows, at most `job.batch_size` at a time, each exactly once."""

    def split(self, parts: int) -> list["Source"]:
        """After `count`: sources for consecutive shares of the rows, which together give `batches()` in order; a
        source that cannot be split returns itself alone."""
        return [self]


sources: Registry[Source] = Registry("export")


@dataclass(frozen=True)
class Keyset:
    """The SQL columns a keyset source pages and filters by."""

    key: Any  # the primary key, exported as `id`
    created_at: Any  # what since/until compare with
    platform: Any
    products: Any  # the JSON array of SKUs that a product filter looks in


class KeysetSource(Source):
    """Rows of one table read in id order, a batch per query; the `id` column is its key."""

    keyset: ClassVar[Keyset]

    def __init__(self, job: ExportJob) -> None:
        super().__init__(job)
        if job.filters.interval or job.filters.group_by:
            raise ExportError("an interval and a grouping are for trends only")
        self._after = 0  # the key this source's rows come after (a share of a split export starts above 0)
        self._last_id: int | None = None  # and the highest key it reads up to
        self._total = 0

    @abstractmethod
    def joined(self, *, personal: bool) -> Any:
        """The FROM clause: the key's table and what the columns (personal ones only when asked for) read."""

    def conditions(self) -> list[Any]:
        filters, keyset = self.job.filters, self.keyset
        conditions = period_conditions(filters, keyset.created_at)
        if filters.product:
            conditions.append(names_product(self.job.engine.dialect.name, keyset.products, filters.product))
        if filters.platform:
            conditions.append(keyset.platform == filters.platform)
        return conditions

    def count(self) -> int:
        conditions = self.conditions()
        # the joined tables (outer joins on their keys) change neither count nor the highest id: they are left out
        # unless a filter looks in them (a million posts are counted in a tenth of the time)
        statement = (select(func.count(), func.max(self.keyset.key))
                     .select_from(self._counting_from()).where(*conditions))
        with session_scope(self.job.engine) as session:
            rows, self._last_id = session.execute(statement).one()
        self._total = int(rows)
        return self._total

    def _counting_from(self) -> Any:
        """The key's table alone, or joined with what the filters look in."""
        key_table = self.keyset.key.table
        needed = {table for condition in self.conditions()
                  for table in find_tables(condition, check_columns=True)} - {key_table}
        return self.joined(personal=False) if needed else key_table

    def split(self, parts: int) -> list[Source]:
        """Shares of about equal row counts, cut at the keys found at each share's offset in key order."""
        total = self.count() if self._last_id is None else self._total
        if parts < 2 or total < parts:
            return [self]
        key = self.keyset.key
        statement = (select(key).select_from(self._counting_from()).where(*self.conditions(), key > self._after,
                                                                          key <= (self._last_id or 0))
                     .order_by(key).offset(bindparam("offset")).limit(1))
        with self.job.engine.connect() as connection:
            cuts = [connection.execute(statement, {"offset": total * n // parts - 1}).scalar_one()
                    for n in range(1, parts)]
        bounds = [self._after, *cuts, self._last_id]
        shares = []
        for after, last in zip(bounds, bounds[1:]):
            share = type(self)(self.job)
            share._after, share._last_id = after, last
            shares.append(share)
        return shares

    def batches(self) -> Iterator[list[Row]]:
        if self._last_id is None:
            self.count()
        key, selected = self.keyset.key, self.selected()
        at = [c.name for c in selected].index("id")
        # plain tuples of cells as the driver returns them, read from its cursor: SQLAlchemy's rows and its per-row
        # type processing (parsing every time and JSON list) are left out, and the formats that need Python values
        # convert column by column (see columns.py)
        statement = (select(*(type_coerce(c.expression, NullType()).label(c.name) for c in selected))
                     .select_from(self.joined(personal=self.job.personal))
                     .where(*self.conditions(), key <= (self._last_id or 0), key > bindparam("after"))
                     .order_by(key).limit(self.job.batch_size))
        after = self._after
        while True:
            with self.job.engine.connect() as connection:
                rows = connection.execute(statement, {"after": after}).cursor.fetchall()
            if not rows:
                return
            yield rows
            after = rows[-1][at]


def _linked_customers() -> Any:
    """Each author's linked customer (an automatic or confirmed link; the lowest id when there are several)."""
    return (select(CustomerLink.author_id, func.min(CustomerLink.customer_id).label("customer_id"))
            .where(CustomerLink.status.in_(LINKED_STATUSES)).group_by(CustomerLink.author_id).subquery("linked"))


LINKED = _linked_customers()


def _with_people(joined: Any) -> Any:
    return (joined.join(Author, Author.id == Post.author_id)
            .outerjoin(LINKED, LINKED.c.author_id == Post.author_id)
            .outerjoin(Customer, Customer.id == LINKED.c.customer_id))


@sources.register
class Posts(KeysetSource):
    name = "posts"
    keyset = Keyset(key=Post.id, created_at=Post.created_at, platform=Post.platform, products=Enrichment.products)
    columns = (
        Column("id", "int", Post.id, doc="the post's id in the store"),
        Column("platform", "text", Post.platform, doc="x, reddit, ..."),
        Column("external_id", "text", Post.external_id, doc="the platform's id of the post"),
        Column("created_at", "time", Post.created_at, doc="when it was posted (UTC)"),
        Column("kind", "text", Post.kind, doc="post or comment"),
        Column("language", "text", func.coalesce(Enrichment.language, Post.language), doc="detected language"),
        Column("url", "text", Post.url, doc="link to the post"),
        Column("likes", "int", Post.like_count, doc="likes when collected"),
        Column("shares", "int", Post.share_count, doc="shares or reposts when collected"),
        Column("replies", "int", Post.reply_count, doc="replies when collected"),
        Column("sentiment", "text", Enrichment.sentiment_label, doc="positive, neutral or negative"),
        Column("sentiment_score", "float", Enrichment.sentiment_score, doc="-1 .. 1"),
        Column("products", "list", Enrichment.products, doc="SKUs of our products it names"),
        Column("complaint", "bool", Enrichment.is_complaint, doc="a complaint"),
        Column("complaint_category", "text", Enrichment.complaint_category, doc="battery, delivery, ..."),
        Column("question", "bool", Enrichment.is_question, doc="asks a question"),
        Column("purchase_stage", "text", Enrichment.purchase_stage, doc="considering, purchased, ..."),
        Column("channel", "text", Enrichment.channel, doc="where the author heard of or bought the product"),
        Column("churn", "bool", Enrichment.is_churn, doc="says they are leaving us"),
        Column("competitor", "text", Enrichment.competitor, doc="competitor named"),
        Column("referral", "bool", Enrichment.is_referral, doc="recommends a product to someone"),
        Column("age_band", "text", Enrichment.age_band, doc="stated age as a band, e.g. 25-34"),
        Column("country", "text", Enrichment.country, doc="stated country (ISO code)"),
        Column("region", "text", Enrichment.region, doc="stated region"),
        Column("city", "text", Enrichment.city, doc="stated city"),
        Column("title", "text", Post.title, personal=True, doc="the post's title (Reddit submissions)"),
        Column("text", "text", Post.text, personal=True, doc="the post's text"),
        Column("author_handle", "text", Author.handle, personal=True, doc="the author's handle"),
        Column("author_name", "text", Author.display_name, personal=True, doc="the author's display name"),
        Column("author_bio", "text", Author.bio, personal=True, doc="the author's profile text"),
        Column("age", "int", Enrichment.age, personal=True, doc="the age the author states"),
        Column("pronouns", "text", Enrichment.pronouns, personal=True, doc="the pronouns the author states"),
        Column("occupation", "text", Enrichment.occupation, personal=True, doc="the occupation the author states"),
        Column("customer_id", "text", Customer.external_id, personal=True, doc="the linked customer's CRM id"),
        Column("customer_name", "text", Customer.name, personal=True, doc="the linked customer's name"),
    )

    def joined(self, *, personal: bool) -> Any:
        posts = outerjoin(Post, Enrichment, Enrichment.post_id == Post.id)
        return _with_people(posts) if personal else posts


@sources.register
class Queue(KeysetSource):
    name = "queue"
    keyset = Keyset(key=QueueItem.id, created_at=QueueItem.created_at, platform=Post.platform,
                    products=Enrichment.products)
    columns = (
        Column("id", "int", QueueItem.id, doc="the queue item's id"),
        Column("team", "text", QueueItem.team, doc="support, pr, ..."),
        Column("priority", "int", QueueItem.priority, doc="1 (most urgent) .. 4"),
        Column("state", "text", QueueItem.state, doc="new, assigned, replied, resolved, snoozed, escalated"),
        Column("assignee", "text", QueueItem.assignee, doc="the staff user working it"),
        Column("rule", "text", QueueItem.rule, doc="the routing rule that queued it"),
        Column("tags", "list", QueueItem.tags, doc="its tags"),
        Column("due_at", "time", QueueItem.due_at, doc="when its SLA runs out (UTC)"),
        Column("created_at", "time", QueueItem.created_at, doc="when it was queued (UTC)"),
        Column("post_id", "int", QueueItem.post_id, doc="the post's id in the store"),
        Column("platform", "text", Post.platform, doc="x, reddit, ..."),
        Column("sentiment", "text", Enrichment.sentiment_label, doc="the post's sentiment"),
        Column("post_text", "text", Post.text, personal=True, doc="the post's text"),
        Column("author_handle", "text", Author.handle, personal=True, doc="the author's handle"),
        Column("customer_id", "text", Customer.external_id, personal=True, doc="the linked customer's CRM id"),
        Column("customer_name", "text", Customer.name, personal=True, doc="the linked customer's name"),
    )

    def joined(self, *, personal: bool) -> Any:
        items = (outerjoin(QueueItem, Post, Post.id == QueueItem.post_id)
                 .outerjoin(Enrichment, Enrichment.post_id == QueueItem.post_id))
        return _with_people(items) if personal else items


@sources.register
class Trends(Source):
    """The trend points `earshot trends` shows: aggregates, one row per period and group, so held whole (their number
    is periods × groups, not posts)."""

    name = "trends"
    columns = (
        Column("period", "text",
               doc="the bucket's start: 2026-11-23T14:00 (hour), 2026-11-23 (day), the Monday (week)"),
        Column("group", "text", doc="the grouping's value, or * when not grouped"),
        Column("posts", "int", doc="posts in the period and group"),
        Column("positive", "int", doc="positive posts"),
        Column("neutral", "int", doc="neutral posts"),
        Column("negative", "int", doc="negative posts"),
        Column("mean_sentiment", "float", doc="mean sentiment score (-1 .. 1) of the scored posts"),
        Column("net_sentiment", "float", doc="(positive - negative) / (positive + negative)"),
    )

    def __init__(self, job: ExportJob) -> None:
        super().__init__(job)
        filters = job.filters
        if filters.platform:
            raise ExportError("trends are not filtered by platform; group them by it instead (--by platform)")
        self.query = TrendQuery(interval=filters.interval or "day", group_by=filters.group_by,
                                product=filters.product, since=filters.since, until=filters.until)
        self._points: list[TrendPoint] | None = None

    def prepare(self) -> None:
        refresh_trends(self.job.engine, self.job.settings)

    def count(self) -> int:
        return len(self._read())

    def batches(self) -> Iterator[list[Row]]:
        points, size = self._read(), self.job.batch_size
        for start in range(0, len(points), size):
            yield [astuple(point) for point in points[start:start + size]]

    def _read(self) -> list[TrendPoint]:
        if self._points is None:
            with session_scope(self.job.engine) as session:
                self._points = trend(session, self.query)
        return self._points
