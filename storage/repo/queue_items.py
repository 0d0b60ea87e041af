"""Working a queue item: moves between states (rules in engage/queue.py), notes, and the item's history."""

import re
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from config.errors import EarshotError
from engage.queue import QueueMoveRefused, next_state
from storage.models import AuditEvent, ItemNote, QueueItem
from storage.repo.agents import check_capacity
from storage.repo.staff import find_user
from storage.types import utcnow

MAY_BE_ASSIGNED = ("admin", "pr", "support")


class QueueItemNotFound(EarshotError):
    """No queue item with that id."""


def get_item(session: Session, *, item_id: int) -> QueueItem:
    item = session.get(QueueItem, item_id)
    if item is None:
        raise QueueItemNotFound(f"no queue item {item_id}; list them with `earshot queue list`")
    return item


def move_item(session: Session, *, item_id: int, action: str, actor: str, is_admin: bool = False,
              note: str | None = None, assignee: str | None = None, until: datetime | None = None) -> QueueItem:
    """Apply one action for `actor`; every move is an audit event (who, when, from, to, note)."""
    item = get_item(session, item_id=item_id)
    if action == "claim" and item.assignee and item.assignee != actor:
        raise QueueMoveRefused(f"item {item_id} is {item.assignee}'s; they or an admin can release it")
    target = next_state(action, item.state, assignee=item.assignee)
    before = (item.state, item.assignee)
    if action == "claim":
        item.assignee = actor
    elif action == "assign":
        item.assignee = _assignable(session, assignee)
    elif action == "release":
        if item.assignee != actor and not is_admin:
            raise QueueMoveRefused(f"only {item.assignee} or an admin can release item {item_id}")
        item.assignee = None
    elif action == "snooze":
        if until is None or until <= utcnow():
            raise QueueMoveRefused("say until when to snooze (a time in the future)")
        item.snoozed_until = until
    if action in ("wake", "resolve", "reopen"):
        item.snoozed_until = None
    item.state, item.updated_at = target, utcnow()
    session.add(item)
    detail = {"from": before[0], "to": target}
    if item.assignee != before[1]:
        detail["assignee"] = item.assignee
    if until and action == "snooze":
        detail["until"] = until.isoformat()
    if note:
        detail["note"] = note
    session.add(AuditEvent(actor=actor, action=action, item_id=item.id, at=item.updated_at, detail=detail))
    session.flush()
    return item


def _assignable(session: Session, name: str | None) -> str:
    user = find_user(session, name=name or "")
    if user is None or user.disabled or user.role not in MAY_BE_ASSIGNED:
        raise QueueMoveRefused(f"cannot assign to {name!r}: not an active pr, support or admin user")
    check_capacity(session, user=user)
    return user.name


def add_note(session: Session, *, item_id: int, author: str, text: str) -> ItemNote:
    item = get_item(session, item_id=item_id)
    if not text.strip():
        raise EarshotError("a note needs some text")
    note = ItemNote(item_id=item.id, author=author, text=text.strip())
    session.add(note)
    session.add(AuditEvent(actor=author, action="note", item_id=item.id, at=note.at, detail={}))
    session.flush()
    return note


TAG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
SYSTEM_TAGS = ("awaiting-approval",)  # set and cleared by the approval flow only


def retag(session: Session, *, item_id: int, actor: str, add: list[str], remove: list[str]) -> QueueItem:
    """Add and remove tags (lowercase letters, digits, - and _); the change is an audit event."""
    item = get_item(session, item_id=item_id)
    add = [tag.strip().lower() for tag in add if tag.strip()]
    remove = [tag.strip().lower() for tag in remove if tag.strip()]
    bad = [tag for tag in add if not TAG.match(tag)]
    if bad:
        raise EarshotError(f"tag {bad[0]!r} is not allowed: use up to 40 lowercase letters, digits, - or _")
    system = sorted(set(add + remove) & set(SYSTEM_TAGS))
    if system:
        raise QueueMoveRefused(f"the {system[0]} tag follows the reply's approval; it cannot be set by hand")
    before = set(item.tags)
    after = (before | set(add)) - set(remove)
    if after != before:
        item.tags, item.updated_at = sorted(after), utcnow()
        session.add(item)
        session.add(AuditEvent(actor=actor, action="tags", item_id=item.id, at=item.updated_at, detail={
            "added": sorted(after - before), "removed": sorted(before - after)}))
        session.flush()
    return item


def item_notes(session: Session, *, item_id: int) -> list[ItemNote]:
    return list(session.scalars(select(ItemNote).where(ItemNote.item_id == item_id).order_by(ItemNote.at,
                                                                                             ItemNote.id)))


def item_history(session: Session, *, item_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.item_id == item_id).order_by(AuditEvent.at,
                                                                                                 AuditEvent.id)))
