"""JSON API for one queue item: its detail, claiming it, moving it between states, and notes."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from config.errors import EarshotError
from earshot.api.access import QueueWorker, Reader
from earshot.api.deps import SessionDep
from earshot.services.items import act_on_item, item_detail, note_on_item
from engage.queue import MOVES, QueueMoveRefused
from storage.repo.queue_items import QueueItemNotFound

router = APIRouter(prefix="/api/items", tags=["queue"])


class Claim(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


class Transition(BaseModel):
    action: str = Field(description=f"One of: {', '.join(MOVES)}.")
    note: str | None = Field(default=None, max_length=2000)
    assignee: str | None = Field(default=None, max_length=64, description="For `assign`: the user name.")
    until: datetime | None = Field(default=None, description="For `snooze`: when it wakes.")


class Note(BaseModel):
    text: str = Field(min_length=1, max_length=5000)


def _errors(call):
    try:
        return call()
    except QueueItemNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    except QueueMoveRefused as exc:
        raise HTTPException(409, str(exc)) from exc
    except EarshotError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.get("/{item_id}")
def get_item(session: SessionDep, user: Reader, item_id: int) -> dict[str, Any]:
    """The item with its post, thread, author, customer panel, routing reasons, notes and history."""
    return _errors(lambda: item_detail(session, item_id=item_id))


@router.post("/{item_id}/claim")
def claim(session: SessionDep, user: QueueWorker, item_id: int, body: Claim | None = None) -> dict[str, Any]:
    return _errors(lambda: act_on_item(session, item_id=item_id, action="claim", user=user,
                                       note=body.note if body else None))


@router.post("/{item_id}/transition")
def transition(session: SessionDep, user: QueueWorker, item_id: int, body: Transition) -> dict[str, Any]:
    """Move the item: claim, assign, release, reply, resolve, reopen, snooze, escalate or wake."""
    return _errors(lambda: act_on_item(session, item_id=item_id, action=body.action, user=user, note=body.note,
                                       assignee=body.assignee, until=body.until))


@router.post("/{item_id}/notes")
def add_note(session: SessionDep, user: QueueWorker, item_id: int, body: Note) -> dict[str, Any]:
    """An internal note (staff only; never sent)."""
    return _errors(lambda: note_on_item(session, item_id=item_id, user=user, text=body.text))
