"""FastAPI dependencies: a session per request on the app's engine."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        with session.begin():
            yield session


# scope="function": committed before the response is sent, so a client acting on it (a new token, a claim) at once
# finds it stored
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
