"""Replying on a queue item: stored first (committed as `sending`), sent through the platform (or dry-run), then
the outcome recorded and the item moved to `replied`; a failure keeps the reply with the platform's reason."""

from typing import Any

from sqlalchemy import Engine

from config.errors import EarshotError
from config.settings import Settings
from engage.queue import QueueMoveRefused, next_state
from engage.replies import Outgoing, SendFailed, sender_for
from storage.engine import session_scope
from storage.models import AuditEvent, Post, Reply
from storage.repo.queue_items import get_item, move_item
from storage.repo.replies import new_reply, record_outcome, take_for_retry

MAX_LENGTH = {"x": 280, "reddit": 10_000}


def send_reply(engine: Engine, settings: Settings, *, item_id: int, user, text: str) -> Reply:
    text = text.strip()
    with session_scope(engine) as session:
        item = get_item(session, item_id=item_id)
        if item.assignee != user.name and user.role != "admin":
            raise QueueMoveRefused(f"claim item {item_id} before replying (it is {item.assignee or 'nobody'}'s)")
        next_state("reply", item.state, assignee=item.assignee)  # refuses unless assigned or escalated
        post = session.get(Post, item.post_id)
        limit = MAX_LENGTH.get(post.platform, 10_000)
        if not text or len(text) > limit:
            raise EarshotError(f"a reply on {post.platform} needs 1 to {limit} characters (this one has {len(text)})")
        sender = sender_for(settings, post.platform)  # missing credentials: one clear error, nothing stored
        reply = new_reply(session, item_id=item.id, post_id=post.id, author=user.name, text=text,
                          mode=settings.engage.send_mode)
        outgoing = Outgoing(platform=post.platform, in_reply_to=post.external_id, text=text, key=reply.idempotency_key)
        reply_id = reply.id
    return _deliver(engine, sender, outgoing, reply_id, user)


def retry_reply(engine: Engine, settings: Settings, *, reply_id: int, user) -> Reply:
    with session_scope(engine) as session:
        reply = session.get(Reply, reply_id)
        if reply is None:
            raise EarshotError(f"no reply {reply_id}")
        post = session.get(Post, reply.post_id)
        sender = sender_for(settings, post.platform)
        if not take_for_retry(session, reply_id=reply_id):
            raise QueueMoveRefused(f"only a failed reply can be sent again; reply {reply_id} is {reply.status}")
        outgoing = Outgoing(platform=post.platform, in_reply_to=post.external_id, text=reply.text,
                            key=reply.idempotency_key)
    return _deliver(engine, sender, outgoing, reply_id, user)


def _deliver(engine: Engine, sender, outgoing: Outgoing, reply_id: int, user) -> Reply:
    try:
        sent = sender.send(outgoing)
    except SendFailed as exc:
        with session_scope(engine) as session:
            reply = record_outcome(session, reply_id=reply_id, status="failed", error=str(exc))
            session.add(AuditEvent(actor=user.name, action="reply_failed", item_id=reply.item_id,
                                   detail={"reply": reply_id, "error": str(exc)}))
            return reply
    status = "dry_run" if sender.name == "dry-run" else "sent"
    with session_scope(engine) as session:
        reply = record_outcome(session, reply_id=reply_id, status=status, platform_reply_id=sent.platform_reply_id)
        item = get_item(session, item_id=reply.item_id)
        note = f"reply {reply_id} {'not sent (dry-run)' if status == 'dry_run' else 'sent'}: {sent.request}"
        if item.state in ("assigned", "escalated"):
            move_item(session, item_id=item.id, action="reply", actor=user.name, note=note)
        else:
            session.add(AuditEvent(actor=user.name, action="reply", item_id=item.id, detail={"note": note}))
        return reply


def reply_json(reply: Reply) -> dict[str, Any]:
    return {"id": reply.id, "author": reply.author, "text": reply.text, "status": reply.status, "mode": reply.mode,
            "platform_reply_id": reply.platform_reply_id, "error": reply.error, "attempts": reply.attempts,
            "created_at": reply.created_at.isoformat(), "sent_at": reply.sent_at.isoformat() if reply.sent_at else None}
