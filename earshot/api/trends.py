"""JSON API for analysts: trends, share of voice, the purchase funnel and channel attribution."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from config.errors import EarshotError
from earshot.api.access import Reader
from earshot.services.trends import VIEWS, report, trend_query

router = APIRouter(prefix="/api", tags=["analytics"])


@router.get("/trends")
def trends(
    request: Request,
    user: Reader,
    view: Annotated[str, Query(pattern="^(trend|share-of-voice|funnel|funnel-over-time|channels)$",
                               description=f"One of {', '.join(VIEWS)}.")] = "trend",
    interval: Annotated[str, Query(pattern="^(hour|day|week)$")] = "day",
    by: Annotated[str | None, Query(max_length=32, description="Group by: product, brand, platform, language, "
                                    "purchase_stage, channel, complaint_category, age_band, country, city, segment, "
                                    "lifecycle.")] = None,
    product: Annotated[str | None, Query(max_length=64, description="Only posts naming this SKU.")] = None,
    since: Annotated[str | None, Query(max_length=32, description="From this day (YYYY-MM-DD, UTC).")] = None,
    until: Annotated[str | None, Query(max_length=32, description="Up to, not including, this day.")] = None,
) -> dict[str, Any]:
    """Posts, positive/neutral/negative counts, mean and net sentiment ((pos − neg) / (pos + neg)) per period and
    group; or share of voice against the configured competitors; or the funnel; or channels per product."""
    try:
        query = trend_query(interval=interval, by=by, product=product, since=since, until=until)
        rows = report(request.app.state.engine, request.app.state.settings, view, query)
    except EarshotError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {"view": view, "interval": interval, "by": by, "product": product, "since": since, "until": until,
            "rows": rows}
