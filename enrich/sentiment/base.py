"""The SentimentBackend plug-in point: texts in, (label, score in [-1, 1]) out."""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from config.registry import Registry
from config.settings import Settings
from enrich.vocabulary import SENTIMENT_LABELS

LABELS = SENTIMENT_LABELS


@dataclass(frozen=True)
class SentimentScore:
    label: str
    score: float


class SentimentBackend(ABC):
    name: ClassVar[str]
    version: ClassVar[str]
    languages: ClassVar[frozenset[str] | None] = None  # None: any language
    uses_all_cores: ClassVar[bool] = False  # a torch model: not to be copied into parallel enrich workers

    @classmethod
    def from_settings(cls, settings: Settings) -> "SentimentBackend":
        """Build the backend; those with options of their own read them from `settings.enrich`."""
        return cls()

    def open(self) -> None:
        """Load the model once."""

    def prepare(self, texts: list[str]) -> None:
        """Told the whole batch before `score` gets the supported part; a backend may compute shared work here."""

    def supports(self, language: str | None) -> bool:
        return self.languages is None or language is None or language in self.languages

    @abstractmethod
    def score(self, texts: list[str]) -> list[SentimentScore]:
        """Score a batch of texts."""


sentiment_backends: Registry[SentimentBackend] = Registry("sentiment backend")
