"""Local transformers sequence-classification models: read offline from a folder (never from a hub), on a GPU when
one is present, and scored in batches of texts of similar length (shortest first, so little of a batch is padding).
The `transformers` sentiment backend, the purchase-stage reader and the scripts that fine-tune them score here."""

import hashlib
import os
from pathlib import Path

import numpy as np

from config.errors import ConfigError


class LocalClassifier:
    """A tokenizer and a model; `labels` are the model's id2label names in class order."""

    def __init__(self, tokenizer, model, version: str = "unsaved", device: str | None = None) -> None:
        import torch

        self._torch = torch
        self.tokenizer, self.model, self.version = tokenizer, model, version
        self.device = device or str(next(model.parameters()).device)  # inputs go where the model is
        id2label = model.config.id2label
        self.labels = [str(id2label[i]) for i in range(len(id2label))]

    @classmethod
    def from_folder(cls, path: Path, *, setting: str, remedy: str, device: str = "auto") -> "LocalClassifier":
        """The model folder at `path`; `setting` names where the path came from and `remedy` what to do, for the
        one-line error when it is not a model folder."""
        folder = Path(path)
        if not folder.is_dir() or not (folder / "config.json").is_file():
            raise ConfigError(f"{setting} {path} is not a model folder (no config.json there); {remedy}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        device = ("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(folder, local_files_only=True).to(device)
        version = getattr(model.config, "_commit_hash", None) or model_digest(folder)
        return cls(tokenizer, model, f"{folder.name}@{version}", device)

    def probabilities(self, texts: list[str], batch_size: int, max_length: int) -> np.ndarray:
        """A row of class probabilities per text, in the order of `texts`."""
        rows = np.zeros((len(texts), len(self.labels)), dtype=np.float64)
        by_length = sorted(range(len(texts)), key=lambda n: len(texts[n]))
        self.model.eval()
        for start in range(0, len(texts), batch_size):
            batch = by_length[start : start + batch_size]
            encoded = self.tokenizer([texts[n] for n in batch], padding=True, truncation=True,
                                     max_length=max_length, return_tensors="pt").to(self.device)
            with self._torch.inference_mode():
                rows[batch] = self.model(**encoded).logits.softmax(dim=-1).cpu().numpy()
        return rows


def model_digest(folder: Path) -> str:
    """A short digest of the model folder's config and weights (not its training record, which holds timings): a
    retrained model in the same folder is a new version, so `earshot enrich --rerun NAME` has something to tell
    apart, and a byte-identical retrain is the same one."""
    digest = hashlib.sha256()
    for file in sorted(folder.iterdir()):
        if file.suffix in (".json", ".safetensors", ".bin") and file.is_file() and file.name != "training.json":
            digest.update(file.name.encode())
            with file.open("rb") as handle:
                digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()[:12]
