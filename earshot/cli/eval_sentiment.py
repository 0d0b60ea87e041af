"""`earshot eval sentiment`: a sentiment backend measured against line-aligned texts and labels (0/1/2)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from config.errors import EarshotError
from earshot.cli.app import eval_app
from earshot.cli.state import console, state
from enrich.sentiment.base import LABELS

if TYPE_CHECKING:
    from enrich.sentiment.base import SentimentBackend

# the backends and scikit-learn's metrics are imported when the command runs, not when the command line starts


@eval_app.command("sentiment")
def eval_sentiment(
    ctx: typer.Context,
    text: Annotated[Path, typer.Option("--text", help="One text per line.")],
    labels: Annotated[Path, typer.Option("--labels", help="One label per line: 0 negative, 1 neutral, 2 positive.")],
    backend: Annotated[
        str | None, typer.Option("--backend", help="Sentiment backend (default: the configured enrich.sentiment).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Macro-averaged recall, accuracy, recall per class, confusion matrix and posts per second of a backend.

    Every line is scored, whatever its language."""
    import enrich.sentiment.enricher  # noqa: F401  (registers the backends the enricher knows)
    import enrich.sentiment.linear  # noqa: F401  (registers the linear backend)
    from earshot.services.evaluation import read_aligned
    from enrich.sentiment.base import sentiment_backends

    texts, label_lines = read_aligned(text, labels, {"0", "1", "2"})
    if not texts:
        raise EarshotError(f"{text} is empty; nothing to evaluate")
    settings = state(ctx).settings
    opened = sentiment_backends.get(backend or settings.enrich.sentiment).from_settings(settings)
    opened.open()
    report = evaluate(opened, texts, [LABELS[int(label)] for label in label_lines], settings.enrich.batch_size)
    if as_json:
        typer.echo(json.dumps(report, sort_keys=True))
        return
    console.print(summary_table(report, text.name))
    console.print(confusion_table(report))


def evaluate(backend: SentimentBackend, texts: list[str], gold: list[str], batch_size: int) -> dict[str, Any]:
    """Score `texts` in enrichment-sized batches (timed) and compare the labels with `gold`."""
    from enrich.evaluation import multiclass_report

    predicted: list[str] = []
    began = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        predicted += [score.label for score in backend.score(texts[start : start + batch_size])]
    seconds = time.perf_counter() - began
    return {
        "backend": backend.name,
        "version": backend.version,
        **multiclass_report(gold, predicted, LABELS),
        "seconds": round(seconds, 3),
        "posts_per_s": round(len(texts) / seconds, 1) if seconds else None,
    }


def summary_table(report: dict[str, Any], source: str) -> Table:
    table = Table(title=escape(f"{report['backend']} {report['version']}"),
                  caption=escape(f"{source}: {report['posts']:,} posts"))
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("macro-averaged recall", f"{report['macro_recall']:.4f}")
    table.add_row("accuracy", f"{report['accuracy']:.4f}")
    for label in LABELS:
        table.add_row(f"recall {label} ({report['support'][label]:,})", f"{report['recall'][label]:.4f}")
    table.add_row("posts per second", f"{report['posts_per_s']:,.0f}" if report["posts_per_s"] else "-")
    return table


def confusion_table(report: dict[str, Any]) -> Table:
    table = Table(title="confusion matrix (rows: gold, columns: predicted)")
    table.add_column("gold \\ predicted")
    for label in report["confusion"]["labels"]:
        table.add_column(label, justify="right")
    for label, row in zip(report["confusion"]["labels"], report["confusion"]["matrix"], strict=True):
        table.add_row(label, *(f"{count:,}" for count in row))
    return table
