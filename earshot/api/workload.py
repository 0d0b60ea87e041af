"""JSON API for the signed-in user's own work, and the live counts the pages poll."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from earshot.api.access import QueueWorker, Reader
from earshot.api.deps import SessionDep
from earshot.services.workload import me, queue_counts, set_availability

router = APIRouter(prefix="/api", tags=["queue"])


class Availability(BaseModel):
    available: bool


@router.get("/me")
def who_am_i(session: SessionDep, user: Reader) -> dict[str, Any]:
    """Who is signed in: role, availability for automatic assignment, open items against capacity, teams, skills."""
    return me(session, user)


@router.post("/me/availability")
def availability(session: SessionDep, user: QueueWorker, body: Availability) -> dict[str, Any]:
    """Available: take automatically assigned items (teams with `auto_assign`); away: take none."""
    return set_availability(session, user, available=body.available)


@router.get("/queue/counts")
def counts(session: SessionDep, user: Reader) -> dict[str, Any]:
    """Open items per team queue, the caller's own open items, and links waiting for review (if they may see
    them): what the pages refresh every few seconds."""
    return queue_counts(session, user)
