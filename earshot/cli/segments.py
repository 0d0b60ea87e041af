"""`earshot segments export` and `earshot advocates`: customers to reach for small, targeted promotions."""

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from earshot.cli.app import app, segments_app
from earshot.cli.state import console, err_console, state
from earshot.services.advocacy import advocates_list
from earshot.services.segments import write_segment
from storage.engine import session_scope
from storage.repo.segments import SegmentFilter, select_segment

@segments_app.command("export")
def segments_export(
    ctx: typer.Context,
    product: Annotated[Optional[list[str]], typer.Option("--product", help="Owns this SKU (repeatable).")] = None,
    stage: Annotated[Optional[list[str]], typer.Option("--stage", help="Lifecycle stage, e.g. advocate.")] = None,
    sentiment: Annotated[Optional[str], typer.Option("--sentiment", help="positive, neutral or negative.")] = None,
    age_band: Annotated[Optional[list[str]], typer.Option("--age-band", help="Stated age band, e.g. 25-34.")] = None,
    country: Annotated[Optional[list[str]], typer.Option("--country", help="ISO code, CRM or stated.")] = None,
    city: Annotated[Optional[list[str]], typer.Option("--city", help="CRM or stated city.")] = None,
    heard_via: Annotated[Optional[list[str]], typer.Option("--heard-via", help="Channel their posts name.")] = None,
    bought_via: Annotated[Optional[list[str]], typer.Option("--bought-via", help="Purchase channel (CRM).")] = None,
    segment: Annotated[Optional[list[str]], typer.Option("--segment", help="The CRM's segment.")] = None,
    min_churn_risk: Annotated[Optional[float], typer.Option("--min-churn-risk", min=0, max=1)] = None,
    max_churn_risk: Annotated[Optional[float], typer.Option("--max-churn-risk", min=0, max=1)] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or jsonl.")] = "csv",
    out: Annotated[Optional[Path], typer.Option("--out", help="File to write (default: standard output).")] = None,
) -> None:
    """Customers matching every filter given, only those whose marketing consent allows it."""
    if fmt not in ("csv", "jsonl"):
        raise typer.BadParameter("--format is csv or jsonl")
    wanted = SegmentFilter(
        products=tuple(product or ()), stages=tuple(stage or ()), sentiment=sentiment, age_bands=tuple(age_band or ()),
        countries=tuple(country or ()), cities=tuple(city or ()), heard_via=tuple(heard_via or ()),
        bought_via=tuple(bought_via or ()), segments=tuple(segment or ()), min_churn_risk=min_churn_risk,
        max_churn_risk=max_churn_risk)
    with session_scope(state(ctx).engine) as session:
        result = select_segment(session, wanted=wanted)
    if out:
        with out.open("w", encoding="utf-8", newline="") as handle:
            write_segment(result.rows, handle, fmt=fmt)
    else:
        write_segment(result.rows, sys.stdout, fmt=fmt)
    err_console.print(f"segment: {len(result.rows)} customers{f' written to {out}' if out else ''}; "
                      f"{result.without_consent} more matched but their marketing consent does not allow it")


@app.command("advocates")
def advocates_command(
    ctx: typer.Context,
    days: Annotated[Optional[int], typer.Option("--days", min=1, help="Only the last N days.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
) -> None:
    """Who recommends our products in public: how often, to how many followers, with the posts as evidence."""
    with session_scope(state(ctx).engine) as session:
        rows = advocates_list(session, days=days, limit=limit)
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    table = Table(title=f"advocates: {len(rows)}")
    for column in ("author", "followers", "recommendations", "products", "customer", "latest"):
        table.add_column(column, overflow="fold")
    for row in rows:
        customer = f"{row['customer_id']} {row['customer_name']}" if row["customer_id"] else "-"
        latest = row["evidence"][0]["text"] if row["evidence"] else ""
        table.add_row(escape(f"{row['platform']}:@{row['handle']}"), f"{row['followers']:,}",
                      str(row["recommendations"]), ", ".join(row["products"]), escape(customer), escape(latest[:80]))
    console.print(table)
