"""Named leases (one holder at a time, taken over once expired): the scheduler leader, a collection target."""

import os
import secrets
import socket
from datetime import timedelta

from sqlalchemy import delete, or_
from sqlmodel import Session

from storage.models import Lease
from storage.repo.dialect import upsert_insert
from storage.types import utcnow

_LEASES = Lease.__table__


def take_lease(session: Session, *, name: str, holder: str, duration: timedelta, renew: bool = True) -> bool:
    """Take or renew `name` for `holder`; True when it holds it now (nobody else held it, or their lease ran out).
    With `renew=False` a lease is taken only once expired, even from this holder (a lease kept as "not before")."""
    now = utcnow()
    free = _LEASES.c.expires_at < now
    statement = upsert_insert(session, _LEASES).values(name=name, holder=holder, expires_at=now + duration)
    statement = statement.on_conflict_do_update(
        index_elements=["name"],
        set_={"holder": statement.excluded.holder, "expires_at": statement.excluded.expires_at},
        where=or_(_LEASES.c.holder == holder, free) if renew else free,
    ).returning(_LEASES.c.holder)
    return session.scalar(statement) == holder


def give_up_lease(session: Session, *, name: str, holder: str) -> None:
    session.execute(delete(_LEASES).where(_LEASES.c.name == name, _LEASES.c.holder == holder))


def lease_holder(session: Session, *, name: str) -> str | None:
    lease = session.get(Lease, name)
    return lease.holder if lease is not None and lease.expires_at >= utcnow() else None


def new_holder(role: str) -> str:
    """A name for this process's claims and leases: machine, process id and a random tag (process ids are reused)."""
    return f"{role}@{_this_machine()}:{os.getpid()}:{secrets.token_hex(3)}"[:100]


def holder_is_gone(holder: str) -> bool:
    """Whether `holder` (a new_holder name) was a process on this machine that has exited: a lease it held need
    not be waited out. Only ever True for this machine (host name and process namespace): a holder elsewhere
    may be alive, and its lease is left to run out."""
    machine, _, rest = holder.partition("@")[2].partition(":")  # role@machine:pid:tag (a machine has no ":")
    pid_text = rest.partition(":")[0]
    if machine != _this_machine() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)  # no signal: only whether the process exists
    except ProcessLookupError:
        return True
    except OSError:
        return False  # exists, owned by someone else
    return False


def take_over_lease(session: Session, *, name: str, gone: str, holder: str, duration: timedelta) -> bool:
    """Take `name` from `gone` (a holder that has exited) before its lease runs out; False if it changed hands."""
    result = session.execute(_LEASES.update().where(_LEASES.c.name == name, _LEASES.c.holder == gone)
                             .values(holder=holder, expires_at=utcnow() + duration))
    return result.rowcount == 1


def _this_machine() -> str:
    """The host name, with the process namespace where there is one (two containers may share a host name)."""
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return socket.gethostname()
    return f"{socket.gethostname()}~{namespace}"
