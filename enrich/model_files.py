"""How Earshot's linear models are stored: hashed-block weights as int8 with one scale per class (lossless enough,
4x smaller), everything else as float32, and a JSON header, in one compressed .npz file."""

import json
from pathlib import Path
from typing import Any

import numpy as np

HASHED_BLOCKS = ("word_weights", "char_weights")


def save_model(path: Path, hashed: dict[str, np.ndarray], dense: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    for name, weights in hashed.items():
        scale = np.abs(weights).max(axis=0) / 127
        scale[scale == 0] = 1.0
        arrays[name] = np.round(weights / scale).astype(np.int8)
        arrays[name + "_scale"] = scale.astype(np.float32)
    arrays.update({name: values.astype(np.float32) for name, values in dense.items()})
    arrays["meta"] = np.array(json.dumps(meta, sort_keys=True))
    with path.open("wb") as handle:
        np.savez_compressed(handle, **arrays)


def load_model(path: Path, dense: tuple[str, ...]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict]:
    """(hashed blocks as float32, the named dense arrays as float64, the header)."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        hashed = {name: data[name].astype(np.float32) * data[name + "_scale"] for name in HASHED_BLOCKS}
        rest = {name: data[name].astype(np.float64) for name in dense}
    return hashed, rest, meta
