"""What the CRM models read (each customer's facts) and write (lifecycle transitions, stage, churn risk)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, exists, or_, select, update
from sqlmodel import Session

from crm.facts import CaseFact, CustomerFacts, PostFact, PurchaseFact
from crm.lifecycle import Transition
from storage.models import Customer, CustomerLink, Enrichment, LifecycleTransition, Post, Purchase, SupportCase
from storage.models.crm import LINKED_STATUSES


def customers_due(session: Session, *, after_id: int, limit: int, changed_only: bool) -> list[int]:
    """Customer ids in order; with `changed_only`, those whose record, links or linked posts changed since their
    models were last computed."""
    query = select(Customer.id).where(Customer.id > after_id).order_by(Customer.id).limit(limit)
    if changed_only:
        refreshed = Customer.models_refreshed_at
        link_changed = exists().where(CustomerLink.customer_id == Customer.id,
                                      or_(CustomerLink.created_at > refreshed, CustomerLink.updated_at > refreshed))
        post_changed = exists().where(
            CustomerLink.customer_id == Customer.id, CustomerLink.status.in_(LINKED_STATUSES),
            Post.author_id == CustomerLink.author_id, Enrichment.post_id == Post.id, Enrichment.enriched_at > refreshed)
        query = query.where(or_(refreshed.is_(None), Customer.updated_at > refreshed, link_changed, post_changed))
    return list(session.scalars(query))


def customer_facts(session: Session, *, customer_ids: Sequence[int]) -> list[CustomerFacts]:
    ids = sorted(set(customer_ids))
    purchases, cases, posts = defaultdict(list), defaultdict(list), defaultdict(list)
    for customer_id, sku, day in session.execute(
            select(Purchase.customer_id, Purchase.sku, Purchase.purchased_at).where(Purchase.customer_id.in_(ids))):
        purchases[customer_id].append(PurchaseFact(sku, day))
    for case in session.scalars(select(SupportCase).where(SupportCase.customer_id.in_(ids))):
        cases[case.customer_id].append(CaseFact(case.external_id, case.sku, case.category, case.opened_at,
                                                case.closed_at))
    rows = session.execute(
        select(CustomerLink.customer_id, Post.id, Post.created_at, Enrichment.sentiment_label, Enrichment.is_complaint,
               Enrichment.purchase_stage, Enrichment.is_churn, Enrichment.competitor, Enrichment.is_referral,
               Enrichment.products)
        .join(Post, Post.author_id == CustomerLink.author_id)
        .join(Enrichment, Enrichment.post_id == Post.id)
        .where(CustomerLink.customer_id.in_(ids), CustomerLink.status.in_(LINKED_STATUSES),
               Post.deleted_at.is_(None))
    )
    for customer_id, post_id, at, *signals, products in rows:
        posts[customer_id].append(PostFact(post_id, at, *signals, products=tuple(products or ())))
    customers = session.execute(select(Customer.id, Customer.status, Customer.updated_at)
                                .where(Customer.id.in_(ids)).order_by(Customer.id))
    return [CustomerFacts(customer_id=cid, status=status, status_at=updated, purchases=tuple(purchases[cid]),
                          cases=tuple(cases[cid]), posts=tuple(sorted(posts[cid], key=lambda p: (p.at, p.id))))
            for cid, status, updated in customers]


def save_customer_models(session: Session, *, customer_id: int, transitions: Iterable[Transition], risk: float,
                         reasons: list[dict], refreshed_at: datetime) -> None:
    """Replace the customer's lifecycle history (it is recomputed whole) and store the current stage and risk."""
    history = list(transitions)
    session.execute(delete(LifecycleTransition).where(LifecycleTransition.customer_id == customer_id))
    session.add_all([
        LifecycleTransition(customer_id=customer_id, at=t.at, from_stage=t.from_stage, to_stage=t.to_stage,
                            cause=t.cause, post_id=t.post_id, reference=t.reference, reason=t.reason[:200])
        for t in history
    ])
    session.execute(update(Customer).where(Customer.id == customer_id).values(
        lifecycle_stage=history[-1].to_stage if history else None, churn_risk=risk, churn_reasons=reasons,
        models_refreshed_at=refreshed_at))


def lifecycle_history(session: Session, *, customer_id: int) -> list[LifecycleTransition]:
    return list(session.scalars(select(LifecycleTransition).where(LifecycleTransition.customer_id == customer_id)
                                .order_by(LifecycleTransition.at, LifecycleTransition.id)))
