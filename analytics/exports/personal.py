"""Personal fields in an export: who may include them (an active admin or analyst), and the audit record of each
such export, written before its first row so that even an interrupted export is on record."""

from typing import Any

from sqlmodel import Session

from analytics.exports import ExportError
from storage.models.engagement import AuditEvent
from storage.models.staff import StaffUser
from storage.repo.staff import find_user
from storage.types import utcnow

PERSONAL_ROLES = ("admin", "analyst")
ACTION = "export_personal"


def personal_exporter(session: Session, *, actor: str | None) -> StaffUser:
    """The staff user `actor`, when they may export personal fields; otherwise an ExportError saying why not."""
    refused = f"personal fields are exported only by an active staff user with role {' or '.join(PERSONAL_ROLES)}"
    if not actor or not actor.strip():
        raise ExportError(f"{refused}: say who exports (--as NAME)")
    user = find_user(session, name=actor)
    if user is None:
        raise ExportError(f"{refused}: {actor!r} is not a staff user (name one with --as NAME)")
    if user.disabled:
        raise ExportError(f"{refused}: {user.name!r} is disabled")
    if user.role not in PERSONAL_ROLES:
        raise ExportError(f"{refused}: {user.name!r} is {user.role}")
    return user


def record_personal_export(session: Session, *, actor: str, detail: dict[str, Any]) -> int:
    """An `export_personal` audit event (detail: kind, format, filters, rows, file); returns its id."""
    event = AuditEvent(actor=actor, action=ACTION, at=utcnow(), detail={**detail, "completed": False})
    session.add(event)
    session.flush()
    return event.id


def complete_personal_export(session: Session, *, event_id: int, rows: int) -> None:
    """The export finished: the rows actually written."""
    event = session.get(AuditEvent, event_id)
    event.detail = {**event.detail, "rows": rows, "completed": True}
    session.add(event)
