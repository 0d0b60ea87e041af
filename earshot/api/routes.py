"""JSON API: health, store statistics and the queue."""

from functools import partial
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field
from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from earshot.api.access import Reader
from earshot.api.deps import SessionDep
from earshot.api.query_model import query_parameters, read_query
from earshot.services.queue import QueueFilter, count_queue, list_queue
from config.errors import EarshotError
from earshot.services.routing import explain_post
from earshot.services.stats import store_stats
from storage.engine import session_scope

router = APIRouter()


class QueuePage(BaseModel):
    """A page of a queue view (the fields of each item: `QueueRow` in earshot/services/queue.py)."""

    total: int
    limit: int
    offset: int
    items: list[dict[str, Any]]


@router.get("/healthz", tags=["health"])
async def health() -> dict[str, bool]:
    return {"ok": True}


@router.get("/api/stats", tags=["stats"])
def stats(session: SessionDep, user: Reader) -> dict[str, Any]:
    return store_stats(session)


class QueueQuery(BaseModel):
    """The queue listing's query parameters."""

    model_config = ConfigDict(frozen=True)

    team: str | None = Field(None, max_length=32)
    state: str | None = Field(None, max_length=16)
    platform: str | None = Field(None, max_length=16)
    product: str | None = Field(None, max_length=64, description="A SKU the post mentions.")
    sentiment: str | None = Field(None, pattern="^(negative|neutral|positive)$")
    tag: str | None = Field(None, max_length=64)
    assignee: str | None = Field(None, max_length=64)
    overdue: bool = Field(False, description="Only open items past their due time.")
    order: str = Field("urgency", pattern="^(urgency|reach)$", description="urgency (priority, due time) or reach "
                       "(followers, then most negative): PR's view.")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


@router.get("/api/queue", tags=["queue"], response_model=QueuePage, openapi_extra=query_parameters(QueueQuery))
async def queue(request: Request, user: Reader) -> Response:
    """Queue items, most urgent first, filtered by any of the parameters given. Views are shared between requests
    and re-read once they are `[engage] listing_cache_seconds` (1 s) old; your own changes through the server show
    at once, others' within those seconds."""
    asked = read_query(QueueQuery, request)  # one validation for all of them (see query_model.py)
    limit, offset = asked.limit, asked.offset
    where = QueueFilter(**asked.model_dump(exclude={"limit", "offset"}))
    # the page as JSON is shared (see listing_cache.py): a kept page is answered on the event loop, an old one while
    # it is re-read in the background, a page nobody has read yet is read in the thread pool
    cache, key = request.app.state.listing_cache, ("api", where, limit, offset)
    read = partial(_queue_page, request.app.state.engine, where, limit, offset)
    kept = cache.kept(key, refresh=read, shared=True, reader=user.id)
    body = kept[0] if kept else await run_in_threadpool(partial(cache.get, key, read, shared=True, reader=user.id))
    return Response(body, media_type="application/json")


def _queue_page(engine: Engine, where: QueueFilter, limit: int, offset: int) -> bytes:
    """A page of a queue view as the JSON the API answers, read in a session of its own."""
    with session_scope(engine) as session:
        return orjson.dumps({
            "total": count_queue(session, where=where),
            "limit": limit,
            "offset": offset,
            "items": list_queue(session, where=where, limit=limit, offset=offset),  # dataclasses: orjson writes them
        })


@router.get("/api/posts/{post}/routing", tags=["queue"])
def routing(request: Request, session: SessionDep, user: Reader, post: str) -> dict[str, Any]:
    """Rules explain: the stored decision with its reasons, and each rule in order as the current config tries it.
    `post`: the store's id, or PLATFORM:ID."""
    try:
        return explain_post(session, request.app.state.settings, post=post)
    except EarshotError as exc:
        raise HTTPException(404, str(exc)) from exc
