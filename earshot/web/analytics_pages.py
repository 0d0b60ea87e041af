"""The analyst page: the trend chart by a chosen grouping, the purchase funnel, channels and share of voice, drawn
in the browser with Vega-Lite (the library bundle comes from the installed vl-convert, served here: no CDN)."""

import json
from functools import lru_cache
from urllib.parse import urlencode
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from analytics.charts import METRICS, vega_bundle
from analytics.exports.personal import PERSONAL_ROLES
from analytics.trends import GROUPINGS, INTERVALS
from config.errors import EarshotError
from earshot.api.access import Reader
from earshot.api.deps import SessionDep
from earshot.services.trends import analyst_charts, trend_query
from earshot.web.pages import header_context, templates

router = APIRouter(include_in_schema=False)


@router.get("/analytics", response_class=HTMLResponse)
def analytics_page(
    request: Request,
    session: SessionDep,
    user: Reader,
    interval: Annotated[str, Query(pattern="^(hour|day|week)$")] = "day",
    by: Annotated[str | None, Query(max_length=32)] = None,
    product: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[str | None, Query(max_length=32)] = None,
    until: Annotated[str | None, Query(max_length=32)] = None,
    metric: Annotated[str, Query(max_length=32)] = "posts",
) -> HTMLResponse:
    form = {"interval": interval, "by": by or "", "product": product or "", "since": since or "",
            "until": until or "", "metric": metric}
    error, charts = None, None
    try:
        if metric not in METRICS:
            raise EarshotError(f"unknown metric {metric!r}; use one of {', '.join(METRICS)}")
        query = trend_query(interval=interval, by=by, product=product, since=since, until=until)
        state = request.app.state
        charts = analyst_charts(state.engine, state.settings, query, metric=metric)
    except EarshotError as exc:
        error = str(exc)
    specs = {name: json_in_html(charts[name]) for name in ("trend", "funnel", "channels")} if charts else {}
    return templates.TemplateResponse(request, "analytics.html", {
        **header_context(session, user), "page_name": "analytics", "form": form, "error": error, "charts": charts,
        "specs": specs, "groupings": GROUPINGS, "intervals": INTERVALS, "metrics": METRICS,
        "export_query": urlencode({k: v for k, v in form.items() if v and k != "metric"}),
        "may_export_personal": user.role in PERSONAL_ROLES})


def json_in_html(value: object) -> str:
    """JSON safe inside a <script type="application/json"> block: no `</script>` or `<!--` can close it early."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@router.get("/vendor/vega.js")
def vega_script() -> Response:
    """Vega, Vega-Lite and vega-embed, bundled by the installed vl-convert (cached for a day by the browser)."""
    return Response(_bundle(), media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})


@lru_cache(maxsize=1)
def _bundle() -> str:
    return vega_bundle()
