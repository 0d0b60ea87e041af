"""Learned post classifiers behind the complaint and purchase extractors.

A `TextClassifier` is a linear model over what the linear sentiment model already computes for a post (hashed words,
character n-grams, lexicon columns; see `enrich/sentiment/linear.py`), that model's three sentiment probabilities,
and the extractor's own cue counts (its lexicon's hits by label, a product named, ...). Each one is a small file in
`enrich/models/`, written by `scripts/train_extractors.py` from the labeled posts in `training/extract/`.
"""

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from config.errors import ConfigError
from enrich.model_files import load_model, save_model
from enrich.sentiment.linear import DENSE_COLUMNS, MODEL_FILE, FeatureSpec, Featurizer, LinearModel

MODELS = Path(__file__).resolve().parent / "models"
SENTIMENT_COLUMNS = ("p_negative", "p_neutral", "p_positive")


@dataclass
class PostFeatures:
    """Feature blocks of a batch of texts: words, characters, dense (lexicon columns, sentiment probabilities)."""

    words: sp.csr_matrix
    chars: sp.csr_matrix
    dense: np.ndarray


class PostFeaturizer:
    """The sentiment model's featurizer and probabilities, computed once per batch for every classifier that asks."""

    def __init__(self, sentiment_model: Path = MODEL_FILE) -> None:
        self.sentiment = LinearModel.load(sentiment_model)
        self.featurizer = Featurizer(self.sentiment.spec)
        self._last: tuple[dict[str, int], PostFeatures] | None = None  # the last batch: text -> row, features

    @property
    def spec(self) -> FeatureSpec:
        return self.sentiment.spec

    def features(self, texts: list[str]) -> PostFeatures:
        """The batch's features; texts of the batch before (all of it, or some: the sentiment backend scores only
        the languages it supports) come from the cache."""
        if self._last is not None:
            rows, cached = self._last
            if len(rows) == len(texts) and list(rows) == texts:
                return cached
            if all(text in rows for text in texts):
                picked = [rows[text] for text in texts]
                return PostFeatures(cached.words[picked], cached.chars[picked], cached.dense[picked])
        blocks = self.featurizer.transform(list(texts))
        probabilities = self.sentiment.probabilities(self.sentiment.decision(blocks))
        features = PostFeatures(blocks[0], blocks[1], np.hstack([blocks[2], probabilities]))
        self._last = ({text: row for row, text in enumerate(texts)}, features)
        return features


@lru_cache(maxsize=1)
def shared_featurizer() -> PostFeaturizer:
    """One per process: the complaint and purchase enrichers share it (and its one-batch cache)."""
    return PostFeaturizer()


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
