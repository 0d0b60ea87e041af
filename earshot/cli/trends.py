"""`earshot trends`: sentiment over time by any grouping, share of voice, the purchase funnel and channels; as a
table, JSON lines, or a PNG chart."""

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from analytics.charts import METRICS, channel_chart, funnel_chart, to_png, trend_chart
from analytics.rollup import refresh_trends
from analytics.trends import GROUPINGS, INTERVALS, TrendPoint
from config.errors import EarshotError
from earshot.cli.app import app
from earshot.cli.progress import progress_bar
from earshot.cli.state import console, err_console, state
from earshot.services.trends import VIEWS, report, trend_query


@app.command("trends")
def trends_command(
    ctx: typer.Context,
    view: Annotated[str, typer.Option("--view", help=f"One of {', '.join(VIEWS)}.")] = "trend",
    interval: Annotated[str, typer.Option("--interval", help=f"{', '.join(INTERVALS)}.")] = "day",
    by: Annotated[Optional[str], typer.Option("--by", help=f"Group by one of {', '.join(GROUPINGS)}.")] = None,
    product: Annotated[Optional[str], typer.Option("--product", help="Only posts naming this SKU.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="From this day (YYYY-MM-DD, UTC).")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Up to (not including) this day.")] = None,
    metric: Annotated[str, typer.Option("--metric", help=f"What --plot draws: {', '.join(METRICS)}.")] = "posts",
    plot: Annotated[Optional[Path], typer.Option("--plot", help="Also write the chart as a PNG file.")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Count every hour again (after changing the brand "
                                                            "or competitors).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
) -> None:
    """Posts and sentiment per hour, day or week (net sentiment: (positive − negative) / (positive + negative))."""
    cli = state(ctx)
    if view not in VIEWS:
        raise EarshotError(f"unknown view {view!r}; use one of {', '.join(VIEWS)}")
    if metric not in METRICS:
        raise EarshotError(f"unknown metric {metric!r}; use one of {', '.join(METRICS)}")
    query = trend_query(interval=interval, by=by, product=product, since=since, until=until)
    with progress_bar() as progress:
        task = progress.add_task("counting trends", total=None)
        counted = refresh_trends(cli.engine, cli.settings, rebuild=rebuild,
                                 on_span=lambda start, end: progress.advance(task, 1))
    if counted:
        err_console.print(f"counted {counted['hours']:,} hours of posts")
    rows = report(cli.engine, cli.settings, view, query, refresh=False)
    if plot:
        _plot(plot, view, rows, metric=metric, interval=interval)
        err_console.print(f"wrote {plot}")
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row))
        return
    console.print(_table(view, rows))


def _plot(path: Path, view: str, rows: list[dict], *, metric: str, interval: str) -> None:
    if view == "trend":
        points = [TrendPoint(**row) for row in rows]
        spec = trend_chart(points, metric=metric, interval=interval,
                           title=f"{METRICS[metric].capitalize()} per {interval}")
    elif view == "funnel":
        spec = funnel_chart(rows)
    elif view == "channels":
        spec = channel_chart(rows)
    else:
        raise EarshotError("--plot draws the trend, funnel or channels view")
    if not rows:
        raise EarshotError("nothing to plot: no posts match (check --since/--until and --product)")
    path.write_bytes(to_png(spec))


def _table(view: str, rows: list[dict]) -> Table:
    columns = {
        "trend": ("period", "group", "posts", "positive", "neutral", "negative", "net_sentiment", "mean_sentiment"),
        "share-of-voice": ("brand", "posts", "share", "negative", "net_sentiment"),
        "funnel-over-time": ("period", "product", "considering", "purchased", "returned", "recommending",
                             "bought_per_considering", "returned_per_bought"),
        "funnel": ("product", "considering", "purchased", "returned", "recommending", "bought_per_considering",
                   "returned_per_bought", "recommending_per_bought"),
        "channels": ("product", "channel", "posts", "positive", "negative", "net_sentiment"),
    }[view]
    table = Table(title=f"{view}: {len(rows)} rows")
    for column in columns:
        table.add_column(column.replace("_", " "), justify="left" if column in ("period", "group", "brand",
                                                                                "product", "channel") else "right")
    for row in rows:
        table.add_row(*(escape(_cell(row.get(column))) for column in columns))
    return table


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
