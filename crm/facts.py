"""What the CRM models read about one customer: purchases, support cases, their linked authors' posts, CRM status."""

from dataclasses import dataclass, field
from datetime import date, datetime


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
