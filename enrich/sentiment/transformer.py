"""The `transformers` backend: any local sequence-classification model directory, batched and truncated,
on a GPU when one is present. Offline only: the model is read from `enrich.transformers.model_path` with
`local_files_only`, and the hub is never asked (HF_HUB_OFFLINE is set before transformers is imported).

Label names are mapped through `enrich.transformers.labels` (model label -> negative | neutral | positive); by
default names containing "neg", "neu" and "pos" (any case) are recognised, as are LABEL_0/1/2 in that order.
The score is P(positive) - P(negative). Loading and batching: enrich/local_models.py.
"""

from config.errors import ConfigError
from config.settings import Settings, TransformersSettings
from enrich.local_models import LocalClassifier
from enrich.sentiment.base import SentimentBackend, SentimentScore, sentiment_backends

_CONVENTIONAL = {"label_0": "negative", "label_1": "neutral", "label_2": "positive"}


def _label_of(name: str, configured: dict[str, str]) -> str | None:
    if name in configured:
        return configured[name]
    lowered = name.lower()
    for stem, label in (("neg", "negative"), ("neu", "neutral"), ("pos", "positive")):
        if stem in lowered:
            return label
    return _CONVENTIONAL.get(lowered)


@sentiment_backends.register
class TransformersBackend(SentimentBackend):
    name = "transformers"
    version = "unset"
    uses_all_cores = True  # torch spreads one batch over every core

    def __init__(self, settings: TransformersSettings | None = None) -> None:
        self.settings = settings or TransformersSettings()
        self.languages = frozenset(self.settings.languages)

    @classmethod
    def from_settings(cls, settings: Settings) -> "TransformersBackend":
        return cls(settings.enrich.transformers)

    def open(self) -> None:
        path = self.settings.model_path
        if path is None:
            raise ConfigError("the transformers backend needs enrich.transformers.model_path (a local model folder)")
        self.classifier = LocalClassifier.from_folder(path, setting="enrich.transformers.model_path",
                                                      device=self.settings.device,
                                                      remedy="download the model once and point to its folder")
        names = self.classifier.labels
        self.labels = [_label_of(name, self.settings.labels) for name in names]
        unknown = [name for name, label in zip(names, self.labels, strict=True) if label is None]
        if unknown or not {"negative", "positive"} <= set(self.labels):
            raise ConfigError(f"cannot tell what the model's labels {sorted(names)} mean; "
                              "map each to negative, neutral or positive with enrich.transformers.labels")
        self.version = self.classifier.version

    def score(self, texts: list[str]) -> list[SentimentScore]:
        rows = self.classifier.probabilities(texts, self.settings.batch_size, self.settings.max_length)
        return [self._score(row.tolist()) for row in rows]

    def _score(self, probabilities: list[float]) -> SentimentScore:
        by_label: dict[str, float] = {}
        for label, probability in zip(self.labels, probabilities, strict=True):
            by_label[label] = by_label.get(label, 0.0) + probability
        best = max(by_label, key=by_label.get)
        return SentimentScore(best, round(by_label.get("positive", 0.0) - by_label.get("negative", 0.0), 4))
