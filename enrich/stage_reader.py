"""The purchase-stage reader: an optional fine-tuned transformer (scripts/train_minilm_stage.py) that reads the
whole sentence (who acted, and when), whose stage probabilities the `purchases` enricher blends with its linear
model's. Configured by `[enrich.purchases]` (model_path, read_below, batch_size, max_length, device)."""

import numpy as np

from config.errors import ConfigError
from config.settings import PurchaseSettings

READER_WEIGHT = 0.5  # the reader's share of the blend; `scripts/train_minilm_stage.py --holdout-writers` compares


def blend(linear: np.ndarray, reader: np.ndarray, weight: float = READER_WEIGHT) -> np.ndarray:
    """The two models' class probabilities averaged in log space, the reader weighing `weight` (a normalised
    geometric mean): a stage both find likely wins over one that only one of them is sure of."""
    logs = (1 - weight) * np.log(np.maximum(linear, 1e-12)) + weight * np.log(np.maximum(reader, 1e-12))
    blended = np.exp(logs - logs.max(axis=1, keepdims=True))
    return blended / blended.sum(axis=1, keepdims=True)


def unsure(linear: np.ndarray, read_below: float) -> np.ndarray:
    """The rows for the reader: those whose most likely answer (linear model) is below `read_below`; all at 1.0."""
    if read_below >= 1.0:
        return np.ones(len(linear), dtype=bool)
    return linear.max(axis=1) < read_below


class StageReader:
    """The configured model folder, checked to answer with the linear model's classes, in their order."""

    def __init__(self, settings: PurchaseSettings, classes: tuple[str, ...]) -> None:
        from enrich.local_models import LocalClassifier

        self.settings = settings
        self.model = LocalClassifier.from_folder(
            settings.model_path, setting="enrich.purchases.model_path", device=settings.device,
            remedy="build one with ./dev train-minilm-stage, or unset it to use the linear model alone")
        if tuple(self.model.labels) != classes:
            raise ConfigError(f"enrich.purchases.model_path {settings.model_path} answers {self.model.labels}, not "
                              f"the stages {list(classes)}; point it at a folder written by "
                              "scripts/train_minilm_stage.py")
        below = settings.read_below
        self.version = self.model.version + (f"<{below:g}" if below < 1.0 else "")  # what it read is part of it

    @classmethod
    def if_configured(cls, settings: PurchaseSettings, classes: tuple[str, ...]) -> "StageReader | None":
        return None if settings.model_path is None else cls(settings, classes)

    def blend_into(self, linear: np.ndarray, texts: list[str]) -> np.ndarray:
        """`linear` (a row per text) with the rows the reader reads (where the linear model is unsure) blended."""
        read = np.flatnonzero(unsure(linear, self.settings.read_below))
        if len(read):
            linear = linear.copy()
            linear[read] = blend(linear[read], self.model.probabilities(
                [texts[n] for n in read], self.settings.batch_size, self.settings.max_length))
        return linear
