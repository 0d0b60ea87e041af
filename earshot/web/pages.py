"""HTML pages: the team queue, and what every page's header shows."""

from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from earshot.api.access import QueueWorker, Reader
from earshot.api.deps import SessionDep
from earshot.services.auth import may
from earshot.services.queue import QueueFilter, queue_view
from earshot.services.workload import TEAMS, queue_counts, set_availability

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def http_url(value: str | None) -> str | None:
    """Only http(s) links from collected data reach an href (no javascript: or data: URLs)."""
    return value if value and value.lower().startswith(("https://", "http://")) else None


templates.env.filters["http_url"] = http_url
templates.env.globals["may"] = may
router = APIRouter(include_in_schema=False)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/queue?team=support", status_code=303)


@router.get("/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    session: SessionDep,
    user: Reader,
    team: Annotated[str | None, Query(max_length=32)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    state: Annotated[str | None, Query(max_length=16)] = None,
    platform: Annotated[str | None, Query(max_length=16)] = None,
    product: Annotated[str | None, Query(max_length=64)] = None,
    sentiment: Annotated[str | None, Query(max_length=16)] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    assignee: Annotated[str | None, Query(max_length=64)] = None,
    overdue: bool = False,
    order: Annotated[str | None, Query(pattern="^(urgency|reach)$")] = None,
) -> HTMLResponse:
    per_page = 50
    where = QueueFilter(team=team or None, state=state or None, platform=platform or None, product=product or None,
                        sentiment=sentiment or None, tag=tag or None, assignee=assignee or None, overdue=overdue,
                        order=order or ("reach" if team == "pr" else "urgency"))  # PR's view: reach first
    rows, total = queue_view(session, request.app.state.listing_cache, where=where, limit=per_page,
                             offset=(page - 1) * per_page, reader=user.id)
    filters = {k: v for k, v in where.__dict__.items() if v and k not in ("team", "order")}
    return templates.TemplateResponse(
        request,
        "queue.html",
        {**header_context(session, user), "page_name": "queue", "rows": rows, "team": team, "total": total,
         "page": page, "pages": max(1, -(-total // per_page)), "filters": filters,
         "query": urlencode({**filters, "team": team or "", "order": where.order}), "order": where.order},
    )


def header_context(session: SessionDep, user) -> dict:
    """The navigation's counts (items per team queue, the user's own, links waiting for review) and the user's
    availability; the pages refresh the counts from /api/queue/counts."""
    counts = queue_counts(session, user)
    return {"teams": TEAMS, "counts": counts["teams"], "mine": counts["mine"],
            "links_to_review": counts.get("links_to_review", 0), "available": user.available}


@router.post("/me/availability")
def availability(request: Request, session: SessionDep, user: QueueWorker,
                 available: Annotated[bool, Form()]) -> RedirectResponse:
    """The header's Available / Away switch; back to the page it was pressed on."""
    set_availability(session, user, available=available)
    back = urlsplit(request.headers.get("referer", ""))
    same_site = back.netloc in ("", request.url.netloc) and back.path.startswith("/")
    return RedirectResponse(urlunsplit(("", "", back.path, back.query, "")) if same_site else "/queue",
                            status_code=303)
