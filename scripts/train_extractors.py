"""Train the learned extractors (enrich/models/complaint.npz, complaint_category.npz, purchase_stage.npz).

One command, from the project root, rebuilds the committed models and prints their cross-validated figures:

    .venv/bin/python scripts/train_extractors.py

What it does, deterministically:
1. reads the labeled posts in training/extract/*.jsonl (see training/extract/README.md) and the `dev` split of
   tests/data/extract_gold.jsonl (the `test` split is never read: it is what `earshot eval extract` reports on);
2. runs the real `language` and `products` enrichers over them and computes each extractor's features exactly as
   the enricher does at run time (enrich/text_classifier.py, ComplaintCues, PurchaseCues);
3. for each model picks the regularisation C (and, for complaint detection, the probability threshold) by 5-fold
   cross-validation, then refits on everything and writes the model file.
Check the result on the held-out test split with:

    .venv/bin/earshot eval extract --gold tests/data/extract_gold.jsonl --split test
"""

import argparse
import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.settings import load_settings  # noqa: E402
from earshot.services.demo import CATALOG  # noqa: E402
from earshot.services.evaluation import catalog_context  # noqa: E402
from enrich.base import PostView  # noqa: E402
from enrich.complaints import (  # noqa: E402
    CATEGORIES, CUE_COLUMNS as COMPLAINT_CUES, ComplaintCues, lexicon_category, lexicon_says_complaint)
from enrich.batch import open_enrichers, run_enrichers  # noqa: E402
from enrich.purchases import CUE_COLUMNS as PURCHASE_CUES, NO_STAGE, STAGES, PurchaseCues  # noqa: E402
from enrich.sentiment.linear import PostFeaturizer, PostFeatures  # noqa: E402
from enrich.text_classifier import MODELS, TextClassifier  # noqa: E402

TRAINING = ROOT / "training" / "extract"
GOLD = ROOT / "tests" / "data" / "extract_gold.jsonl"
C_GRID = (10.0, 30.0)  # 30 won every time on 1,100-2,600 posts; `--c 30` skips the search
FOLDS = 5
SEED = 0


@dataclass(frozen=True)
class Task:
    name: str
    classes: tuple[str, ...]
    cue_columns: tuple[str, ...]
    label: Callable[[dict], str | None]  # a row's class, or None to leave the row out
    measure: Callable[[np.ndarray, np.ndarray], float]  # gold and predicted class indices -> figure to maximise
    cue_first: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None  # (cues, predicted) -> predicted
    tune_first_class: bool = False  # shift the first class's logit to what cross-validates best
    lexicon_or: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None  # (cues, sentiment) -> also "yes",
    # as the enricher applies it (the threshold is still chosen for the model alone)


