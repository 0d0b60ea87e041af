"""`earshot eval linking`: precision and recall of author -> customer links on a labeled set (the demo's)."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from earshot.cli.app import eval_app
from earshot.cli.state import console, state
from earshot.services.demo import CUSTOMERS, DEMO_DATA, REPLAY_FILES
from earshot.services.linking_eval import evaluate_linking


@eval_app.command("linking")
def eval_linking(
    ctx: typer.Context,
    customers: Annotated[Path, typer.Option("--customers", help="CRM customers (JSON Lines).")] = CUSTOMERS,
    authors: Annotated[list[Path] | None, typer.Option("--authors", help="Posts whose authors are labeled.")] = None,
    truth: Annotated[Path, typer.Option("--truth", help="The customer of every author (JSON Lines).")] = (
        DEMO_DATA / "linking_truth.jsonl"),
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Precision and recall of identity linking, at the automatic and at the review threshold, per kind of case."""
    settings = state(ctx).settings
    score = evaluate_linking(settings, customers=customers, authors=authors or [Path(p) for p in REPLAY_FILES],
                             truth=truth).as_dict()
    if as_json:
        typer.echo(json.dumps(score, sort_keys=True))
        return
    thresholds = settings.linking
    for name, threshold in (("auto", thresholds.auto_threshold), ("review", thresholds.review_threshold)):
        figures = score[name]
        console.print(f"{name} (confidence ≥ {threshold}): precision {figures['precision']}  recall {figures['recall']}"
                      f"  ({figures['right']} right, {figures['wrong']} wrong of {score['linked_in_truth']} customers"
                      f" among {score['authors']} authors)")
    table = Table(title="by case")
    columns = sorted({key for counts in score["cases"].values() for key in counts} - {"authors"})
    for column in ("case", "authors", *columns):
        table.add_column(column, justify="left" if column == "case" else "right")
    for case, counts in score["cases"].items():
        table.add_row(case, str(counts["authors"]), *(str(counts.get(column, 0)) for column in columns))
    console.print(table)
