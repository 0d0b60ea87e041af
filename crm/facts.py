"""What the CRM models read about one customer: purchases, support cases, their linked authors' posts, CRM status."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time


@dataclass(frozen=True)
class PurchaseFact:
    sku: str
    day: date | None


@dataclass(frozen=True)
class CaseFact:
    id: str
    sku: str | None
    category: str | None
    opened: date | None
    closed: date | None


@dataclass(frozen=True)
class PostFact:
    id: int
    at: datetime
    sentiment: str | None = None  # negative | neutral | positive
    is_complaint: bool = False
    purchase_stage: str | None = None  # considering | purchased | returned | recommending
    is_churn: bool = False
    competitor: str | None = None
    is_referral: bool = False
    products: tuple[str, ...] = ()


@dataclass(frozen=True)
class CustomerFacts:
    customer_id: int
    status: str = "active"  # the CRM's own: active | churned
    status_at: datetime | None = None  # when the CRM record last changed
    purchases: tuple[PurchaseFact, ...] = ()
    cases: tuple[CaseFact, ...] = ()
    posts: tuple[PostFact, ...] = field(default_factory=tuple)


POLARITY = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}  # a sentiment label as a number, for means


def start_of(day: date) -> datetime:
    """A CRM date as the UTC instant it begins, to compare with post times."""
    return datetime.combine(day, time(), tzinfo=UTC)
