"""JSON API: health, store statistics and the queue."""

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from earshot.api.access import Reader
from earshot.api.deps import SessionDep
from earshot.services.queue import count_queue, list_queue
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
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    rows = list_queue(session, team=team, state=state, limit=limit, offset=offset)
    return {
        "total": count_queue(session, team=team, state=state),
        "limit": limit,
        "offset": offset,
        "items": [asdict(row) for row in rows],
    }
