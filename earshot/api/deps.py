"""FastAPI dependencies: a session per request on the app's engine (a change committed supersedes the shared queue
views, see earshot/services/listing_cache.py).

The session is made on the event loop (that needs no I/O) and committed or rolled back in the thread pool only if
the request used the store: a request answered from shared views and a shared sign-in never leaves the loop."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import event
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

USED = "used the store"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")  # requests that change nothing


class RequestSession(Session):
    """A session that notes, in `info`, when it first takes a connection."""


@event.listens_for(RequestSession, "after_begin")
def _took_a_connection(session: Session, transaction, connection) -> None:  # noqa: ANN001 - SQLAlchemy's event
    session.info[USED] = True


def _used(session: Session) -> bool:
    """It took a connection, or holds changes not yet flushed."""
    return bool(session.info.get(USED) or session.new or session.dirty or session.deleted)


def _commit(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


async def get_session(request: Request) -> AsyncIterator[Session]:
    session = RequestSession(request.app.state.engine, expire_on_commit=False)
    try:
        yield session
    except BaseException:
        if _used(session):
            await run_in_threadpool(session.close)  # rolls back
        raise
    if _used(session):
        await run_in_threadpool(_commit, session)
    if request.method not in SAFE_METHODS:  # it may have changed the queue (in this session or a service's own,
        # as replies do): views read before it are not served to whoever made it, and to others only for their seconds
        request.app.state.listing_cache.changed(by=getattr(request.state, "user_id", None))


# scope="function": committed before the response is sent, so a client acting on it (a new token, a claim) at once
# finds it stored
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
