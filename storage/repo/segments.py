"""Customer segments for small targeted promotions: filters over CRM data, CRM models and what customers post.

Only customers whose marketing consent allows it are ever returned; how many matched without it is counted."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from crm.facts import POLARITY
from storage.models import Customer, CustomerLink, Enrichment, Post, Purchase
from storage.models.crm import LINKED_STATUSES

BATCH = 1000


@dataclass(frozen=True)
class SegmentFilter:
    """Every given list is "any of these"; every given field must hold."""

    products: tuple[str, ...] = ()  # owns one of these SKUs (CRM)
    stages: tuple[str, ...] = ()  # lifecycle stage
    sentiment: str | None = None  # overall sentiment of their posts
    age_bands: tuple[str, ...] = ()  # stated in their profiles
    countries: tuple[str, ...] = ()  # CRM country or stated
    cities: tuple[str, ...] = ()
    heard_via: tuple[str, ...] = ()  # how their posts say they heard of a product
    bought_via: tuple[str, ...] = ()  # purchase channel in the CRM
    segments: tuple[str, ...] = ()  # the CRM's own segment
    min_churn_risk: float | None = None
    max_churn_risk: float | None = None


@dataclass
class SegmentRow:
    id: str
    name: str
    email: str | None
    phone: str | None
    city: str | None
    country: str | None
    segment: str | None
    lifecycle_stage: str | None
    churn_risk: float | None
    products: list[str] = field(default_factory=list)
    bought_via: list[str] = field(default_factory=list)
    sentiment: str | None = None
    posts: int = 0
    age_band: str | None = None
    stated_city: str | None = None
    stated_country: str | None = None
    heard_via: list[str] = field(default_factory=list)


@dataclass
class SegmentResult:
    rows: list[SegmentRow] = field(default_factory=list)
    without_consent: int = 0


def select_segment(session: Session, *, wanted: SegmentFilter) -> SegmentResult:
    result = SegmentResult()
    for row, consent in _candidates(session, wanted):
        if _matches(row, wanted):
            if consent:
                result.rows.append(row)
            else:
                result.without_consent += 1
    return result


def _candidates(session: Session, wanted: SegmentFilter) -> Iterator[tuple[SegmentRow, bool]]:
    query = select(Customer).order_by(Customer.id)
    if wanted.stages:
        query = query.where(Customer.lifecycle_stage.in_(wanted.stages))
    if wanted.segments:
        query = query.where(Customer.segment.in_(wanted.segments))
    if wanted.min_churn_risk is not None:
        query = query.where(Customer.churn_risk >= wanted.min_churn_risk)
    if wanted.max_churn_risk is not None:
        query = query.where(Customer.churn_risk <= wanted.max_churn_risk)
    last_id = 0
    while True:
        customers = session.scalars(query.where(Customer.id > last_id).limit(BATCH)).all()
        if not customers:
            return
        last_id = customers[-1].id
        ids = [c.id for c in customers]
        owned, channels = _purchases(session, ids)
        social = _social(session, ids)
        for c in customers:
            row = SegmentRow(c.external_id, c.name, c.email, c.phone, c.city, c.country, c.segment, c.lifecycle_stage,
                             c.churn_risk, sorted(owned[c.id]), sorted(channels[c.id]), **social.get(c.id, {}))
            yield row, c.consent_marketing


def _purchases(session: Session, ids: list[int]) -> tuple[dict, dict]:
    owned, channels = defaultdict(set), defaultdict(set)
    for customer_id, sku, channel in session.execute(
            select(Purchase.customer_id, Purchase.sku, Purchase.channel).where(Purchase.customer_id.in_(ids))):
        owned[customer_id].add(sku)
        if channel:
            channels[customer_id].add(channel)
    return owned, channels


def _social(session: Session, ids: list[int]) -> dict[int, dict]:
    """From the linked authors' posts: overall sentiment, and the latest stated age band, city and country."""
    rows = session.execute(
        select(CustomerLink.customer_id, Enrichment.sentiment_label, Enrichment.age_band, Enrichment.city,
               Enrichment.country, Enrichment.channel)
        .join(Post, Post.author_id == CustomerLink.author_id).join(Enrichment, Enrichment.post_id == Post.id)
        .where(CustomerLink.customer_id.in_(ids), CustomerLink.status.in_(LINKED_STATUSES), Post.deleted_at.is_(None))
        .order_by(Post.created_at.desc())
    )
    found: dict[int, dict] = {}
    polarity: dict[int, list[float]] = defaultdict(list)
    for customer_id, sentiment, age_band, city, country, channel in rows:
        facts = found.setdefault(customer_id, {"posts": 0, "heard_via": []})
        facts["posts"] += 1
        if sentiment in POLARITY:
            polarity[customer_id].append(POLARITY[sentiment])
        for key, value in (("age_band", age_band), ("stated_city", city), ("stated_country", country)):
            if value and key not in facts:  # newest first: the latest statement wins
                facts[key] = value
        if channel and channel not in facts["heard_via"]:
            facts["heard_via"].append(channel)
    for customer_id, values in polarity.items():
        mean = sum(values) / len(values)
        found[customer_id]["sentiment"] = "positive" if mean >= 0.25 else "negative" if mean <= -0.25 else "neutral"
    return found


def _matches(row: SegmentRow, wanted: SegmentFilter) -> bool:
    def any_of(options: tuple[str, ...], values) -> bool:
        return not options or bool({o.lower() for o in options} & {str(v).lower() for v in values if v})

    return (any_of(wanted.products, row.products) and any_of(wanted.bought_via, row.bought_via)
            and any_of(wanted.heard_via, row.heard_via) and any_of(wanted.age_bands, [row.age_band])
            and any_of(wanted.countries, [row.country, row.stated_country])
            and any_of(wanted.cities, [row.city, row.stated_city])
            and (wanted.sentiment is None or row.sentiment == wanted.sentiment))
