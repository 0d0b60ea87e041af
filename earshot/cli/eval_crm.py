"""`earshot eval churn`: churn risk against the CRM's churned customers."""

import json
from typing import Annotated

import typer

from earshot.cli.app import eval_app
from earshot.cli.state import console, state
from earshot.services.churn_eval import evaluate_churn
from storage.engine import session_scope


@eval_app.command("churn")
def eval_churn(
    ctx: typer.Context,
    threshold: Annotated[float, typer.Option("--threshold", min=0.0, max=1.0,
                                             help="Risk that counts as flagged.")] = 0.5,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """ROC AUC, precision and recall of churn risk against customers whose CRM status is churned."""
    with session_scope(state(ctx).engine) as session:
        figures = evaluate_churn(session, threshold=threshold)
    if as_json:
        typer.echo(json.dumps(figures, sort_keys=True))
        return
    console.print(f"churn risk on {figures['customers']} customers ({figures['churned']} churned): AUC "
                  f"{figures['auc']}, at ≥ {threshold}: precision {figures['precision']} recall {figures['recall']}; "
                  f"mean risk churned {figures['mean_risk_churned']}, active {figures['mean_risk_active']}")
