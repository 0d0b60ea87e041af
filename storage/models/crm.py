"""What the business already knows: products, customers, their purchases, support cases and social links."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import JSONValue, UTCDateTime, utcnow


class Product(SQLModel, table=True):
    __tablename__ = "product"

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(max_length=64, unique=True)
    name: str
    aliases: list[str] = Field(default_factory=list, sa_type=JSONValue)
    category: str | None = Field(default=None, max_length=64)


class Customer(SQLModel, table=True):
    __tablename__ = "customer"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, unique=True)
    name: str
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    city: str | None = None
    country: str | None = Field(default=None, max_length=8)
    segment: str | None = Field(default=None, max_length=64)
    consent_marketing: bool = False
    consent_share: bool = False
    lifetime_value: float | None = None
    first_purchase: date | None = None
    status: str = Field(default="active", max_length=16)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # the CRM models (crm/): current lifecycle stage, churn risk with its reasons, when they were last computed
    lifecycle_stage: str | None = Field(default=None, max_length=16, index=True)
    churn_risk: float | None = None
    churn_reasons: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONValue)
    models_refreshed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # normalised keys that identity linking looks customers up by (see enrich/linking/records.py)
    email_key: str | None = Field(default=None, index=True)
    website_key: str | None = Field(default=None, index=True)
    first_name_key: str | None = Field(default=None, max_length=100, index=True)
    last_name_key: str | None = Field(default=None, max_length=100)


class CustomerHandle(SQLModel, table=True):
    """A social handle the customer gave us; stored lower-case for exact matching."""

    __tablename__ = "customer_handle"
    __table_args__ = (
        UniqueConstraint("customer_id", "platform", name="uq_customer_handle_platform"),
        Index("ix_customer_handle_lookup", "platform", "handle"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    platform: str = Field(max_length=16)
    handle: str = Field(max_length=64)


class Purchase(SQLModel, table=True):
    __tablename__ = "purchase"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    sku: str = Field(max_length=64)
    purchased_at: date | None = None
    channel: str | None = Field(default=None, max_length=32)


class SupportCase(SQLModel, table=True):
    __tablename__ = "support_case"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, unique=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    sku: str | None = Field(default=None, max_length=64)
    category: str | None = Field(default=None, max_length=32)
    opened_at: date | None = None
    closed_at: date | None = None
    summary: str | None = None


class CustomerLink(SQLModel, table=True):
    """An author <-> customer match. status: auto | confirmed (linked), proposed (for review), rejected.

    A pair is stored once: a rejected pair is never proposed again, and every change of status is audited."""

    __tablename__ = "customer_link"
    __table_args__ = (UniqueConstraint("author_id", "customer_id", name="uq_customer_link_pair"),)

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="author.id", index=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    method: str = Field(max_length=32)
    confidence: float
    status: str = Field(default="auto", max_length=16)
    evidence: dict[str, Any] = Field(default_factory=dict, sa_type=JSONValue)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, max_length=64)


class LifecycleTransition(SQLModel, table=True):
    """A customer's move from one lifecycle stage to another, with the record or post that caused it."""

    __tablename__ = "lifecycle_transition"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    from_stage: str | None = Field(default=None, max_length=16)
    to_stage: str = Field(max_length=16)
    cause: str = Field(max_length=16)  # purchase | post | support_case | crm_status
    post_id: int | None = Field(default=None, foreign_key="post.id")
    reference: str | None = Field(default=None, max_length=100)  # the SKU, case id or status behind it
    reason: str = Field(max_length=200)


LINK_STATUSES = ("auto", "confirmed", "proposed", "rejected")
LINKED_STATUSES = ("auto", "confirmed")
