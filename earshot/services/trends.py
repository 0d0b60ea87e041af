"""Trends for the CLI, the API and the analyst page: brought up to date, then read (see analytics/)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from analytics.charts import METRICS, channel_chart, funnel_chart, trend_chart
from analytics.rollup import refresh_trends
from analytics.trends import TrendQuery, channels, funnel, parse_day, share_of_voice, trend
from config.settings import Settings
from storage.engine import session_scope

VIEWS = ("trend", "share-of-voice", "funnel", "funnel-over-time", "channels")


def trend_query(*, interval: str = "day", by: str | None = None, product: str | None = None,
                since: str | datetime | None = None, until: str | datetime | None = None) -> TrendQuery:
    return TrendQuery(interval=interval, group_by=by or None, product=product or None,
                      since=parse_day(since) if isinstance(since, str) else since,
                      until=parse_day(until) if isinstance(until, str) else until)


def report(engine: Engine, settings: Settings, view: str, query: TrendQuery, *, refresh: bool = True
           ) -> list[dict[str, Any]]:
    """One view's rows as plain dicts (refreshing the buckets first unless told not to)."""
    if refresh:
        refresh_trends(engine, settings)
    with session_scope(engine) as session:
        if view == "trend":
            return [p.as_dict() for p in trend(session, query)]
        if view == "share-of-voice":
            return share_of_voice(session, query)
        if view == "funnel":
            return funnel(session, query)
        if view == "funnel-over-time":
            return funnel(session, query, over_time=True)
        if view == "channels":
            return channels(session, query)
    raise ValueError(f"unknown view {view!r}; use {', '.join(VIEWS)}")


def analyst_charts(engine: Engine, settings: Settings, query: TrendQuery, *, metric: str) -> dict[str, Any]:
    """The analyst page's three charts (Vega-Lite specs) and the figures under them."""
    refresh_trends(engine, settings)
    with session_scope(engine) as session:
        points = trend(session, query)
        stages = funnel(session, query)
        named = channels(session, query)
        voices = share_of_voice(session, query)
    title = f"{METRICS[metric].capitalize()} per {query.interval}" + (
        f" by {query.group_by.replace('_', ' ')}" if query.group_by else "")
    return {"trend": trend_chart(points, metric=metric, interval=query.interval, title=title),
            "funnel": funnel_chart(stages), "channels": channel_chart(named),
            "points": points, "stages": stages, "named": named, "voices": voices}
