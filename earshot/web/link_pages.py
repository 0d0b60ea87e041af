"""HTML pages for link review: proposed author <-> customer links with their evidence, confirm or reject."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from config.errors import EarshotError
from earshot.api.access import CustomerReader, LinkReviewer
from earshot.api.deps import SessionDep
from earshot.services.links import review_page, decide_link
from earshot.web.pages import header_context, templates
from storage.repo.links import LinkNotFound

router = APIRouter(include_in_schema=False)
STATUSES = ("proposed", "auto", "confirmed", "rejected")
PER_PAGE = 50


@router.get("/links", response_class=HTMLResponse)
def links_page(
    request: Request,
    session: SessionDep,
    user: CustomerReader,
    status: Annotated[str, Query(pattern="^(proposed|auto|confirmed|rejected)$")] = "proposed",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    done: Annotated[int | None, Query()] = None,
    error: Annotated[str | None, Query(max_length=300)] = None,
) -> HTMLResponse:
    rows, total = review_page(session, status=status, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return templates.TemplateResponse(
        request, "links.html",
        {**header_context(session, user), "page_name": "links", "rows": rows, "status": status, "statuses": STATUSES,
         "total": total, "page": page, "pages": max(1, -(-total // PER_PAGE)), "done": done, "error": error},
    )


@router.post("/links/{link_id}/{decision}")
def decide_from_page(
    session: SessionDep,
    user: LinkReviewer,
    link_id: Annotated[int, Path()],
    decision: Annotated[str, Path(pattern="^(confirm|reject|unlink)$")],
    note: Annotated[str | None, Form(max_length=500)] = None,
    back: Annotated[str, Form(pattern="^(proposed|auto|confirmed|rejected)$")] = "proposed",
) -> RedirectResponse:
    try:
        decide_link(session, link_id=link_id, decision=decision, actor=user.name, note=note or None)
    except LinkNotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    except EarshotError as exc:
        session.rollback()
        return RedirectResponse(f"/links?status={back}&error={quote(str(exc)[:300])}", status_code=303)
    return RedirectResponse(f"/links?status={back}&done={link_id}", status_code=303)
