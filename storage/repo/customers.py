"""Reading one customer whole (the customer 360): record, products, support cases, links and their authors' posts."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlmodel import Session

from config.errors import EarshotError
from storage.models import Author, Customer, CustomerLink, Enrichment, Post, Product, Purchase, SupportCase
from storage.models.crm import LINKED_STATUSES


class CustomerNotFound(EarshotError):
    """No customer with that id."""


@dataclass(frozen=True)
class CustomerPost:
    id: int
    platform: str
    created_at: datetime
    text: str
    title: str | None
    url: str | None
    handle: str | None
    sentiment_label: str | None
    sentiment_score: float | None
    products: list[str]
    is_complaint: bool
    complaint_category: str | None
    purchase_stage: str | None
    is_churn: bool
    competitor: str | None
    is_referral: bool


def find_customer(session: Session, *, external_id: str) -> Customer:
    customer = session.scalar(select(Customer).where(Customer.external_id == external_id))
    if customer is None:
        raise CustomerNotFound(f"no customer {external_id!r}; search with `earshot customers list --search TEXT`")
    return customer


def search_customers(session: Session, *, search: str | None = None, limit: int = 50,
                     offset: int = 0) -> tuple[list[Customer], int]:
    query = select(Customer)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(or_(func.lower(Customer.name).like(pattern), func.lower(Customer.external_id).like(pattern),
                                Customer.email_key.like(pattern)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Customer.name, Customer.id).limit(limit).offset(offset)).all()
    return list(rows), total


def owned_products(session: Session, *, customer_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Purchase.sku, Product.name, Product.category, Purchase.purchased_at, Purchase.channel)
        .outerjoin(Product, Product.sku == Purchase.sku)
        .where(Purchase.customer_id == customer_id).order_by(Purchase.purchased_at, Purchase.sku)
    )
    return [{"sku": sku, "name": name, "category": category, "purchased_at": _day(when), "channel": channel}
            for sku, name, category, when, channel in rows]


def support_cases(session: Session, *, customer_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(SupportCase).where(SupportCase.customer_id == customer_id)
                           .order_by(SupportCase.opened_at.desc(), SupportCase.external_id))
    return [{"id": c.external_id, "sku": c.sku, "category": c.category, "opened_at": _day(c.opened_at),
             "closed_at": _day(c.closed_at), "open": c.closed_at is None, "summary": c.summary} for c in rows]


def customer_links(session: Session, *, customer_id: int) -> list[dict[str, Any]]:
    """Linked and proposed authors (rejected pairs are not this customer)."""
    rows = session.execute(
        select(CustomerLink.id, CustomerLink.status, CustomerLink.method, CustomerLink.confidence, Author.platform,
               Author.handle, Author.display_name, Author.followers)
        .join(Author, Author.id == CustomerLink.author_id)
        .where(CustomerLink.customer_id == customer_id, CustomerLink.status != "rejected")
        .order_by(CustomerLink.confidence.desc(), CustomerLink.id)
    )
    return [{"link_id": link_id, "status": status, "method": method, "confidence": confidence, "platform": platform,
             "handle": handle, "display_name": name, "followers": followers}
            for link_id, status, method, confidence, platform, handle, name, followers in rows]


def customer_posts(session: Session, *, customer_id: int, limit: int = 100) -> list[CustomerPost]:
    """Posts by the customer's linked authors, newest first (posts deleted upstream are left out)."""
    authors = select(CustomerLink.author_id).where(CustomerLink.customer_id == customer_id,
                                                   CustomerLink.status.in_(LINKED_STATUSES))
    rows = session.execute(
        select(Post.id, Post.platform, Post.created_at, Post.text, Post.title, Post.url, Author.handle,
               Enrichment.sentiment_label, Enrichment.sentiment_score, Enrichment.products, Enrichment.is_complaint,
               Enrichment.complaint_category, Enrichment.purchase_stage, Enrichment.is_churn, Enrichment.competitor,
               Enrichment.is_referral)
        .join(Author, Author.id == Post.author_id)
        .outerjoin(Enrichment, Enrichment.post_id == Post.id)
        .where(Post.author_id.in_(authors), Post.deleted_at.is_(None))
        .order_by(Post.created_at.desc(), Post.id.desc()).limit(limit)
    )
    return [CustomerPost(*row[:9], row[9] or [], bool(row[10]), row[11], row[12], bool(row[13]), row[14],
                         bool(row[15])) for row in rows]


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None
