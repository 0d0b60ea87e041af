"""FastAPI dependencies: a session per request on the app's engine."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        with session.begin():
            yield session


SessionDep = Annotated[Session, Depends(get_session)]
