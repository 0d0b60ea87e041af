"""The `language` enricher: the language the platform reported, normalised to ISO 639-1 (None if unknown)."""

from enrich.base import Enricher, EnrichItem, enrichers
from listener.records import normalise_language


@enrichers.register
class LanguageEnricher(Enricher):
    name = "language"
    version = "1"

    def enrich(self, items: list[EnrichItem]) -> None:
        for item in items:
            item.result["language"] = normalise_language(item.post.language)
