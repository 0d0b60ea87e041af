"""The `sentiment` enricher: scores posts with the configured backend, skipping unsupported languages."""

from enrich.base import EnrichContext, Enricher, EnrichItem, enrichers
from enrich.sentiment.base import SentimentBackend, sentiment_backends
import enrich.sentiment.linear  # noqa: F401  (registers the linear backend, the default)
import enrich.sentiment.transformer  # noqa: F401  (registers the transformers backend)
import enrich.sentiment.vader  # noqa: F401  (registers the vader backend)


@enrichers.register
class SentimentEnricher(Enricher):
    name = "sentiment"
    version = "1"

    def open(self, context: EnrichContext) -> None:
        self.backend: SentimentBackend = sentiment_backends.get(context.settings.enrich.sentiment).from_settings(
            context.settings)
        self.backend.open()
        self.worker_safe = not self.backend.uses_all_cores

    def enrich(self, items: list[EnrichItem]) -> None:
        self.backend.prepare([item.post.full_text for item in items])
        supported = [item for item in items if self.backend.supports(item.result.get("language"))]
        scores = self.backend.score([item.post.full_text for item in supported]) if supported else []
        for item, score in zip(supported, scores, strict=True):
            item.result.update(
                sentiment_label=score.label,
                sentiment_score=round(score.score, 4),
                sentiment_backend=self.backend.name,
                sentiment_version=self.backend.version,
            )
        scored = {id(item) for item in supported}
        for item in items:
            if id(item) not in scored:
                item.result.update(sentiment_label=None, sentiment_score=None, sentiment_backend=self.backend.name,
                                   sentiment_version=self.backend.version)
                item.details["sentiment"] = {"unsupported_language": item.result.get("language")}
