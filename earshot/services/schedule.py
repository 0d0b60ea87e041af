"""The last run of each stage and target, for `earshot schedule list`."""

from sqlalchemy import func, select
from sqlmodel import Session

from storage.models import RunStat


def last_runs(session: Session) -> dict[str, RunStat]:
    """The newest RunStat per source (a target name, or "pipeline"/"rules" for enrich/route)."""
    newest = select(RunStat.source, func.max(RunStat.id).label("id")).group_by(RunStat.source).subquery()
    rows = session.scalars(select(RunStat).join(newest, newest.c.id == RunStat.id))
    return {run.source: run for run in rows}
