"""`earshot customers list|show`: find a customer, and everything Earshot knows about them (the customer 360)."""

import json
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from crm.refresh import refresh_customers
from earshot.cli.app import customers_app
from earshot.cli.progress import progress_bar
from earshot.cli.state import console, state
from earshot.services.customers import customer_360, find_customers
from storage.engine import session_scope


@customers_app.command("list")
def customers_list(
    ctx: typer.Context,
    search: Annotated[Optional[str], typer.Option("--search", help="Part of a name, id or e-mail address.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
) -> None:
    """Customers by name (or those matching --search)."""
    with session_scope(state(ctx).engine) as session:
        rows, total = find_customers(session, search=search, limit=limit)
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    table = Table(title=f"customers: {len(rows)} of {total}")
    for column in ("id", "name", "city", "segment", "status", "value"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["id"], escape(row["name"]), escape(row["city"] or "-"), row["segment"] or "-", row["status"],
                      f"{row['lifetime_value']:,.2f}" if row["lifetime_value"] is not None else "-")
    console.print(table)


@customers_app.command("show")
def customers_show(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="The customer's id in your CRM.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The customer 360: record, products owned, support cases, linked handles and their posts with sentiment."""
    with session_scope(state(ctx).engine) as session:
        view = customer_360(session, external_id=customer_id)
    if as_json:
        typer.echo(json.dumps(view, ensure_ascii=False))
        return
    customer, social = view["customer"], view["social"]
    console.rule(escape(f"{customer['name']} ({customer['id']}) · {customer['status']} · {customer['segment'] or '-'}"))
    console.print(escape(f"{customer['email'] or '-'} · {customer['city'] or '-'}, {customer['country'] or '-'} · "
                         f"lifetime value {customer['lifetime_value'] or 0:,.2f} · since {customer['first_purchase']}"))
    risk = customer["churn_risk"]
    console.print(escape(f"lifecycle: {customer['lifecycle_stage'] or 'not computed'} · churn risk: "
                         f"{'-' if risk is None else f'{risk:.0%}'}"))
    for reason in customer["churn_reasons"]:
        console.print(escape(f"  {reason['weight']:+.1f} {reason['detail']}"))
    _table("lifecycle", ("at", "from", "to", "reason"), view["lifecycle"])
    _table("products owned", ("sku", "name", "purchased_at", "channel"), view["products"])
    _table("support cases", ("id", "sku", "category", "opened_at", "closed_at", "summary"), view["support_cases"])
    _table("social handles", ("platform", "handle", "status", "method", "confidence"),
           view["handles"] + view["proposed_handles"])
    console.print(f"posts: {social['posts']} · sentiment {social['sentiment']} · complaints {social['complaints']} · "
                  f"churn signals {social['churn_signals']} · recommendations {social['recommendations']}")
    _table("posts", ("created_at", "platform", "sentiment_label", "purchase_stage", "complaint_category", "text"),
           view["posts"][:20])


def _table(title: str, columns: tuple[str, ...], rows: list[dict]) -> None:
    if not rows:
        console.print(f"{title}: none")
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(escape("-" if row.get(c) is None else str(row.get(c))) for c in columns))
    console.print(table)


@customers_app.command("refresh")
def customers_refresh(
    ctx: typer.Context,
    everyone: Annotated[bool, typer.Option("--all", help="Every customer, not only those that changed (run daily: "
                                                         "churn risk depends on the date).")] = False,
) -> None:
    """Recompute lifecycle stages and churn risk (the scheduler does this after every enrich and route)."""
    run_refresh(state(ctx), everyone=everyone)


def run_refresh(cli, *, everyone: bool = False) -> None:
    with progress_bar() as progress:
        task = progress.add_task("customer models", total=None)
        run = refresh_customers(cli.engine, everyone=everyone, on_batch=lambda n: progress.advance(task, n))
    stages = ", ".join(f"{stage} {count}" for stage, count in sorted(run.stages.items())) or "none"
    console.print(f"customers refreshed: {run.counts['refreshed']} (stages: {stages}; "
                  f"churn risk ≥ 0.5: {run.counts['at_risk_score']})")
