"""The Collector plug-in point: built from a target and settings, it yields batches of records."""

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from config.registry import Registry
from config.settings import Settings
from listener.records import PostRecord


@dataclass(frozen=True)
class CollectContext:
    """What a collector gets for one run; grows by keyword so plug-ins keep working."""

    cursor: dict[str, Any]
    read_budget: int | None = None  # posts this target may still read this month (None: no limit)
    should_stop: Callable[[], bool] = lambda: False  # set on shutdown: finish the batch in hand, then stop


@dataclass
class CollectedBatch:
    """Records to store, and the cursor to save with them in the same transaction."""

    records: list[PostRecord]
    cursor: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    fetched: int = 0  # items read from the source (what a paid API charges for)
    noise: int = 0  # items dropped on purpose (retweets, removed content, repeated text)


class Collector(ABC):
    """One platform. Never touches the database: the runner stores what it yields.

    Raise `config.errors.NotConfigured` from `from_target` when credentials are missing.
    """

    name: ClassVar[str]
    paid_reads: ClassVar[bool] = False  # reads count against the monthly read budgets

    def __init__(self, target: Any, settings: Settings) -> None:
        self.target = target
        self.settings = settings

    @classmethod
    def from_target(cls, target: Any, settings: Settings) -> "Collector":
        return cls(target, settings)

    @abstractmethod
    def batches(self, context: CollectContext) -> Iterator[CollectedBatch]:
        """Yield batches of new records, starting after `context.cursor` (empty on the first run)."""

    def deleted(self, external_ids: list[str]) -> set[str]:
        """Which of these posts are gone upstream (deleted or removed); collectors that can tell override this."""
        raise NotImplementedError(f"the {self.name} collector cannot re-check deleted posts")


collectors: Registry[Collector] = Registry("collector")
