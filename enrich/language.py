"""The `language` enricher: detect the post's language offline (py3langid over the configured languages).

Short texts say little, so for them (and when detection is unsure) the platform's own label is used when it
gave one. The evidence (detected language and confidence, the platform's label, which was used) is kept.
"""

import re

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from enrich.base import EnrichContext, Enricher, EnrichItem, enrichers
from listener.records import normalise_language

_NOISE = re.compile(r"https?://\S+|[@#]\w+|[^\w\s'’-]", re.UNICODE)
MIN_WORDS = 3
MIN_CONFIDENCE = 0.6


def content_words(text: str) -> str:
    """The text without links, mentions, hashtags and symbols: what says which language it is."""
    return " ".join(_NOISE.sub(" ", text).split())


@enrichers.register
class LanguageEnricher(Enricher):
    name = "language"
    version = "2"

    def open(self, context: EnrichContext) -> None:
        self.identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self.identifier.set_languages(list(context.settings.enrich.languages))

    def enrich(self, items: list[EnrichItem]) -> None:
        for item in items:
            platform = normalise_language(item.post.language)
            words = content_words(item.post.full_text)
            detected, confidence = (None, 0.0)
            if len(words.split()) >= MIN_WORDS:
                detected, confidence = self.identifier.classify(words)
            use_detection = detected is not None and (confidence >= MIN_CONFIDENCE or platform is None)
            item.result["language"] = detected if use_detection else platform
            item.details["language"] = {
                "detected": detected, "confidence": round(float(confidence), 3), "platform": platform,
                "source": "detected" if use_detection else ("platform" if platform else "unknown"),
            }
