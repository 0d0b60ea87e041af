"""Who recommends our products in public: per author, how often, to how many followers, with the posts as evidence."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlmodel import Session

from storage.models import Author, Customer, CustomerLink, Enrichment, Post
from storage.models.crm import LINKED_STATUSES


@dataclass
class Advocate:
    author_id: int
    platform: str
    handle: str | None
    display_name: str | None
    followers: int
    recommendations: int = 0
    products: set[str] = field(default_factory=set)
    last_at: datetime | None = None
    customer_id: str | None = None
    customer_name: str | None = None
    marketing_consent: bool | None = None
    evidence: list[dict] = field(default_factory=list)  # newest first

    @property
    def reach(self) -> int:
        """Followers times recommendations: how many times a recommendation could be seen."""
        return self.followers * self.recommendations


def advocates(session: Session, *, since: datetime | None = None, limit: int = 50,
              evidence: int = 3) -> list[Advocate]:
    """Authors with at least one recommendation (since `since`) in a post that is not negative, widest reach first."""
    query = (
        select(Post.id, Post.created_at, Post.text, Post.url, Enrichment.products, Author.id, Author.platform,
               Author.handle, Author.display_name, Author.followers)
        .join(Enrichment, Enrichment.post_id == Post.id)
        .join(Author, Author.id == Post.author_id)
        .where(or_(Enrichment.is_referral.is_(True), Enrichment.purchase_stage == "recommending"),
               # "can't recommend it" reads as a recommendation to the lexicon; marketing wants none of those
               or_(Enrichment.sentiment_label.is_(None), Enrichment.sentiment_label != "negative"),
               Post.deleted_at.is_(None))
        .order_by(Post.created_at.desc(), Post.id.desc())
    )
    if since is not None:
        query = query.where(Post.created_at >= since)
    found: dict[int, Advocate] = {}
    for post_id, at, text, url, products, author_id, platform, handle, name, followers in session.execute(query):
        advocate = found.setdefault(author_id, Advocate(author_id, platform, handle, name, followers or 0))
        advocate.recommendations += 1
        advocate.products.update(products or [])
        advocate.last_at = advocate.last_at or at
        if len(advocate.evidence) < evidence:
            advocate.evidence.append({"post_id": post_id, "at": at.isoformat(), "text": text, "url": url,
                                      "products": products or []})
    ranked = sorted(found.values(), key=lambda a: (-a.reach, -a.recommendations, a.author_id))[:limit]
    _attach_customers(session, ranked)
    return ranked


def _attach_customers(session: Session, ranked: list[Advocate]) -> None:
    by_author = defaultdict(list)
    rows = session.execute(
        select(CustomerLink.author_id, Customer.external_id, Customer.name, Customer.consent_marketing)
        .join(Customer, Customer.id == CustomerLink.customer_id)
        .where(CustomerLink.author_id.in_([a.author_id for a in ranked]), CustomerLink.status.in_(LINKED_STATUSES))
    )
    for author_id, external_id, name, consent in rows:
        by_author[author_id].append((external_id, name, consent))
    for advocate in ranked:
        if by_author.get(advocate.author_id):
            advocate.customer_id, advocate.customer_name, advocate.marketing_consent = by_author[advocate.author_id][0]
