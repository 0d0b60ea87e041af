"""Lifecycle stages from the customer's history: prospect → customer → repeat customer → advocate, and at risk /
churned on top, each change with the purchase, post or CRM record that caused it.

The rules, replayed in time order:
- a purchase in the CRM, or a post saying they bought one of our products (unless the CRM has a purchase of it within
  two weeks), makes a prospect a customer and a customer a repeat customer; it also ends "at risk";
- a post considering our products, before any purchase, makes them a prospect;
- a post recommending our products, once they are a customer, makes them an advocate (and ends "at risk");
- a post saying they are leaving or switching, a return, or a second complaint within 30 days puts them at risk;
  a positive post without a complaint afterwards ends it;
- the CRM's status `churned` makes them churned (at the time of the record), whatever came before.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crm.facts import CustomerFacts, PostFact, start_of

STAGES = ("prospect", "customer", "repeat_customer", "advocate", "at_risk", "churned")
_RANK = {"prospect": 0, "customer": 1, "repeat_customer": 2, "advocate": 3}
SAME_PURCHASE = timedelta(days=14)
COMPLAINT_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Transition:
    at: datetime
    from_stage: str | None
    to_stage: str
    cause: str  # purchase | post | crm_status
    reason: str
    post_id: int | None = None
    reference: str | None = None


def lifecycle(facts: CustomerFacts) -> list[Transition]:
    """Every change of stage, oldest first; the last one's `to_stage` is the current stage."""
    tracker = _Tracker()
    crm_days = {(p.sku, p.day) for p in facts.purchases if p.day}
    events: list[tuple[datetime, int, object]] = [
        (start_of(p.day), 0, p) for p in facts.purchases if p.day
    ] + [(post.at, 1, post) for post in facts.posts]
    for at, _, event in sorted(events, key=lambda e: (e[0], e[1])):
        if isinstance(event, PostFact):
            tracker.post(event, crm_days)
        else:
            tracker.purchase(at, cause="purchase", reason=f"bought {event.sku}", reference=event.sku)
    if facts.status == "churned":
        tracker.move(facts.status_at or tracker.last_at or datetime.now(UTC), None, "churned", "crm_status",
                     "the CRM marks them churned", reference="churned")
    elif not tracker.transitions:
        tracker.move(facts.status_at or datetime.now(UTC), None, "prospect", "crm_status",
                     "in the CRM without a purchase", reference="active")
    return tracker.transitions


class _Tracker:
    def __init__(self) -> None:
        self.base: str | None = None
        self.overlay: str | None = None
        self.purchases = 0
        self.complaints: list[datetime] = []
        self.transitions: list[Transition] = []
        self.last_at: datetime | None = None

    @property
    def stage(self) -> str | None:
        return self.overlay or self.base

    def move(self, at: datetime, base: str | None, overlay: str | None, cause: str, reason: str, *,
             post_id: int | None = None, reference: str | None = None) -> None:
        before = self.stage
        if base is not None:
            self.base = base
        self.overlay = overlay
        self.last_at = at
        if self.stage != before and self.stage is not None:
            self.transitions.append(Transition(at, before, self.stage, cause, reason, post_id, reference))

    def purchase(self, at: datetime, *, cause: str, reason: str, post_id: int | None = None,
                 reference: str | None = None) -> None:
        self.purchases += 1
        grown = "customer" if self.purchases == 1 else "repeat_customer"
        base = grown if _RANK.get(self.base or "", -1) < _RANK[grown] else self.base
        self.move(at, base, None, cause, reason, post_id=post_id, reference=reference)

    def post(self, post: PostFact, crm_days: set) -> None:
        products = ", ".join(post.products) or "our products"
        if post.purchase_stage == "purchased" and not _in_crm(post, crm_days):
            self.purchase(post.at, cause="post", reason=f"said they bought {products}", post_id=post.id)
        elif post.purchase_stage == "considering" and self.purchases == 0 and self.base is None:
            self.move(post.at, "prospect", self.overlay, "post", f"considering {products}", post_id=post.id)
        if (post.is_referral or post.purchase_stage == "recommending") and self.purchases:
            self.move(post.at, "advocate", None if self.overlay == "at_risk" else self.overlay, "post",
                      f"recommended {products}", post_id=post.id)
        if post.is_complaint:
            self.complaints = [at for at in self.complaints if post.at - at <= COMPLAINT_WINDOW] + [post.at]
        risk = _risk_reason(post, len(self.complaints))
        if risk and self.overlay != "churned" and self.base:
            self.move(post.at, None, "at_risk", "post", risk, post_id=post.id)
        elif self.overlay == "at_risk" and post.sentiment == "positive" and not post.is_complaint:
            self.move(post.at, None, None, "post", "a positive post after the trouble", post_id=post.id)


def _risk_reason(post: PostFact, recent_complaints: int) -> str | None:
    if post.is_churn:
        return f"said they are leaving or switching{f' to {post.competitor}' if post.competitor else ''}"
    if post.purchase_stage == "returned":
        return f"returned {', '.join(post.products) or 'a product'}"
    if post.is_complaint and recent_complaints >= 2:
        return f"{recent_complaints} complaints within {COMPLAINT_WINDOW.days} days"
    return None


def _in_crm(post: PostFact, crm_days: set) -> bool:
    """A purchase the post tells of that the CRM already has (the same product, or any when the post names none,
    within two weeks)."""
    return any((not post.products or sku in post.products) and abs(start_of(day) - post.at) <= SAME_PURCHASE
               for sku, day in crm_days)
