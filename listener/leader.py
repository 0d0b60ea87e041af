"""One scheduler at a time: the process that holds the `scheduler` lease runs the schedule, others stand by.

The leader renews its lease every third of its length. If it cannot (the store is unreachable, or another process
took the lease over after it expired), it stops its schedule before the lease can have run out, and stands by
again; a standby process tries to take the lease as often as the leader renews it, so when a leader dies another
takes over within one lease length ([workers] leader_lease, 30 s by default).
"""

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from time import monotonic

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from storage.engine import session_scope
from storage.repo.leases import give_up_lease, holder_is_gone, lease_holder, take_lease, take_over_lease

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"


class Leadership:
    """Take, renew and give up the scheduler lease as `holder`."""

    def __init__(self, engine: Engine, holder: str, lease: timedelta, name: str = LEASE_NAME) -> None:
        self.engine, self.holder, self.lease, self.name = engine, holder, lease, name
        self.renewed_at: float | None = None  # monotonic time of the last confirmed take or renewal

    @property
    def every(self) -> float:
        return self.lease.total_seconds() / 3

    def take(self) -> bool | None:
        """Take or renew the lease: True when held, False when another holds it, None when the store cannot be
        reached."""
        try:
            with session_scope(self.engine) as session:
                held = take_lease(session, name=self.name, holder=self.holder, duration=self.lease)
                gone = None if held else lease_holder(session, name=self.name)
                if gone is not None and holder_is_gone(gone):  # a leader on this machine that was killed:
                    held = take_over_lease(session, name=self.name, gone=gone, holder=self.holder,
                                           duration=self.lease)  # no need to wait out its lease
        except SQLAlchemyError as exc:
            log.warning("scheduler lease: the store is unreachable (%s)", type(exc).__name__)
            return None
        if held:
            self.renewed_at = monotonic()
        return held

    def still_safe(self) -> bool:
        """Whether this process may go on leading: renewed within two thirds of the lease (so the lease cannot have
        run out and been taken over)."""
        return self.renewed_at is not None and monotonic() - self.renewed_at < 2 * self.every

    def current_holder(self) -> str | None:
        try:
            with session_scope(self.engine) as session:
                return lease_holder(session, name=self.name)
        except SQLAlchemyError:
            return None

    def give_up(self) -> None:
        self.renewed_at = None
        try:
            with session_scope(self.engine) as session:
                give_up_lease(session, name=self.name, holder=self.holder)
        except SQLAlchemyError:
            pass  # it runs out by itself


def lead_when_possible(leadership: Leadership, stop: threading.Event, start: Callable[[], Callable[[], None]],
                       say: Callable[[str], None] = log.info) -> None:
    """Until `stop` is set: stand by until this process holds the lease, then `start()` the schedule (it returns
    the function that stops it) and renew the lease; on losing it, stop the schedule and stand by again."""
    while not stop.is_set():
        if not leadership.take():
            holder = leadership.current_holder()
            say(f"standing by: the schedule is run by {holder}" if holder else "standing by: the store is unreachable")
            while not stop.wait(leadership.every) and not leadership.take():
                pass
            if stop.is_set():
                return
        say(f"leading the schedule as {leadership.holder}")
        stop_schedule = start()
        try:
            while not stop.wait(leadership.every):
                held = leadership.take()
                if held is False or (held is None and not leadership.still_safe()):
                    say("lost the scheduler lease (the store was unreachable too long, or another took over): "
                        "stopping the schedule and standing by")
                    break
        finally:
            stop_schedule()
    leadership.give_up()
