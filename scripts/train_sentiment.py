"""Train the `linear` sentiment model (enrich/sentiment/models/linear.npz) on SemEval 2013-2016 subtask A tweets.

One command, from the project root, rebuilds the committed model and prints its held-out figures:

    .venv/bin/python scripts/train_sentiment.py

What it does, with no randomness beyond fixed seeds:
1. reads the 11 files in ../shared/fixtures/sentiment/semeval/ (tab-separated id, label, text), decodes the literal
   \\uXXXX escapes of 2013train, 2013dev and 2015train, unwraps quoted texts, decodes HTML entities, and keeps
   the first row of each id (files in name order);
2. holds out 10% of the ids (sha256 of the id, below 10 of 100) and never trains or tunes on them; rows of the
   other splits whose text equals a held-out text are dropped, so no tweet leaks twice; another 10% is the dev split;
3. picks the SVM's C on the dev split (trained on the train split), refits on train + dev, and fits the
   calibration on 5-fold out-of-fold decision values;
4. writes the model, the held-out split as line-aligned files for `earshot eval sentiment` (default
   build/sentiment/, kept out of git: the tweets fall under Twitter's terms), and prints held-out macro-recall
   and accuracy for `linear` and `vader`. Reproduce the figures, with posts per second, by:

    .venv/bin/earshot eval sentiment --text build/sentiment/heldout_text.txt --labels build/sentiment/heldout_labels.txt --backend linear
    .venv/bin/earshot eval sentiment --text build/sentiment/heldout_text.txt --labels build/sentiment/heldout_labels.txt --backend vader

`--holdout-file twitter-2016test-A` holds out that whole file instead (a harder, later-period test); pass
`--model /tmp/linear-2016.npz` with it so the committed model stays as it is.
"""

import argparse
import hashlib
import html
import json
import re
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from enrich.evaluation import multiclass_report  # noqa: E402
from enrich.sentiment.base import LABELS  # noqa: E402
from enrich.sentiment.linear import MODEL_FILE, FeatureSpec, Featurizer, LinearModel  # noqa: E402

SEMEVAL = ROOT.parent / "shared" / "fixtures" / "sentiment" / "semeval"
ESCAPED_FILES = ("twitter-2013train-A", "twitter-2013dev-A", "twitter-2015train-A")
HELDOUT_BUCKETS = range(10)  # of 100
DEV_BUCKETS = range(10, 20)
SEED = 0
C_GRID = (0.05, 0.1, 0.2, 0.4)
CALIBRATION_FOLDS = 5
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


@dataclass(frozen=True)
class Example:
    id: str
    label: int  # 0 negative, 1 neutral, 2 positive (TweetEval's coding)
    text: str
    file: str


@dataclass(frozen=True)
class Splits:
    train: list[Example]
    dev: list[Example]
    heldout: list[Example]


def clean(text: str, escaped: bool) -> str:
    if escaped:
        text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # join surrogate pairs
    text = text.removeprefix('"').removesuffix('"')  # wrapped in quotes (some on one side only: the tweet was cut)
    text = re.sub(r'"{2,}', '"', text.replace('\\"', '"'))  # CSV-doubled (sometimes twice) and \" quotes
    return " ".join(html.unescape(html.unescape(text)).split())


def read_semeval(folder: Path = SEMEVAL) -> list[Example]:
    """Every SemEval subtask A row, the first of each id kept (files in name order)."""
    files = sorted(folder.glob("twitter-*-A.tsv"))
    if not files:
        raise SystemExit(f"no SemEval files (twitter-*-A.tsv) in {folder}")
    examples: dict[str, Example] = {}
    for path in files:
        escaped = path.stem in ESCAPED_FILES
        for line in path.read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            tweet_id, label, text = line.split("\t")[:3]  # 2016test carries an empty 4th field
            if tweet_id not in examples:
                examples[tweet_id] = Example(tweet_id, LABELS.index(label), clean(text, escaped), path.stem)
    return list(examples.values())


def bucket(tweet_id: str) -> int:
    return int(hashlib.sha256(tweet_id.encode()).hexdigest(), 16) % 100


def _text_key(text: str) -> str:
    return " ".join(re.sub(r"\W+", " ", text.lower()).split())


def split(examples: list[Example], holdout_file: str | None = None) -> Splits:
    """Held-out: 10% of ids (or one whole file); dev: another 10%; train: the rest, minus held-out texts."""
    def held(e: Example) -> bool:
        return e.file == holdout_file if holdout_file else bucket(e.id) in HELDOUT_BUCKETS

    heldout = [e for e in examples if held(e)]
    held_texts = {_text_key(e.text) for e in heldout}
    rest = [e for e in examples if not held(e) and _text_key(e.text) not in held_texts]
    dev = [e for e in rest if bucket(e.id) in DEV_BUCKETS]
    train = [e for e in rest if bucket(e.id) not in DEV_BUCKETS]
    return Splits(train=sorted(train, key=_order), dev=sorted(dev, key=_order), heldout=sorted(heldout, key=_order))


def _order(e: Example) -> tuple[int, str]:
    return (int(e.id), e.file)


def write_aligned(folder: Path, name: str, examples: list[Example]) -> tuple[Path, Path]:
    """`NAME_text.txt` and `NAME_labels.txt`, one example per line (texts hold no line breaks)."""
    folder.mkdir(parents=True, exist_ok=True)
    texts, labels = folder / f"{name}_text.txt", folder / f"{name}_labels.txt"
    texts.write_text("".join(" ".join(e.text.split()) + "\n" for e in examples), encoding="utf-8")
    labels.write_text("".join(f"{e.label}\n" for e in examples), encoding="utf-8")
    return texts, labels


