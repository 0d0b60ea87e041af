"""The customer 360: everything Earshot knows about one customer, for the CLI, the API and the customer page."""

from collections import Counter
from dataclasses import asdict
from typing import Any

from sqlmodel import Session

from storage.repo.customer_models import lifecycle_history
from storage.repo.customers import (customer_links, customer_posts, find_customer, owned_products, search_customers,
                                    support_cases)


def customer_360(session: Session, *, external_id: str, post_limit: int = 100) -> dict[str, Any]:
    customer = find_customer(session, external_id=external_id)
    posts = customer_posts(session, customer_id=customer.id, limit=post_limit)
    links = customer_links(session, customer_id=customer.id)
    return {
        "customer": customer_summary(customer),
        "products": owned_products(session, customer_id=customer.id),
        "support_cases": support_cases(session, customer_id=customer.id),
        "handles": [link for link in links if link["status"] != "proposed"],
        "proposed_handles": [link for link in links if link["status"] == "proposed"],
        "social": _social_summary(posts),
        "advocacy": _advocacy(posts, links),
        "lifecycle": [{"at": t.at.isoformat(), "from": t.from_stage, "to": t.to_stage, "cause": t.cause,
                       "reason": t.reason, "post_id": t.post_id, "reference": t.reference}
                      for t in lifecycle_history(session, customer_id=customer.id)],
        "posts": [{**asdict(post), "created_at": post.created_at.isoformat()} for post in posts],
    }


def customer_summary(customer) -> dict[str, Any]:
    return {
        "id": customer.external_id, "name": customer.name, "email": customer.email, "phone": customer.phone,
        "website": customer.website, "city": customer.city, "country": customer.country, "segment": customer.segment,
        "status": customer.status, "lifetime_value": customer.lifetime_value,
        "first_purchase": customer.first_purchase.isoformat() if customer.first_purchase else None,
        "consent": {"marketing": customer.consent_marketing, "share": customer.consent_share},
        "lifecycle_stage": customer.lifecycle_stage,
        "churn_risk": customer.churn_risk,
        "churn_reasons": customer.churn_reasons or [],
    }


def _social_summary(posts) -> dict[str, Any]:
    sentiment = Counter(post.sentiment_label or "unscored" for post in posts)
    return {
        "posts": len(posts),
        "sentiment": dict(sorted(sentiment.items())),
        "complaints": sum(post.is_complaint for post in posts),
        "churn_signals": sum(post.is_churn for post in posts),
        "recommendations": sum(post.is_referral for post in posts),
        "last_post_at": posts[0].created_at.isoformat() if posts else None,
    }


def _advocacy(posts, links) -> dict[str, Any]:
    """How often they recommend our products, and to how many followers (their largest linked account)."""
    recommendations = sum(post.is_referral or post.purchase_stage == "recommending" for post in posts
                          if post.sentiment_label != "negative")
    followers = max((link["followers"] or 0 for link in links if link["status"] != "proposed"), default=0)
    return {"recommendations": recommendations, "followers": followers, "reach": recommendations * followers}


def find_customers(session: Session, *, search: str | None, limit: int = 50, offset: int = 0):
    rows, total = search_customers(session, search=search, limit=limit, offset=offset)
    return [customer_summary(row) for row in rows], total
