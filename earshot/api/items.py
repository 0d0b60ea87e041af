"""JSON API for one queue item: its detail, claiming it, moving it between states, and notes."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from config.errors import EarshotError
from earshot.api.params import RowId
from earshot.api.access import QueueWorker, Reader
from earshot.api.deps import SessionDep
from earshot.services.canned import canned_replies
from earshot.services.items import act_on_item, item_detail, note_on_item, tag_item
from earshot.services.replying import reply_json, retry_reply, review_reply, send_reply
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


class ReplyText(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)


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
def get_item(session: SessionDep, user: Reader, item_id: RowId) -> dict[str, Any]:
    """The item with its post, thread, author, customer panel, routing reasons, notes and history."""
    return _errors(lambda: item_detail(session, item_id=item_id))


@router.get("/{item_id}/canned")
def canned(request: Request, session: SessionDep, user: Reader, item_id: RowId) -> dict[str, Any]:
    """The canned replies for the item's team, with the customer's name, the product and the case filled in."""
    return {"items": _errors(lambda: canned_replies(session, request.app.state.settings,
                                                    item_detail(session, item_id=item_id)))}


@router.post("/{item_id}/claim")
def claim(session: SessionDep, user: QueueWorker, item_id: RowId, body: Claim | None = None) -> dict[str, Any]:
    return _errors(lambda: act_on_item(session, item_id=item_id, action="claim", user=user,
                                       note=body.note if body else None))


@router.post("/{item_id}/transition")
def transition(session: SessionDep, user: QueueWorker, item_id: RowId, body: Transition) -> dict[str, Any]:
    """Move the item: claim, assign, release, reply, resolve, reopen, snooze, escalate or wake."""
    return _errors(lambda: act_on_item(session, item_id=item_id, action=body.action, user=user, note=body.note,
                                       assignee=body.assignee, until=body.until))


@router.post("/{item_id}/notes")
def add_note(session: SessionDep, user: QueueWorker, item_id: RowId, body: Note) -> dict[str, Any]:
    """An internal note (staff only; never sent)."""
    return _errors(lambda: note_on_item(session, item_id=item_id, user=user, text=body.text))


class Tags(BaseModel):
    add: list[str] = Field(default_factory=list, max_length=20)
    remove: list[str] = Field(default_factory=list, max_length=20)


@router.post("/{item_id}/tags")
def tags(session: SessionDep, user: QueueWorker, item_id: RowId, body: Tags) -> dict[str, Any]:
    """Add and remove tags (lowercase letters, digits, - and _; up to 40 characters)."""
    return _errors(lambda: tag_item(session, item_id=item_id, user=user, add=body.add, remove=body.remove))


@router.post("/{item_id}/replies", status_code=201)
def reply(request: Request, user: QueueWorker, item_id: RowId, body: ReplyText) -> dict[str, Any]:
    """Reply to the post (dry-run unless `[engage] send_mode = "live"`); the item moves to replied once it is out.
    A failed send keeps the reply with the platform's reason (status `failed`); one that got no answer is `unconfirmed`
    (it may have been posted). Retry either: an unconfirmed one is looked for on the platform first, so a reply is
    never sent twice."""
    state = request.app.state
    return _errors(lambda: reply_json(send_reply(state.engine, state.settings, item_id=item_id, user=user,
                                                 text=body.text)))


replies_router = APIRouter(prefix="/api/replies", tags=["queue"])


@replies_router.post("/{reply_id}/retry")
def retry(request: Request, user: QueueWorker, reply_id: RowId) -> dict[str, Any]:
    """Send a failed reply again (only a failed one)."""
    state = request.app.state
    return _errors(lambda: reply_json(retry_reply(state.engine, state.settings, reply_id=reply_id, user=user)))


class Review(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


@replies_router.post("/{reply_id}/approve")
def approve(request: Request, user: QueueWorker, reply_id: RowId, body: Review | None = None) -> dict[str, Any]:
    """Approve a reply awaiting approval (teams with `approve_replies`, PR by default), which sends it. Only a second
    person may: someone of the item's team other than its author, or an admin."""
    state = request.app.state
    return _errors(lambda: reply_json(review_reply(state.engine, state.settings, reply_id=reply_id, user=user,
                                                   approve=True, note=body.note if body else None)))


@replies_router.post("/{reply_id}/reject")
def reject(request: Request, user: QueueWorker, reply_id: RowId, body: Review | None = None) -> dict[str, Any]:
    """Reject a reply awaiting approval (with a note for its author); it is never sent."""
    state = request.app.state
    return _errors(lambda: reply_json(review_reply(state.engine, state.settings, reply_id=reply_id, user=user,
                                                   approve=False, note=body.note if body else None)))
