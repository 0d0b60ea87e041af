"""Replying on a queue item: stored first (committed as `sending`), sent through the platform (or dry-run), then
the outcome recorded and the item moved to `replied`; a failure keeps the reply with the platform's reason.

On a team with `approve_replies` (PR, by default) a reply is stored `awaiting_approval` and the item tagged
`awaiting-approval`; a second person of the team (or an admin) approves it, which sends it, or rejects it."""

from typing import Any

from sqlalchemy import Engine

from config.errors import EarshotError
from config.settings import Settings
from engage.queue import QueueMoveRefused, next_state
from engage.replies import Outgoing, SendFailed, SendUncertain, sender_for
from storage.engine import session_scope
from storage.models import AuditEvent, Post, Reply
from storage.repo.queue_items import get_item, move_item
from storage.repo.agents import teams_of
from storage.repo.replies import (AWAITING, UNCONFIRMED, awaiting_on_item, new_reply, record_outcome, review,
                                  take_for_retry)

MAX_LENGTH = {"x": 280, "reddit": 10_000}
APPROVAL_TAG = "awaiting-approval"


def send_reply(engine: Engine, settings: Settings, *, item_id: int, user, text: str) -> Reply:
    text = text.strip()
    with session_scope(engine) as session:
        item = get_item(session, item_id=item_id)
        if item.assignee != user.name and user.role != "admin":
            raise QueueMoveRefused(f"claim item {item_id} before replying (it is {item.assignee or 'nobody'}'s)")
        next_state("reply", item.state, assignee=item.assignee)  # refuses unless assigned or escalated
        if item.post_id is None:
            raise QueueMoveRefused("an alert has no post of its own to reply to: answer its posts from their items")
        post = session.get(Post, item.post_id)
        limit = MAX_LENGTH.get(post.platform, 10_000)
        if not text or len(text) > limit:
            raise EarshotError(f"a reply on {post.platform} needs 1 to {limit} characters (this one has {len(text)})")
        sender = sender_for(settings, post.platform)  # missing credentials: one clear error, nothing stored
        pending = awaiting_on_item(session, item_id=item.id)
        if pending is not None:
            raise QueueMoveRefused(f"reply {pending.id} on this item is awaiting approval; approve or reject it "
                                   f"first")
        if needs_approval(settings, item.team):
            reply = new_reply(session, item_id=item.id, post_id=post.id, author=user.name, text=text,
                              mode=settings.engage.send_mode, status=AWAITING)
            _tag(item, add=True)
            session.add(AuditEvent(actor=user.name, action="reply_drafted", item_id=item.id, detail={
                "reply": reply.id, "note": f"reply {reply.id} awaits approval by a second person"}))
            return reply
        reply = new_reply(session, item_id=item.id, post_id=post.id, author=user.name, text=text,
                          mode=settings.engage.send_mode)
        outgoing = Outgoing(platform=post.platform, in_reply_to=post.external_id, text=text, key=reply.idempotency_key)
        reply_id = reply.id
    return _deliver(engine, sender, outgoing, reply_id, user)


def needs_approval(settings: Settings, team: str) -> bool:
    return team in settings.teams and settings.teams[team].approve_replies


