"""JSON API for customer links: list, one with its history, and the reviewer's decisions."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from config.errors import EarshotError
from earshot.api.params import RowId
from earshot.api.access import CustomerReader, LinkReviewer
from earshot.api.deps import SessionDep
from earshot.services.links import decide_link, link_detail, link_json, review_page
from storage.repo.links import LinkNotFound

router = APIRouter(prefix="/api/links", tags=["links"])


class Decision(BaseModel):
    note: str | None = Field(default=None, max_length=500, description="Why (kept in the audit trail).")


@router.get("")
def list_links(
    session: SessionDep,
    user: CustomerReader,
    status: Annotated[str, Query(pattern="^(proposed|auto|confirmed|rejected|all)$")] = "proposed",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    rows, total = review_page(session, status=None if status == "all" else status, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "items": [link_json(row) for row in rows]}


@router.get("/{link_id}")
def get_link(session: SessionDep, user: CustomerReader, link_id: RowId) -> dict[str, Any]:
    try:
        return link_detail(session, link_id=link_id)
    except LinkNotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc


@router.post("/{link_id}/{decision}")
def decide(session: SessionDep, user: LinkReviewer, link_id: RowId, decision: str,
           body: Decision | None = None) -> dict[str, Any]:
    """`decision`: confirm, reject or unlink; the signed-in user is the one who decided."""
    try:
        view = decide_link(session, link_id=link_id, decision=decision, actor=user.name,
                           note=body.note if body else None)
    except LinkNotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    except EarshotError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return link_json(view)
