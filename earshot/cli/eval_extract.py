"""`earshot eval extract` and `earshot eval complaints`: the extractors measured against labeled posts."""

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from earshot.cli.app import eval_app
from earshot.cli.state import console, state
from earshot.services.demo import CATALOG
# the extractors (spaCy and the models) are imported when a command runs, not when the command line starts

CatalogOption = Annotated[Path, typer.Option("--catalog", help="Product catalog the labels refer to.")]


@eval_app.command("extract")
def eval_extract(
    ctx: typer.Context,
    gold: Annotated[Path, typer.Option("--gold", help="Labeled posts (JSON Lines, see tests/data/README.md).")],
    split: Annotated[str, typer.Option("--split", help="dev, test or all.")] = "test",
    catalog: CatalogOption = CATALOG,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Precision, recall and F1 of every extracted field against a labeled set."""
    from earshot.services.evaluation import catalog_context
    from enrich.extract_eval import extract, read_gold, score

    rows = read_gold(gold, split)
    items, seconds = extract(catalog_context(state(ctx).settings, catalog), rows)
    report = score(rows, items, seconds).as_dict()
    if as_json:
        typer.echo(json.dumps(report, sort_keys=True))
        return
    table = Table(title=f"{gold.name} ({split}): {report['posts']} posts, {report['posts_per_s']} posts/s")
    for column in ("field", "precision", "recall", "F1", "predicted", "gold"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for name, figures in [*report["fields"].items(), ("demographics (all)", report["demographics"])]:
        table.add_row(name, f"{figures['precision']:.2f}", f"{figures['recall']:.2f}", f"{figures['f1']:.2f}",
                      str(figures["predicted"]), str(figures["gold"]))
    console.print(table)


@eval_app.command("complaints")
def eval_complaints(
    ctx: typer.Context,
    text: Annotated[Path, typer.Option("--text", help="One post per line.")],
    labels: Annotated[Path, typer.Option("--labels", help="One label per line: 1 complaint, 0 not.")],
    catalog: CatalogOption = CATALOG,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Precision, recall and F1 of complaint detection, and posts per second."""
    from earshot.services.evaluation import catalog_context, read_aligned
    from enrich.base import PostView
    from enrich.batch import open_enrichers, run_enrichers
    from enrich.extract_eval import Score

    texts, label_lines = read_aligned(text, labels, {"0", "1"})
    context = catalog_context(state(ctx).settings, catalog)
    needed = [n for n in context.settings.enrich.enrichers if n in ("language", "sentiment", "products", "complaints")]
    active = open_enrichers(needed, context)
    posts = [PostView(id=n, platform="x", author_id=0, text=line) for n, line in enumerate(texts)]
    began = time.perf_counter()
    items = run_enrichers(active, posts)
    seconds = time.perf_counter() - began
    result = Score()
    for item, label in zip(items, label_lines, strict=True):
        result.add(label == "1", bool(item.result.get("is_complaint")))
    figures = {**result.as_dict(), "posts": len(items), "posts_per_s": round(len(items) / seconds, 1) if seconds else None}
    if as_json:
        typer.echo(json.dumps(figures, sort_keys=True))
        return
    console.print(f"complaints: precision {figures['precision']:.3f}  recall {figures['recall']:.3f}  "
                  f"F1 {figures['f1']:.3f}  ({figures['posts']} posts, {figures['posts_per_s']} posts/s)")
