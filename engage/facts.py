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
    customer_id: int | None = None
    own_account: bool = False
    conversation: str | None = None  # "platform:thread root id": one queue item per conversation

    @property
    def linked(self) -> bool:
        return self.customer_id is not None
