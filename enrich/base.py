"""The Enricher plug-in point: opened once with a context, then given batches of posts to annotate."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from config.registry import Registry
from config.settings import Settings


@dataclass(frozen=True)
class CatalogProduct:
    sku: str
    name: str
    aliases: tuple[str, ...] = ()
    category: str | None = None


@dataclass(frozen=True)
class EnrichContext:
    """What enrichers may read when they open: settings and the product catalog. Grows by keyword."""

    settings: Settings
    products: tuple[CatalogProduct, ...] = ()


ENRICHED_CHARACTERS = 20_000  # of a post's text, title and author fields: enrichers read no more. Reddit allows
# 40,000 characters, X's long posts 25,000; VADER's negation check is quadratic in the words, and a replayed post of a
# million characters held an enrich worker for over ten minutes. The stored post keeps all of it.


@dataclass(frozen=True)
class PostView:
    """The parts of a post (and its author) that enrichers read (each at most ENRICHED_CHARACTERS long)."""

    id: int
    platform: str
    author_id: int
    text: str
    title: str | None = None
    language: str | None = None
    author_handle: str | None = None
    author_bio: str | None = None
    author_location: str | None = None

    @property
    def full_text(self) -> str:
        return f"{self.title}\n{self.text}" if self.title else self.text


@dataclass
class EnrichItem:
    """A post on its way through the enrichers: `result` holds Enrichment columns, `details` the evidence."""

    post: PostView
    result: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    doc: Any = None  # the post's spaCy tokens, shared by the enrichers that match phrases (see text_matching)


class Enricher(ABC):
    """Reads `item.post` (and earlier enrichers' `item.result`), writes its own fields. No database."""

    name: ClassVar[str]
    version: ClassVar[str]
    # False when the enricher uses every core itself (a torch model): then the stage runs in one process
    worker_safe: bool = True

    def open(self, context: EnrichContext) -> None:
        """Load models and lexicons once, before the first batch."""

    @abstractmethod
    def enrich(self, items: list[EnrichItem]) -> None:
        """Annotate every item of the batch in place."""


enrichers: Registry[Enricher] = Registry("enricher")