def fingerprint(examples: list[Example], spec: FeatureSpec, hyper: dict) -> str:
    digest = hashlib.sha256()
    for e in examples:
        digest.update(f"{e.id}\t{e.label}\t{e.text}\n".encode())
    digest.update(json.dumps({"spec": spec.as_dict(), "hyper": hyper, "vader": package_version("vaderSentiment")},
                             sort_keys=True).encode())
    return "semeval." + digest.hexdigest()[:12]


def stack(blocks: tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]) -> sp.csr_matrix:
    words, chars, dense = blocks
    matrix = sp.hstack([words, chars, sp.csr_matrix(dense)], format="csr")
    matrix.sum_duplicates()  # liblinear would take a repeated n-gram's entries for separate features
    return matrix


def svm(c: float):
    from sklearn.svm import LinearSVC

    return LinearSVC(C=c, class_weight="balanced", random_state=SEED, max_iter=5000)


def macro_recall(gold: np.ndarray, predicted: np.ndarray) -> float:
    names = [LABELS[i] for i in gold], [LABELS[i] for i in predicted]
    return multiclass_report(*names, LABELS)["macro_recall"]


def tune(x_train: sp.csr_matrix, y_train: np.ndarray, x_dev: sp.csr_matrix, y_dev: np.ndarray) -> float:
    best_c, best = C_GRID[0], -1.0
    for c in C_GRID:
        score = macro_recall(y_dev, svm(c).fit(x_train, y_train).predict(x_dev))
        print(f"  C={c:<5} dev macro-recall {score:.4f}", flush=True)
        if score > best:
            best_c, best = c, score
    return best_c


def fit(x: sp.csr_matrix, y: np.ndarray, c: float, spec: FeatureSpec, meta: dict) -> LinearModel:
    """The SVM on all of x, and a balanced multinomial calibration on its out-of-fold decision values."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    folds = StratifiedKFold(CALIBRATION_FOLDS, shuffle=True, random_state=SEED)
    decisions = cross_val_predict(svm(c), x, y, cv=folds, method="decision_function")
    calibration = LogisticRegression(C=100.0, class_weight="balanced", max_iter=1000).fit(decisions, y)
    model = svm(c).fit(x, y)
    weights = model.coef_.T  # (features, 3)
    words, chars = 2**spec.word_bits, 2**spec.char_bits
    return LinearModel(
        spec=spec, word_weights=weights[:words], char_weights=weights[words : words + chars],
        dense_weights=weights[words + chars :], intercept=model.intercept_,
        calibration_coef=calibration.coef_, calibration_intercept=calibration.intercept_, meta=meta)


def vader_labels(texts: list[str]) -> np.ndarray:
    from enrich.sentiment.vader import VaderBackend

    backend = VaderBackend()
    backend.open()
    return np.array([LABELS.index(s.label) for s in backend.score(texts)])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--semeval", type=Path, default=SEMEVAL, help="folder of the SemEval subtask A files")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "sentiment", help="where the held-out files go")
    parser.add_argument("--model", type=Path, default=MODEL_FILE, help="model file to write")
    parser.add_argument("--holdout-file",
                        help="hold out this whole file (e.g. twitter-2016test-A) instead of 10%% of ids")
    args = parser.parse_args(argv)
    began = time.perf_counter()

    splits = split(read_semeval(args.semeval), args.holdout_file)
    print(f"train {len(splits.train)}, dev {len(splits.dev)}, held-out {len(splits.heldout)} "
          f"({args.holdout_file or '10% of ids'})", flush=True)
    texts, labels = write_aligned(args.out, "heldout", splits.heldout)
    spec = FeatureSpec()
    featurizer = Featurizer(spec)
    x_train, x_dev = (stack(featurizer.transform([e.text for e in part])) for part in (splits.train, splits.dev))
    y_train, y_dev = (np.array([e.label for e in part]) for part in (splits.train, splits.dev))

    c = tune(x_train, y_train, x_dev, y_dev)
    hyper = {"model": "LinearSVC", "C": c, "class_weight": "balanced", "calibration": "multinomial-balanced",
             "calibration_folds": CALIBRATION_FOLDS, "seed": SEED, "holdout": args.holdout_file or "sha256-10pct"}
    train_and_dev = splits.train + splits.dev
    meta = {"version": fingerprint(train_and_dev, spec, hyper), "hyper": hyper, "trained_on": len(train_and_dev),
            "vader_sentiment": package_version("vaderSentiment")}
    model = fit(sp.vstack([x_train, x_dev], format="csr"), np.concatenate([y_train, y_dev]), c, spec, meta)
    model.save(args.model)
    seconds = time.perf_counter() - began

    saved = LinearModel.load(args.model)  # score with the weights as stored (int8)
    heldout_blocks = featurizer.transform([e.text for e in splits.heldout])
    predicted = saved.probabilities(saved.decision(heldout_blocks)).argmax(axis=1)
    gold_names = [LABELS[e.label] for e in splits.heldout]
    for name, labels_of in (("linear", predicted), ("vader", vader_labels([e.text for e in splits.heldout]))):
        report = multiclass_report(gold_names, [LABELS[i] for i in labels_of], LABELS)
        print(f"held-out {name}: macro-recall {report['macro_recall']:.4f}, accuracy {report['accuracy']:.4f}")
    print(f"model {args.model} ({args.model.stat().st_size / 1e6:.2f} MB), version {meta['version']}, C={c}, "
          f"trained in {seconds:.0f} s")
    print(f"held-out split: {texts} and {labels}")


if __name__ == "__main__":
    main()