def review_reply(engine: Engine, settings: Settings, *, reply_id: int, user, approve: bool,
                 note: str | None = None) -> Reply:
    """A second person's decision on a reply awaiting approval: approving sends it (as its author wrote it)."""
    with session_scope(engine) as session:
        reply = session.get(Reply, reply_id)
        if reply is None:
            raise EarshotError(f"no reply {reply_id}")
        item = get_item(session, item_id=reply.item_id)
        if reply.author == user.name:
            raise QueueMoveRefused("a second person must approve a reply: not the one who wrote it")
        if user.role != "admin" and item.team not in teams_of(user):
            raise QueueMoveRefused(f"only someone in the {item.team} team or an admin may approve its replies")
        post = session.get(Post, reply.post_id)
        sender = sender_for(settings, post.platform) if approve else None
        if not review(session, reply_id=reply_id, reviewer=user.name, approve=approve, note=note):
            raise QueueMoveRefused(f"reply {reply_id} is {reply.status}, not awaiting approval")
        _tag(item, add=False)
        verdict = "approved" if approve else "rejected"
        said = f"reply {reply_id} by {reply.author} {verdict}" + (f": {note}" if note else "")
        session.add(AuditEvent(actor=user.name, action=f"reply_{verdict}", item_id=item.id,
                               detail={"reply": reply_id, "note": said}))
        outgoing = Outgoing(platform=post.platform, in_reply_to=post.external_id, text=reply.text,
                            key=reply.idempotency_key)
    if not approve:
        with session_scope(engine) as session:
            return session.get(Reply, reply_id)
    return _deliver(engine, sender, outgoing, reply_id, user)


def _tag(item, *, add: bool) -> None:
    tags = set(item.tags) | {APPROVAL_TAG} if add else set(item.tags) - {APPROVAL_TAG}
    item.tags = sorted(tags)


def retry_reply(engine: Engine, settings: Settings, *, reply_id: int, user) -> Reply:
    with session_scope(engine) as session:
        reply = session.get(Reply, reply_id)
        if reply is None:
            raise EarshotError(f"no reply {reply_id}")
        post = session.get(Post, reply.post_id)
        sender = sender_for(settings, post.platform)
        was = take_for_retry(session, reply_id=reply_id)
        if was is None:
            raise QueueMoveRefused(f"only a failed or unconfirmed reply can be sent again; reply {reply_id} is "
                                   f"{reply.status}")
        outgoing = Outgoing(platform=post.platform, in_reply_to=post.external_id, text=reply.text,
                            key=reply.idempotency_key)
    return _deliver(engine, sender, outgoing, reply_id, user, check_first=was == UNCONFIRMED)


def _deliver(engine: Engine, sender, outgoing: Outgoing, reply_id: int, user, *, check_first: bool = False) -> Reply:
    """Send, and record the outcome. `check_first` (the last attempt got no answer): look on the platform first,
    and record a reply found there as sent instead of posting it a second time."""
    found = None
    try:
        found = sender.find_sent(outgoing) if check_first else None
        sent = found or sender.send(outgoing)
    except SendFailed as exc:
        status = UNCONFIRMED if isinstance(exc, SendUncertain) else "failed"
        with session_scope(engine) as session:
            reply = record_outcome(session, reply_id=reply_id, status=status, error=str(exc))
            session.add(AuditEvent(actor=user.name, action="reply_failed", item_id=reply.item_id,
                                   detail={"reply": reply_id, "error": str(exc), "status": status}))
            return reply
    status = "dry_run" if sender.name == "dry-run" else "sent"
    with session_scope(engine) as session:
        reply = record_outcome(session, reply_id=reply_id, status=status, platform_reply_id=sent.platform_reply_id)
        item = get_item(session, item_id=reply.item_id)
        said = "not sent (dry-run)" if status == "dry_run" else "found already posted" if found else "sent"
        note = f"reply {reply_id} {said}: {sent.request}"
        if item.state in ("assigned", "escalated"):
            move_item(session, item_id=item.id, action="reply", actor=user.name, note=note)
        else:
            session.add(AuditEvent(actor=user.name, action="reply", item_id=item.id, detail={"note": note}))
        return reply


def reply_json(reply: Reply) -> dict[str, Any]:
    return {"id": reply.id, "author": reply.author, "text": reply.text, "status": reply.status, "mode": reply.mode,
            "platform_reply_id": reply.platform_reply_id, "error": reply.error, "attempts": reply.attempts,
            "created_at": reply.created_at.isoformat(), "sent_at": reply.sent_at.isoformat() if reply.sent_at else None,
            "reviewed_by": reply.reviewed_by, "review_note": reply.review_note,
            "reviewed_at": reply.reviewed_at.isoformat() if reply.reviewed_at else None}
