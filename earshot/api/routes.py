"""JSON API: health, store statistics and the queue."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from earshot.api.access import Reader
from earshot.api.deps import SessionDep
from earshot.services.queue import QueueFilter, count_queue, list_queue
from config.errors import EarshotError
from earshot.services.routing import explain_post
from earshot.services.stats import store_stats

router = APIRouter()


@router.get("/healthz", tags=["health"])
def health() -> dict[str, bool]:
    return {"ok": True}


@router.get("/api/stats", tags=["stats"])
def stats(session: SessionDep, user: Reader) -> dict[str, Any]:
    return store_stats(session)


@router.get("/api/queue", tags=["queue"])
def queue(
    session: SessionDep,
    user: Reader,
    team: Annotated[str | None, Query(max_length=32)] = None,
    state: Annotated[str | None, Query(max_length=16)] = None,
    platform: Annotated[str | None, Query(max_length=16)] = None,
    product: Annotated[str | None, Query(max_length=64, description="A SKU the post mentions.")] = None,
    sentiment: Annotated[str | None, Query(pattern="^(negative|neutral|positive)$")] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    assignee: Annotated[str | None, Query(max_length=64)] = None,
    overdue: Annotated[bool, Query(description="Only open items past their due time.")] = False,
    order: Annotated[str, Query(pattern="^(urgency|reach)$", description="urgency (priority, due time) or reach "
                                "(followers, then most negative): PR's view.")] = "urgency",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Queue items, most urgent first, filtered by any of the parameters given."""
    where = QueueFilter(team=team, state=state, platform=platform, product=product, sentiment=sentiment, tag=tag,
                        assignee=assignee, overdue=overdue, order=order)
    rows = list_queue(session, where=where, limit=limit, offset=offset)
    return {
        "total": count_queue(session, where=where),
        "limit": limit,
        "offset": offset,
        "items": [dict(vars(row)) for row in rows],  # asdict, without its deep copies
    }


@router.get("/api/posts/{post}/routing", tags=["queue"])
def routing(request: Request, session: SessionDep, user: Reader, post: str) -> dict[str, Any]:
    """Rules explain: the stored decision with its reasons, and each rule in order as the current config tries it.
    `post`: the store's id, or PLATFORM:ID."""
    try:
        return explain_post(session, request.app.state.settings, post=post)
    except EarshotError as exc:
        raise HTTPException(404, str(exc)) from exc
