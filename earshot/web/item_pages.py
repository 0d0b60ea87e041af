"""The item page: everything about one queue item, and the forms to work it."""

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from config.errors import EarshotError
from earshot.api.params import RowId
from earshot.api.access import QueueWorker, Reader
from earshot.api.deps import SessionDep
from earshot.services.canned import canned_replies
from earshot.services.items import act_on_item, item_detail, note_on_item, tag_item
from earshot.services.queue import QueueFilter, list_queue
from earshot.services.replying import retry_reply, review_reply, send_reply
from earshot.web.pages import header_context, templates
from engage.queue import MOVES
from storage.repo.queue_items import QueueItemNotFound
from storage.repo.replies import RETRYABLE

router = APIRouter(include_in_schema=False)


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, session: SessionDep, user: Reader, item_id: RowId,
              error: str | None = None, canned: str | None = None) -> HTMLResponse:
    """`canned`: a canned reply's name, filled in and put in the reply box."""
    try:
        view = item_detail(session, item_id=item_id)
    except QueueItemNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    replies = canned_replies(session, request.app.state.settings, view)
    draft = next((r["text"] for r in replies if r["name"] == canned), "")
    waiting = list_queue(session, where=QueueFilter(team=view["item"]["team"], state="new"), limit=2)
    next_item = next((row.id for row in waiting if row.id != item_id), None)
    return templates.TemplateResponse(request, "item.html", {**header_context(session, user), "page_name": "queue",
                                                             **view, "moves": MOVES, "error": error,
                                                             "canned": replies, "chosen": canned, "draft": draft,
                                                             "next_item": next_item, "team": view["item"]["team"]})


@router.post("/items/{item_id}/act")
def act(session: SessionDep, user: QueueWorker, item_id: RowId, action: Annotated[str, Form(max_length=16)],
        note: Annotated[str | None, Form(max_length=2000)] = None,
        assignee: Annotated[str | None, Form(max_length=64)] = None,
        until: Annotated[str | None, Form(max_length=32)] = None) -> RedirectResponse:
    def move() -> None:
        wake_at = datetime.fromisoformat(until).replace(tzinfo=UTC) if until else None
        act_on_item(session, item_id=item_id, action=action, user=user, note=note, assignee=assignee or None,
                    until=wake_at)

    return _back_to_item(session, item_id, move)


@router.post("/items/{item_id}/notes")
def note(session: SessionDep, user: QueueWorker, item_id: RowId,
         text: Annotated[str, Form(max_length=5000)]) -> RedirectResponse:
    return _back_to_item(session, item_id, lambda: note_on_item(session, item_id=item_id, user=user, text=text))


@router.post("/items/{item_id}/tags")
def tags(session: SessionDep, user: QueueWorker, item_id: RowId,
         add: Annotated[str, Form(max_length=400)] = "", remove: Annotated[str | None, Form(max_length=40)] = None
         ) -> RedirectResponse:
    """`add`: tags separated by commas or spaces; `remove`: one tag (the × beside it)."""
    return _back_to_item(session, item_id, lambda: tag_item(session, item_id=item_id, user=user,
                                                            add=add.replace(",", " ").split(),
                                                            remove=[remove] if remove else []))


@router.post("/items/{item_id}/replies")
def reply(request: Request, user: QueueWorker, item_id: RowId,
          text: Annotated[str, Form(max_length=10_000)]) -> RedirectResponse:
    return _sending(item_id, lambda: send_reply(request.app.state.engine, request.app.state.settings,
                                                item_id=item_id, user=user, text=text))


@router.post("/items/{item_id}/replies/{reply_id}/retry")
def retry(request: Request, user: QueueWorker, item_id: RowId, reply_id: RowId) -> RedirectResponse:
    return _sending(item_id, lambda: retry_reply(request.app.state.engine, request.app.state.settings,
                                                 reply_id=reply_id, user=user))


@router.post("/items/{item_id}/replies/{reply_id}/review")
def review(request: Request, user: QueueWorker, item_id: RowId, reply_id: RowId,
           decision: Annotated[str, Form(pattern="^(approve|reject)$")],
           note: Annotated[str | None, Form(max_length=2000)] = None) -> RedirectResponse:
    """A second person approves (sends) or rejects a reply awaiting approval."""
    return _sending(item_id, lambda: review_reply(request.app.state.engine, request.app.state.settings,
                                                  reply_id=reply_id, user=user, approve=decision == "approve",
                                                  note=note or None))


def _back_to_item(session, item_id: int, change) -> RedirectResponse:
    """Make a change in the request's session, then back to the item page (with the reason when it was refused)."""
    try:
        change()
    except QueueItemNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    except (EarshotError, ValueError) as exc:
        session.rollback()
        return _item_page(item_id, error=str(exc))
    return _item_page(item_id)


def _sending(item_id: int, call) -> RedirectResponse:
    """Replies commit in steps of their own (stored, then sent), so there is no request session to roll back."""
    try:
        reply = call()
    except QueueItemNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    except EarshotError as exc:
        return _item_page(item_id, error=str(exc))
    return _item_page(item_id, error=(reply.error or reply.status) if reply.status in RETRYABLE else None)


def _item_page(item_id: int, *, error: str | None = None) -> RedirectResponse:
    query = f"?error={quote(error[:300])}" if error else ""
    return RedirectResponse(f"/items/{item_id}{query}", status_code=303)
