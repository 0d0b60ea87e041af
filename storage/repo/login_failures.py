"""Failed sign-ins: recorded, counted within a window, forgotten after a success or once old."""

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlmodel import Session

from storage.models import LoginFailure


def record_failure(session: Session, *, name: str, address: str, at: datetime) -> None:
    session.add(LoginFailure(name=name, address=address, at=at))


def failures_since(session: Session, *, since: datetime, address: str,
                   name: str | None = None) -> tuple[int, datetime | None]:
    """How many failures from `address` (for `name`, when given) since then, and the earliest of them."""
    query = select(func.count(), func.min(LoginFailure.at)).where(LoginFailure.address == address,
                                                                 LoginFailure.at >= since)
    if name is not None:
        query = query.where(LoginFailure.name == name)
    count, earliest = session.execute(query).one()
    return count, earliest


def forget_failures(session: Session, *, name: str, address: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.name == name, LoginFailure.address == address))


def drop_failures_before(session: Session, *, before: datetime) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.at < before))
