"""VADER, the lexicon baseline: English only, no download, compound score with the usual ±0.05 cut-offs."""

from importlib.metadata import version

from enrich.sentiment.base import SentimentBackend, SentimentScore, sentiment_backends

THRESHOLD = 0.05


@sentiment_backends.register
class VaderBackend(SentimentBackend):
    name = "vader"
    version = version("vaderSentiment")
    languages = frozenset({"en"})

    def open(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._analyzer = SentimentIntensityAnalyzer()

    def score(self, texts: list[str]) -> list[SentimentScore]:
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> SentimentScore:
        compound = self._analyzer.polarity_scores(text)["compound"]
        if compound >= THRESHOLD:
            return SentimentScore("positive", compound)
        if compound <= -THRESHOLD:
            return SentimentScore("negative", compound)
        return SentimentScore("neutral", compound)
