"""Read budgets: posts read from paid APIs, per target and UTC calendar month."""

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from storage.models import ReadUsage
from storage.repo.dialect import upsert_insert
from storage.types import utcnow


def month_of(moment: datetime | None = None) -> str:
    return (moment or utcnow()).strftime("%Y-%m")


def add_reads(session: Session, *, target: str, platform: str, reads: int, month: str | None = None) -> None:
    if reads <= 0:
        return
    statement = upsert_insert(session, ReadUsage.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["target", "month"], set_={"reads": ReadUsage.__table__.c.reads + statement.excluded.reads}
    )
    session.execute(statement, {"target": target, "month": month or month_of(), "platform": platform, "reads": reads})


def reads_this_month(session: Session, *, target: str | None = None, platform: str | None = None) -> int:
    query = select(func.coalesce(func.sum(ReadUsage.reads), 0)).where(ReadUsage.month == month_of())
    if target is not None:
        query = query.where(ReadUsage.target == target)
    if platform is not None:
        query = query.where(ReadUsage.platform == platform)
    return int(session.scalar(query) or 0)


def reads_by_target_this_month(session: Session) -> dict[str, int]:
    rows = session.execute(select(ReadUsage.target, ReadUsage.reads).where(ReadUsage.month == month_of()))
    return {target: reads for target, reads in rows}
