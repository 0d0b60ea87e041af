"""Learned post classifiers behind the complaint and purchase extractors.

A `TextClassifier` is a linear model over what the linear sentiment model already computes for a post (hashed words,
character n-grams, lexicon columns; see `enrich/sentiment/linear.py`), that model's three sentiment probabilities,
and the extractor's own cue counts (its lexicon's hits by label, a product named, ...). Each one is a small file in
`enrich/models/`, written by `scripts/train_extractors.py` from the labeled posts in `training/extract/`.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from config.errors import ConfigError
from enrich.model_files import load_model, save_model
from enrich.sentiment.base import LABELS
from enrich.sentiment.linear import DENSE_COLUMNS, PostFeatures

MODELS = Path(__file__).resolve().parent / "models"
SENTIMENT_COLUMNS = tuple(f"p_{label}" for label in LABELS)


@dataclass
class TextClassifier:
    """Class probabilities from features and cues; binary models decide with `threshold` on P(classes[1])."""

    classes: tuple[str, ...]
    cue_columns: tuple[str, ...]
    word_weights: np.ndarray  # (2**word_bits, classes)
    char_weights: np.ndarray  # (2**char_bits, classes)
    dense_weights: np.ndarray  # (dense + sentiment + cue columns, classes)
    intercept: np.ndarray  # (classes,)
    threshold: float = 0.5
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.meta.get("version", "untrained")

    def probabilities(self, features: PostFeatures, cues: np.ndarray) -> np.ndarray:
        if cues.shape[1] != len(self.cue_columns):
            raise ValueError(f"expected {len(self.cue_columns)} cue columns, got {cues.shape[1]}")
        logits = (features.words @ self.word_weights + features.chars @ self.char_weights
                  + np.hstack([features.dense, cues]) @ self.dense_weights + self.intercept)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def decide(self, probabilities: np.ndarray) -> np.ndarray:
        """Binary: a boolean per row. Otherwise: the index of the most probable class."""
        if len(self.classes) == 2:
            return probabilities[:, 1] >= self.threshold
        return probabilities.argmax(axis=1)

    def save(self, path: Path) -> None:
        header = {"classes": list(self.classes), "cue_columns": list(self.cue_columns), "threshold": self.threshold,
                  "dense_columns": [*DENSE_COLUMNS, *SENTIMENT_COLUMNS], **self.meta}
        save_model(path, {"word_weights": self.word_weights, "char_weights": self.char_weights},
                   {"dense_weights": self.dense_weights, "intercept": self.intercept}, header)

    @classmethod
    def load(cls, path: Path) -> "TextClassifier":
        if not path.is_file():
            raise ConfigError(f"extractor model {path} not found; build it with .venv/bin/python scripts/train_extractors.py")
        blocks, rest, meta = load_model(path, ("dense_weights", "intercept"))
        dense, intercept = rest["dense_weights"], rest["intercept"]
        if meta.pop("dense_columns") != [*DENSE_COLUMNS, *SENTIMENT_COLUMNS]:
            raise ConfigError(f"extractor model {path} was trained on other features; "
                              "retrain with .venv/bin/python scripts/train_extractors.py")
        classes, cues, threshold = tuple(meta.pop("classes")), tuple(meta.pop("cue_columns")), meta.pop("threshold")
        return cls(classes, cues, blocks["word_weights"], blocks["char_weights"], dense, intercept, threshold, meta)


def load_classifier(name: str, cue_columns: tuple[str, ...]) -> TextClassifier:
    """`enrich/models/<name>.npz`, checked against the cue columns the calling enricher computes."""
    model = TextClassifier.load(MODELS / f"{name}.npz")
    if model.cue_columns != cue_columns:
        raise ConfigError(f"extractor model {name} expects cues {list(model.cue_columns)}, this code computes "
                          f"{list(cue_columns)}; retrain with .venv/bin/python scripts/train_extractors.py")
    return model
