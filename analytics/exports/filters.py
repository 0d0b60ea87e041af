"""What an export is limited to (a period, a product, a platform; for trends the interval and grouping) and the SQL
conditions each filter becomes."""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import cast, exists, func, literal, select
from sqlalchemy.dialects.postgresql import JSONB

from analytics.exports import ExportError


@dataclass(frozen=True)
class ExportFilters:
    since: datetime | None = None  # from this time on (inclusive)
    until: datetime | None = None  # up to this time (not included)
    product: str | None = None  # a SKU the post names
    platform: str | None = None  # x, reddit, ...
    interval: str | None = None  # trends only: hour, day (default) or week
    group_by: str | None = None  # trends only: one of analytics.trends.GROUPINGS

    def __post_init__(self) -> None:
        if self.since and self.until and self.since >= self.until:
            raise ExportError("the period's start (--since) must be before its end (--until)")
        if self.product is not None:
            object.__setattr__(self, "product", self.product.strip().upper() or None)
        if self.platform is not None:
            object.__setattr__(self, "platform", self.platform.strip().lower() or None)

    def given(self) -> dict[str, Any]:
        """The filters that were set, as plain JSON values (for the audit trail)."""
        return {name: value.isoformat() if isinstance(value, datetime) else value
                for name, value in asdict(self).items() if value is not None}


def period_conditions(filters: ExportFilters, created_at: Any) -> list[Any]:
    conditions = []
    if filters.since:
        conditions.append(created_at >= filters.since)
    if filters.until:
        conditions.append(created_at < filters.until)
    return conditions


def names_product(dialect: str, products: Any, sku: str) -> Any:
    """`products` (a JSON array of SKUs) holds `sku` as one whole element, in SQL: a JSON containment test on
    PostgreSQL (`@>` on JSONB, which a GIN index can serve), a `json_each` lookup on SQLite. Never a text search, so
    NV-A1 does not match NV-A12."""
    if dialect == "postgresql":
        return products.op("@>")(cast(literal(orjson.dumps([sku]).decode()), JSONB))
    if dialect == "sqlite":
        element = func.json_each(products).table_valued("value")
        return exists(select(literal(1)).select_from(element).where(element.c.value == sku))
    raise NotImplementedError(f"database {dialect!r} is not supported; use SQLite or PostgreSQL")
