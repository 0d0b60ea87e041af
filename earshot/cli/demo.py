"""`earshot demo`: the whole flow on the embedded data — import, collect, enrich, route, customer models, trends and
alerts, summary, serve."""

from typing import Annotated

import typer

from analytics.alerts import check_alerts
from earshot.cli.app import app
from earshot.cli.customers import run_refresh
from earshot.cli.users import ensure_demo_users
from earshot.cli.data import run_catalog_import, run_customers_import
from earshot.cli.serve import DEFAULT_HOST, DEFAULT_PORT, serve
from earshot.cli.stages import run_collect, run_enrich, run_route
from earshot.cli.state import console, state
from earshot.cli.stats import stats_table
from earshot.services.demo import CATALOG, CUSTOMERS, demo_settings
from earshot.services.stats import store_stats
from storage.engine import session_scope


@app.command("demo")
def demo_command(
    ctx: typer.Context,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Stop after the summary instead of serving the UI.")] = False,
    host: Annotated[str, typer.Option("--host")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = DEFAULT_PORT,
) -> None:
    """Run the whole flow on the demo data shipped with Earshot, then serve the queue."""
    cli = state(ctx)
    cli.settings = demo_settings(cli.settings)
    console.rule("Earshot demo: the Nordvik brand")
    console.print(f"database: {cli.engine.url.render_as_string(hide_password=True)}")
    run_catalog_import(cli, CATALOG)
    run_customers_import(cli, CUSTOMERS)
    run_collect(cli)
    run_enrich(cli)
    run_route(cli)
    run_refresh(cli)
    alerts = check_alerts(cli.engine, cli.settings)  # counts the trend buckets, then judges every hour of them
    console.print(f"alerts for PR: {alerts['spikes']} spike(s), {alerts['viral']} viral post(s) (`earshot alerts list`)")
    with session_scope(cli.engine) as session:
        console.print(stats_table(store_stats(session)))
    ensure_demo_users(cli)
    if no_serve:
        console.print("done; `earshot serve` shows the queue in the browser")
        return
    serve(cli, host, port)
