"""Sign-in throttling: guessing a password through the API or the login form takes years, not minutes.

Failed sign-ins are recorded per user name and client address, in the store, so every server worker counts the
same ones. From one address, `PER_NAME_AND_ADDRESS` failures for one name within `WINDOW` refuse further tries of that
name from there until the window has passed, and `PER_ADDRESS` failures for any names refuse that address
altogether; nobody can lock an agent out from elsewhere. A correct password clears that name's failures from that
address. The check comes before the password is verified, so a refused try says nothing about the password. Behind a
proxy every client has the proxy's address: throttle there too (see SECURITY.md)."""

import math
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from config.errors import EarshotError

from storage.engine import session_scope
from storage.repo.login_failures import drop_failures_before, failures_since, forget_failures, record_failure
from storage.types import utcnow

PER_NAME_AND_ADDRESS = 5
PER_ADDRESS = 30
WINDOW = timedelta(minutes=15)


class TooManySignIns(EarshotError):
    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        minutes = max(1, math.ceil(retry_after_seconds / 60))
        super().__init__(f"too many failed sign-ins from here: try again in {minutes} minute{'s' * (minutes != 1)}")


def check_allowed(engine: Engine, *, name: str, address: str, now: datetime | None = None) -> None:
    """Raises TooManySignIns when this name from this address, or this address, has failed too often lately."""
    now = now or utcnow()
    since = now - WINDOW
    with session_scope(engine) as session:
        for count, earliest, limit in (
            (*failures_since(session, since=since, address=_address(address), name=_name(name)), PER_NAME_AND_ADDRESS),
            (*failures_since(session, since=since, address=_address(address)), PER_ADDRESS),
        ):
            if count >= limit:
                raise TooManySignIns(max(1, int((earliest + WINDOW - now).total_seconds())))


def note_failure(engine: Engine, *, name: str, address: str, now: datetime | None = None) -> None:
    """Recorded in a transaction of its own: the failed request's own is rolled back. Close that one first (it only
    read), so a sign-in never holds two pooled connections at once."""
    now = now or utcnow()
    with session_scope(engine) as session:
        record_failure(session, name=_name(name), address=_address(address), at=now)
        drop_failures_before(session, before=now - WINDOW)


def note_success(session: Session, *, name: str, address: str) -> None:
    """In the sign-in's own transaction, committed with the new session."""
    forget_failures(session, name=_name(name), address=_address(address))


def _name(name: str) -> str:
    return name.strip().lower()[:64]


def _address(address: str | None) -> str:
    return (address or "unknown")[:64]
