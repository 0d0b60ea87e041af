"""SLA breaches: open items past their due time are escalated (to the team's lead when one is configured), tagged
`sla-breach`, and listed by `earshot queue sla`."""

from collections import Counter

from sqlalchemy import Engine, select

from config.settings import Settings
from engage.queue import MOVES
from storage.engine import session_scope
from storage.models import AuditEvent, QueueItem
from storage.types import utcnow

BREACH_TAG = "sla-breach"


def escalate_overdue(engine: Engine, settings: Settings) -> Counter:
    """Escalate every item that may still be escalated and is past due; a rerun finds nothing more to do."""
    counts: Counter = Counter()
    now = utcnow()
    with session_scope(engine) as session:
        due = session.scalars(select(QueueItem).where(QueueItem.state.in_(MOVES["escalate"].sources),
                                                     QueueItem.due_at < now).order_by(QueueItem.due_at))
        for item in due:
            lead = (settings.teams.get(item.team).lead if item.team in settings.teams else None)
            before = (item.state, item.assignee)
            item.state, item.updated_at = "escalated", now
            if lead:
                item.assignee = lead
            item.tags = sorted({*item.tags, BREACH_TAG})
            session.add(item)
            session.add(AuditEvent(actor="sla", action="escalate", item_id=item.id, at=now, detail={
                "from": before[0], "to": "escalated", "note": f"past due since {item.due_at.isoformat()}",
                **({"assignee": lead} if lead and lead != before[1] else {})}))
            counts["escalated"] += 1
    return counts
