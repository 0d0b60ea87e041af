"""HTML pages for customers: search, and the customer 360 page."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from earshot.api.access import AdvocateReader, CustomerReader
from earshot.api.deps import SessionDep
from earshot.services.advocacy import advocates_list
from earshot.services.customers import customer_360, find_customers
from earshot.web.pages import header_context, templates
from storage.repo.customers import CustomerNotFound

router = APIRouter(include_in_schema=False)
PER_PAGE = 50


@router.get("/customers", response_class=HTMLResponse)
def customers_page(
    request: Request,
    session: SessionDep,
    user: CustomerReader,
    search: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    rows, total = find_customers(session, search=search, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return templates.TemplateResponse(
        request, "customers.html",
        {**header_context(session, user), "page_name": "customers", "rows": rows, "search": search or "",
         "total": total, "page": page, "pages": max(1, -(-total // PER_PAGE))},
    )


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(request: Request, session: SessionDep, user: CustomerReader, customer_id: str) -> HTMLResponse:
    try:
        view = customer_360(session, external_id=customer_id)
    except CustomerNotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    return templates.TemplateResponse(request, "customer.html",
                                      {**header_context(session, user), "page_name": "customers", **view})


@router.get("/advocates", response_class=HTMLResponse)
def advocates_page(request: Request, session: SessionDep, user: AdvocateReader,
                   days: Annotated[int | None, Query(ge=1, le=3650)] = None) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "advocates.html",
        {**header_context(session, user), "page_name": "advocates",
         "rows": advocates_list(session, days=days, limit=200), "days": days},
    )
