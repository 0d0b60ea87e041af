"""Local transformers sequence-classification models: read offline from a folder (never from a hub), on a GPU when
one is present, and scored in batches of texts of similar length (shortest first, so little of a batch is padding).
The `transformers` sentiment backend and the purchase-stage reader load theirs here."""

import hashlib
import os
from pathlib import Path

import numpy as np

from config.errors import ConfigError


class LocalClassifier:
    """A model folder's tokenizer and model; `labels` are its id2label names in class order."""

    def __init__(self, path: Path, *, setting: str, remedy: str, device: str = "auto") -> None:
        folder = Path(path)
        if not folder.is_dir() or not (folder / "config.json").is_file():
            raise ConfigError(f"{setting} {path} is not a model folder (no config.json there); {remedy}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self._torch = torch
        self.device = ("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device
        self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        self.model = AutoModelForSequenceClassification.from_pretrained(folder, local_files_only=True).to(self.device)
        self.model.eval()
        id2label = self.model.config.id2label
        self.labels = [str(id2label[i]) for i in range(len(id2label))]
        self.version = f"{folder.name}@{getattr(self.model.config, '_commit_hash', None) or fingerprint(folder)}"

    def probabilities(self, texts: list[str], batch_size: int, max_length: int) -> np.ndarray:
        """A row of class probabilities per text, in the order of `texts`."""
        rows = np.zeros((len(texts), len(self.labels)), dtype=np.float64)
        by_length = sorted(range(len(texts)), key=lambda n: len(texts[n]))
        for start in range(0, len(texts), batch_size):
            batch = by_length[start : start + batch_size]
            encoded = self.tokenizer([texts[n] for n in batch], padding=True, truncation=True,
                                     max_length=max_length, return_tensors="pt").to(self.device)
            with self._torch.inference_mode():
                rows[batch] = self.model(**encoded).logits.softmax(dim=-1).cpu().numpy()
        return rows


def fingerprint(folder: Path) -> str:
    """A short digest of the model folder's config and weights: a retrained model in the same folder is a new
    version (and `earshot enrich --rerun NAME` has something to tell apart)."""
    digest = hashlib.sha256()
    for file in sorted(folder.iterdir()):
        if file.suffix in (".json", ".safetensors", ".bin") and file.is_file():
            digest.update(file.name.encode())
            with file.open("rb") as handle:
                digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()[:12]