def category_from_cues(cues: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """As ComplaintEnricher does with a `cue_first` model: a specific category the lexicon matched beats the model."""
    return np.array([lexicon_category(row) if lexicon_category(row) is not None else guess
                     for row, guess in zip(cues, predicted, strict=True)])


def binary_f1(gold: np.ndarray, predicted: np.ndarray) -> float:
    right = int(((gold == 1) & (predicted == 1)).sum())
    return 2 * right / max(int((gold == 1).sum()) + int((predicted == 1).sum()), 1)


def stage_f1(gold: np.ndarray, predicted: np.ndarray) -> float:
    """As `earshot eval extract` scores purchase_stage: a stage predicted (not "none") and right, over both counts."""
    right = int(((gold == predicted) & (gold != 0)).sum())
    return 2 * right / max(int((gold != 0).sum()) + int((predicted != 0).sum()), 1)


def accuracy(gold: np.ndarray, predicted: np.ndarray) -> float:
    return float((gold == predicted).mean())


TASKS = (
    Task("complaint", ("no", "yes"), COMPLAINT_CUES, lambda g: "yes" if g["complaint"] else "no", binary_f1,
         lexicon_or=lexicon_says_complaint),
    Task("complaint_category", CATEGORIES, COMPLAINT_CUES, lambda g: g["category"] if g["complaint"] else None,
         accuracy, category_from_cues),
    Task("purchase_stage", (NO_STAGE, *STAGES), PURCHASE_CUES, lambda g: g["purchase_stage"] or NO_STAGE, stage_f1,
         tune_first_class=True),
)


def read_rows(training: Path, gold: Path) -> list[dict]:
    rows = []
    for path in sorted(training.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows += [row for row in map(json.loads, gold.read_text(encoding="utf-8").splitlines()) if row["split"] == "dev"]
    texts = set()
    unique = []
    for row in rows:  # a text written twice would sit on both sides of a fold
        if row["text"] not in texts:
            texts.add(row["text"])
            unique.append(row)
    return unique


def features_of(rows: list[dict]) -> tuple[PostFeatures, dict[tuple[str, ...], np.ndarray]]:
    context = catalog_context(load_settings(None), CATALOG)
    posts = [PostView(id=n, platform=row.get("platform", "x"), author_id=0, text=row["text"], language=row.get("lang"))
             for n, row in enumerate(rows)]
    items = run_enrichers(open_enrichers(["language", "products"], context), posts)
    features = PostFeaturizer().features([item.post.full_text for item in items])
    cues = {COMPLAINT_CUES: ComplaintCues().read(items)[1], PURCHASE_CUES: PurchaseCues().read(items)[1]}
    return features, cues


def matrix(features: PostFeatures, cues: np.ndarray) -> sp.csr_matrix:
    return sp.hstack([features.words, features.chars, sp.csr_matrix(np.hstack([features.dense, cues]))]).tocsr()


def fit(x: sp.csr_matrix, y: np.ndarray, c: float, classes: int):
    from sklearn.linear_model import LogisticRegression

    weight = None if classes == 2 else "balanced"
    return LogisticRegression(C=c, max_iter=1000, class_weight=weight, random_state=SEED).fit(x, y)


def used_columns(x: sp.csr_matrix) -> np.ndarray:
    """Columns some post has a value in: the hashed blocks are mostly empty, and fitting on the rest is ~10x faster."""
    return np.flatnonzero(x.getnnz(axis=0))


def out_of_fold(x: sp.csr_matrix, y: np.ndarray, c: float, classes: int) -> np.ndarray:
    from sklearn.model_selection import StratifiedKFold

    probabilities = np.zeros((len(y), classes))
    for train, held in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(x, y):
        model = fit(x[train], y[train], c, classes)
        probabilities[np.ix_(held, model.classes_)] = model.predict_proba(x[held])
    return probabilities


def best_threshold(y: np.ndarray, p_yes: np.ndarray) -> tuple[float, float]:
    candidates = [(binary_f1(y, (p_yes >= t).astype(int)), t) for t in np.arange(0.2, 0.81, 0.025)]
    score, threshold = max(candidates, key=lambda pair: (pair[0], -abs(pair[1] - 0.5)))
    return round(float(threshold), 3), score


def train(task: Task, rows: list[dict], features: PostFeatures, cues: np.ndarray,
          grid: tuple[float, ...] = C_GRID) -> tuple[TextClassifier, dict]:
    labels = [task.label(row["gold"]) for row in rows]
    keep = np.array([label is not None for label in labels])
    y = np.array([task.classes.index(label) for label in labels if label is not None])
    subset = PostFeatures(features.words[keep], features.chars[keep], features.dense[keep])
    full = matrix(subset, cues[keep])
    used = used_columns(full)
    x = full[:, used]
    k = len(task.classes)
    trials = []
    for c in grid:
        probabilities = out_of_fold(x, y, c, k)
        if k == 2:
            threshold, figure = best_threshold(y, probabilities[:, 1])
        else:
            threshold, figure = 0.5, task.measure(y, probabilities.argmax(axis=1))
        trials.append((figure, c, threshold, probabilities))
        print(f"  {task.name}: C={c:<5} cross-validated {task.measure.__name__} {figure:.3f}", flush=True)
    figure, c, threshold, probabilities = max(trials, key=lambda trial: (trial[0], -trial[1]))
    first_bias = 0.0
    if task.tune_first_class:  # how readily "none" is said trades precision for recall: pick it on the folds too
        logs = np.log(np.maximum(probabilities, 1e-12))
        tried = [(task.measure(y, (logs + np.eye(k)[0] * b).argmax(axis=1)), -abs(b), round(float(b), 2))
                 for b in np.arange(-1.5, 1.51, 0.1)]
        tuned, _, first_bias = max(tried)
        print(f"  {task.name}: {task.classes[0]!r} logit shifted by {first_bias:+.1f}: {task.measure.__name__} {tuned:.3f}")
        figure = tuned
    lexicon_or = task.lexicon_or is not None
    if lexicon_or:  # the enricher ors the model with the lexicon rule: report what that scores
        net = task.lexicon_or(cues[keep], subset.dense[:, -3:])
        figure = task.measure(y, ((probabilities[:, 1] >= threshold) | net).astype(int))
        print(f"  {task.name}: or-ed with the lexicon rule, as the enricher does: {task.measure.__name__} {figure:.3f}")
    cue_first = False
    if task.cue_first is not None:  # would the lexicon's own answer, where it has one, do better?
        with_cues = task.cue_first(cues[keep], probabilities.argmax(axis=1))
        cue_figure = task.measure(y, with_cues)
        print(f"  {task.name}: lexicon first where it matches: {task.measure.__name__} {cue_figure:.3f}")
        cue_first = cue_figure > figure
        figure = max(figure, cue_figure)
    model = fit(x, y, c, k)
    coef = np.zeros((full.shape[1], model.coef_.shape[0]))
    coef[used] = model.coef_.T
    intercept = model.intercept_
    if k == 2:
        coef = np.hstack([np.zeros_like(coef), coef])
        intercept = np.array([0.0, intercept[0]])
    intercept = intercept + np.eye(k)[0] * first_bias
    words, chars = features.words.shape[1], features.chars.shape[1]
    report = {"c": c, "threshold": threshold, "cue_first": cue_first, "lexicon_or": lexicon_or, "first_class_bias": first_bias, f"cv_{task.measure.__name__}": round(figure, 4), "rows": int(len(y)),
              "class_counts": {task.classes[i]: int((y == i).sum()) for i in range(k)}}
    fingerprint = hashlib.sha256(np.ascontiguousarray(coef, dtype=np.float32).tobytes()).hexdigest()[:10]
    meta = {"version": f"{task.name}-{fingerprint}", "cue_first": cue_first, "trained_on": report}
    return TextClassifier(task.classes, task.cue_columns, coef[:words], coef[words:words + chars],
                          coef[words + chars:], intercept, threshold, meta), report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--training", type=Path, default=TRAINING, help="folder of labeled JSON Lines files")
    parser.add_argument("--gold", type=Path, default=GOLD, help="gold set whose dev split is also trained on")
    parser.add_argument("--models", type=Path, default=MODELS, help="where the model files go")
    parser.add_argument("--only", choices=[task.name for task in TASKS], action="append",
                        help="train only this model (repeatable); default all")
    parser.add_argument("--c", type=float, action="append", help=f"regularisation values to try (default {C_GRID})")
    args = parser.parse_args()
    main_with(args.training, args.gold, args.models, args.only, tuple(args.c or C_GRID))


def main_with(training: Path, gold: Path, models: Path, only: list[str] | None = None,
              grid: tuple[float, ...] = C_GRID) -> None:
    rows = read_rows(training, gold)
    print(f"{len(rows)} labeled posts")
    features, cues = features_of(rows)
    for task in TASKS:
        if only and task.name not in only:
            continue
        model, report = train(task, rows, features, cues[task.cue_columns], grid)
        model.save(models / f"{task.name}.npz")
        print(f"{task.name}: {json.dumps(report)} -> {models / (task.name + '.npz')}")


if __name__ == "__main__":
    main()
