"""SLAs: when an item is due (optionally counting only the team's business hours), and breaches: open items past their
due time are escalated (to the team's lead when one is configured), tagged
`sla-breach`, and listed by `earshot queue sla`."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from config.settings import WEEKDAYS, BusinessHours, Settings
from engage.queue import MOVES
from storage.engine import session_scope
from storage.models import AuditEvent, QueueItem
from storage.types import utcnow

BREACH_TAG = "sla-breach"


def hours_of(settings: Settings, team: str) -> BusinessHours | None:
    return settings.teams[team].business_hours if team in settings.teams else None


def due_time(start: datetime, sla: timedelta | None, hours: BusinessHours | None) -> datetime | None:
    """When an item routed at `start` is due: `sla` later, counting only business hours when the team has them."""
    if sla is None:
        return None
    if hours is None:
        return start + sla
    zone = ZoneInfo(hours.timezone)
    local = start.astimezone(zone)
    remaining = sla
    for _ in range(366 * 8):  # a year of business days covers any sane SLA
        day = local.date()
        if WEEKDAYS[day.weekday()] in hours.days:
            opens = datetime.combine(day, hours.start, tzinfo=zone)
            closes = datetime.combine(day, hours.end, tzinfo=zone)
            begin = max(local, opens)
            if begin < closes:
                if begin + remaining <= closes:
                    return (begin + remaining).astimezone(UTC)
                remaining -= closes - begin
        local = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    raise ValueError(f"an SLA of {sla} does not fit in a year of business hours")


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
