"""Charts as Vega-Lite specifications: the analyst page draws them in the browser (vega-embed), and
`earshot trends --plot FILE.png` renders the same specification to PNG with vl-convert (offline: no CDN, no
browser). Data goes inline in each spec."""

import json
from typing import Any

from analytics.trends import TrendPoint

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier only: nothing is fetched
METRICS = {"posts": "posts", "negative": "negative posts", "net_sentiment": "net sentiment",
           "mean_sentiment": "mean sentiment"}
WIDTH, HEIGHT = 720, 300


def trend_chart(points: list[TrendPoint], *, metric: str = "posts", interval: str = "day",
                title: str = "Posts over time") -> dict[str, Any]:
    """A line per group (or one line), over time; the tooltip shows every figure of the point."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; use {', '.join(METRICS)}")
    grouped = len({p.group for p in points}) > 1
    time_unit = {"hour": "yearmonthdatehours", "day": "yearmonthdate", "week": "yearmonthdate"}[interval]
    encoding: dict[str, Any] = {
        "x": {"field": "period", "type": "temporal", "timeUnit": time_unit, "title": interval},
        "y": {"field": metric, "type": "quantitative", "title": METRICS[metric]},
        "tooltip": [{"field": "period", "type": "temporal", "timeUnit": time_unit}, {"field": "group"},
                    {"field": "posts"}, {"field": "positive"}, {"field": "negative"},
                    {"field": "net_sentiment", "format": ".2f"}, {"field": "mean_sentiment", "format": ".2f"}],
    }
    if grouped:
        encoding["color"] = {"field": "group", "type": "nominal", "title": None}
    return _spec(title, [p.as_dict() for p in points], {"type": "line", "point": True}, encoding,
                 params=[{"name": "pick", "select": {"type": "point", "fields": ["group"]}, "bind": "legend"}]
                 if grouped else None)


def funnel_chart(rows: list[dict[str, Any]], *, title: str = "Purchase funnel") -> dict[str, Any]:
    stages = ["considering", "purchased", "returned", "recommending"]
    values = [{"product": row["product"], "stage": stage, "posts": row[stage]} for row in rows for stage in stages]
    return _spec(title, values, "bar", {
        "x": {"field": "product", "type": "nominal", "title": None},
        "xOffset": {"field": "stage", "sort": stages},
        "y": {"field": "posts", "type": "quantitative"},
        "color": {"field": "stage", "type": "nominal", "sort": stages, "title": None},
        "tooltip": [{"field": "product"}, {"field": "stage"}, {"field": "posts"}],
    })


def channel_chart(rows: list[dict[str, Any]], *, title: str = "Where people heard of each product") -> dict[str, Any]:
    return _spec(title, rows, "bar", {
        "y": {"field": "product", "type": "nominal", "title": None},
        "x": {"field": "posts", "type": "quantitative", "stack": "zero"},
        "color": {"field": "channel", "type": "nominal", "title": None},
        "tooltip": [{"field": "product"}, {"field": "channel"}, {"field": "posts"},
                    {"field": "net_sentiment", "format": ".2f"}],
    })


def to_png(spec: dict[str, Any], *, scale: float = 2.0) -> bytes:
    import vl_convert

    return vl_convert.vegalite_to_png(json.dumps(spec), scale=scale)


def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed in one script, from the installed vl-convert (served at /vendor/vega.js)."""
    import vl_convert

    return vl_convert.javascript_bundle()


def _spec(title: str, values: list[dict[str, Any]], mark: Any, encoding: dict[str, Any],
          params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"$schema": SCHEMA, "title": title, "width": WIDTH, "height": HEIGHT,
                            "data": {"values": values}, "mark": mark, "encoding": encoding}
    if params:
        spec["params"] = params
        spec["encoding"]["opacity"] = {"condition": {"param": "pick", "value": 1}, "value": 0.2}
    return spec
