"""The root `earshot` command, its global options, and the command groups."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from earshot.cli.errors import ErrorReportingGroup
from earshot.cli.state import CliState, configure_logging
from earshot.runtime import tune_gc

app = typer.Typer(
    cls=ErrorReportingGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Earshot: hear what customers say about you in public, and act on it.",
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
queue_app = typer.Typer(help="The engagement queue.", no_args_is_help=True)
customers_app = typer.Typer(help="CRM customers.", no_args_is_help=True)
segments_app = typer.Typer(help="Customer segments for targeted promotions (consented customers only).",
                           no_args_is_help=True)
share_app = typer.Typer(help="Consented segments exchanged with a partner business as keyed hashes.",
                        no_args_is_help=True)
rules_app = typer.Typer(help="Routing rules.", no_args_is_help=True)
users_app = typer.Typer(help="Staff users who sign in to the web UI and the API.", no_args_is_help=True)
links_app = typer.Typer(help="Links between social authors and customers: review, confirm, reject.",
                        no_args_is_help=True)
catalog_app = typer.Typer(help="The product catalog.", no_args_is_help=True)
schedule_app = typer.Typer(help="The collection schedule.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure enrichment against labeled data.", no_args_is_help=True)
alerts_app = typer.Typer(help="Spike and viral-post alerts (PR queue items).", no_args_is_help=True)
export_app = typer.Typer(help="Posts, queue items or trends as CSV, JSON, JSON Lines or Parquet.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(queue_app, name="queue")
app.add_typer(customers_app, name="customers")
app.add_typer(links_app, name="links")
app.add_typer(users_app, name="users")
app.add_typer(rules_app, name="rules")
app.add_typer(segments_app, name="segments")
app.add_typer(share_app, name="share")
app.add_typer(catalog_app, name="catalog")
app.add_typer(schedule_app, name="schedule")
app.add_typer(eval_app, name="eval")
app.add_typer(alerts_app, name="alerts")
worker_app = typer.Typer(help="Long-running stage workers that share one store (see docs/deployment.md).",
                         no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(worker_app, name="worker")


@app.callback()
def main(
    ctx: typer.Context,
    config: Annotated[
        Optional[Path], typer.Option("--config", "-c", help="TOML config file (default: $EARSHOT_CONFIG or ./earshot.toml).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show details and tracebacks.")] = False,
) -> None:
    configure_logging(verbose)
    tune_gc()
    ctx.obj = CliState(config_file=config, verbose=verbose)
