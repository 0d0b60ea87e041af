"""JSON API for customers: search, and one customer whole (the customer 360)."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from earshot.api.access import AdvocateReader, CustomerReader
from earshot.api.deps import SessionDep
from earshot.services.advocacy import advocates_list
from earshot.services.customers import customer_360, find_customers
from storage.repo.customers import CustomerNotFound

router = APIRouter(prefix="/api/customers", tags=["customers"])


@router.get("")
def list_customers(
    session: SessionDep,
    user: CustomerReader,
    search: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    rows, total = find_customers(session, search=search, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "items": rows}


@router.get("/{customer_id}")
def get_customer(session: SessionDep, user: CustomerReader, customer_id: str,
                 posts: Annotated[int, Query(ge=0, le=1000)] = 100) -> dict[str, Any]:
    """Record, products owned, support cases, linked and proposed handles, and the linked authors' posts."""
    try:
        return customer_360(session, external_id=customer_id, post_limit=posts)
    except CustomerNotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc


advocates_router = APIRouter(prefix="/api/advocates", tags=["customers"])


@advocates_router.get("")
def list_advocates(
    session: SessionDep,
    user: AdvocateReader,
    days: Annotated[int | None, Query(ge=1, le=3650)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """Authors who recommend our products in posts that are not negative, the widest reach first, with evidence."""
    return {"items": advocates_list(session, days=days, limit=limit)}
