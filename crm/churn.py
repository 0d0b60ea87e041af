"""Churn risk in [0, 1] with the reasons behind it: transparent rules over the last 90 days, added on a log-odds scale.

Each reason has a weight; the risk is the logistic of a baseline plus the weights of the reasons that hold, so staff
see exactly what raised (or lowered) it. The weights are set by judgement, not fitted: the demo's churned customers
are the check (`earshot eval churn`), and there are too few of them to fit twelve weights honestly.
"""

import math
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from crm.facts import POLARITY, CustomerFacts, start_of

WINDOW = timedelta(days=90)
TREND_RECENT = timedelta(days=30)
LAPSED = timedelta(days=365)
BASELINE = -2.2  # no reasons: a risk of 0.10
WEIGHTS = {
    "switching": 2.4,  # said they are leaving or switching
    "competitor": 0.8,  # named a competitor while doing so
    "returned": 1.0,
    "negative_posts": 0.4,  # per post, at most three
    "complaints": 0.3,  # per complaint post, at most three
    "open_cases": 0.6,  # per unresolved support case, at most two
    "falling_sentiment": 0.8,
    "lapsed": 0.8,  # no purchase for a year
    "recommended": -1.0,
    "recent_purchase": -1.0,
}
CAPS = {"negative_posts": 3, "complaints": 3, "open_cases": 2}


@dataclass(frozen=True)
class Reason:
    factor: str
    weight: float
    detail: str
    post_ids: tuple[int, ...] = ()


def churn_risk(facts: CustomerFacts, *, as_of: datetime | None = None) -> tuple[float, list[Reason]]:
    now = as_of or datetime.now(UTC)
    recent = [p for p in facts.posts if now - WINDOW <= p.at <= now]
    reasons: list[Reason] = []

    def add(factor: str, detail: str, posts=(), count: int = 1) -> None:
        times = min(count, CAPS.get(factor, 1))
        reasons.append(Reason(factor, round(WEIGHTS[factor] * times, 2), detail, tuple(p.id for p in posts)))

    if switching := [p for p in recent if p.is_churn]:
        add("switching", f"said they are leaving or switching ({len(switching)} post(s))", switching)
        if rivals := sorted({p.competitor for p in switching if p.competitor}):
            add("competitor", f"named {', '.join(rivals)}", [p for p in switching if p.competitor])
    if returns := [p for p in recent if p.purchase_stage == "returned"]:
        add("returned", "returned a product", returns)
    if negative := [p for p in recent if p.sentiment == "negative"]:
        add("negative_posts", f"{len(negative)} negative post(s) in {WINDOW.days} days", negative, len(negative))
    if complaints := [p for p in recent if p.is_complaint]:
        add("complaints", f"{len(complaints)} complaint(s) in {WINDOW.days} days", complaints, len(complaints))
    if open_cases := [c for c in facts.cases if c.opened and not c.closed]:
        add("open_cases", f"{len(open_cases)} unresolved support case(s): {', '.join(c.id for c in open_cases)}",
            count=len(open_cases))
    if trend := _falling_sentiment(facts, now):
        add("falling_sentiment", trend)
    days = [p.day for p in facts.purchases if p.day]
    if days and now - start_of(max(days)) > LAPSED:
        add("lapsed", f"no purchase since {max(days).isoformat()}")
    if days and now - start_of(max(days)) <= WINDOW:
        add("recent_purchase", f"bought on {max(days).isoformat()}")
    if praise := [p for p in recent if p.is_referral or p.purchase_stage == "recommending"]:
        add("recommended", "recommended our products", praise)
    score = 1.0 / (1.0 + math.exp(-(BASELINE + sum(r.weight for r in reasons))))
    return round(score, 3), sorted(reasons, key=lambda r: -abs(r.weight))


def _falling_sentiment(facts: CustomerFacts, now: datetime) -> str | None:
    """Mean polarity of the last 30 days at least 0.5 below that of the 60 days before."""
    scored = [p for p in facts.posts if p.sentiment in POLARITY and now - WINDOW <= p.at <= now]
    recent = [POLARITY[p.sentiment] for p in scored if p.at > now - TREND_RECENT]
    earlier = [POLARITY[p.sentiment] for p in scored if p.at <= now - TREND_RECENT]
    if not recent or not earlier:
        return None
    before, after = sum(earlier) / len(earlier), sum(recent) / len(recent)
    return f"sentiment fell from {before:+.2f} to {after:+.2f}" if before - after >= 0.5 else None


def reasons_json(reasons: list[Reason]) -> list[dict]:
    return [{**asdict(r), "post_ids": list(r.post_ids)} for r in reasons]

