"""What routing conditions look at: one post with its author, enrichment and customer link."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RoutingFacts:
    post_id: int
    platform: str
    text: str
    language: str | None = None
    author_handle: str | None = None
    author_bio: str | None = None
    followers: int = 0
    sentiment_label: str | None = None
    sentiment_score: float | None = None
    is_complaint: bool = False
    complaint_category: str | None = None
    is_question: bool = False
    products: tuple[str, ...] = field(default_factory=tuple)
    purchase_stage: str | None = None
    is_churn: bool = False
    is_referral: bool = False
    customer_id: int | None = None
    lifecycle_stage: str | None = None  # the linked customer's, from the CRM models
    customer_segment: str | None = None
    customer_value: float | None = None  # lifetime value from the CRM
    churn_risk: float | None = None
    own_account: bool = False
    conversation: str | None = None  # "platform:thread root id": one queue item per conversation

    @property
    def linked(self) -> bool:
        return self.customer_id is not None
