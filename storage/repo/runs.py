"""Cursors and run statistics: what each stage did, kept so the CLI and tests can show it."""

from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage.models import Cursor, RunStat
from storage.repo.dialect import upsert_insert
from storage.types import utcnow


def load_cursor(session: Session, *, target: str) -> dict[str, Any]:
    cursor = session.get(Cursor, target)
    return dict(cursor.value) if cursor else {}


def save_cursor(session: Session, *, target: str, value: dict[str, Any]) -> None:
    statement = upsert_insert(session, Cursor.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["target"], set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at}
    )
    session.execute(statement, {"target": target, "value": value, "updated_at": utcnow()})


def record_run(
    session: Session,
    *,
    stage: str,
    source: str,
    started_at: datetime,
    counts: dict[str, int],
    error: str | None = None,
) -> RunStat:
    run = RunStat(stage=stage, source=source, started_at=started_at, finished_at=utcnow(), counts=counts, error=error)
    session.add(run)
    return run
