"""The `transformers` backend: any local sequence-classification model directory, batched and truncated,
on a GPU when one is present. Offline only: the model is read from `enrich.transformers.model_path` with
`local_files_only`, and the hub is never asked (HF_HUB_OFFLINE is set before transformers is imported).

Label names are mapped through `enrich.transformers.labels` (model label -> negative | neutral | positive); by
default names containing "neg", "neu" and "pos" (any case) are recognised, as are LABEL_0/1/2 in that order.
The score is P(positive) - P(negative).
"""

import hashlib
import os
from pathlib import Path

from config.errors import ConfigError
from config.settings import Settings, TransformersSettings
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
        if not Path(path).is_dir() or not (Path(path) / "config.json").is_file():
            raise ConfigError(f"enrich.transformers.model_path {path} is not a model folder (no config.json there); "
                              "download the model once and point to its folder")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self._torch = torch
        self.device = ("cuda" if torch.cuda.is_available() else "cpu") if self.settings.device == "auto" else self.settings.device
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModelForSequenceClassification.from_pretrained(path, local_files_only=True).to(self.device).eval()
        id2label = self.model.config.id2label
        self.labels = [_label_of(id2label[i], self.settings.labels) for i in range(len(id2label))]
        unknown = [id2label[i] for i, label in enumerate(self.labels) if label is None]
        if unknown or not {"negative", "positive"} <= set(self.labels):
            raise ConfigError(f"cannot tell what the model's labels {sorted(map(str, id2label.values()))} mean; "
                              "map each to negative, neutral or positive with enrich.transformers.labels")
        self.version = f"{Path(path).name}@{getattr(self.model.config, '_commit_hash', None) or fingerprint(Path(path))}"

    def score(self, texts: list[str]) -> list[SentimentScore]:
        """Texts of similar length go through the model together (shortest first), so that little of each batch is
        padding; the scores come back in the order of `texts`."""
        scores: list[SentimentScore | None] = [None] * len(texts)
        by_length = sorted(range(len(texts)), key=lambda n: len(texts[n]))
        size = self.settings.batch_size
        for start in range(0, len(texts), size):
            batch = by_length[start : start + size]
            encoded = self.tokenizer([texts[n] for n in batch], padding=True, truncation=True,
                                     max_length=self.settings.max_length, return_tensors="pt").to(self.device)
            with self._torch.inference_mode():
                probabilities = self.model(**encoded).logits.softmax(dim=-1).cpu().tolist()
            for n, row in zip(batch, probabilities, strict=True):
                scores[n] = self._score(row)
        return scores  # type: ignore[return-value]  (every place filled)

    def _score(self, probabilities: list[float]) -> SentimentScore:
        by_label: dict[str, float] = {}
        for label, probability in zip(self.labels, probabilities, strict=True):
            by_label[label] = by_label.get(label, 0.0) + probability
        best = max(by_label, key=by_label.get)
        return SentimentScore(best, round(by_label.get("positive", 0.0) - by_label.get("negative", 0.0), 4))


def fingerprint(folder: Path) -> str:
    """A short digest of the model folder's config and weights: a retrained model in the same folder is a new
    version (and `earshot enrich --rerun sentiment` has something to tell apart)."""
    digest = hashlib.sha256()
    for file in sorted(folder.iterdir()):
        if file.suffix in (".json", ".safetensors", ".bin") and file.is_file():
            digest.update(file.name.encode())
            with file.open("rb") as handle:
                digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()[:12]
