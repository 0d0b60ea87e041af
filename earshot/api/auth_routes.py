"""Signing in through the API: an OAuth2 password form in, a bearer token out (and signing out)."""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordRequestForm

from earshot.api.deps import SessionDep
from earshot.api.access import client_address
from earshot.services.auth import API_TOKEN_LIFETIME, authenticate
from earshot.services.login_throttle import TooManySignIns, check_allowed, note_failure, note_success
from storage.repo.staff import close_session, open_session

router = APIRouter(prefix="/api", tags=["auth"])


@router.post("/token", responses={429: {"description": "Too many failed sign-ins from this address; see Retry-After."}})
def token(request: Request, session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]
          ) -> dict[str, Any]:
    """A bearer token for `Authorization: Bearer TOKEN`, valid for 12 hours. Failed tries are throttled: five for a
    name from one address within 15 minutes (thirty for any names) and the next answer is 429 until the window ends."""
    engine, address = request.app.state.engine, client_address(request)
    try:
        check_allowed(engine, name=form.username, address=address)
    except TooManySignIns as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": str(exc.retry_after_seconds)}) from None
    user = authenticate(session, name=form.username, password=form.password)
    if user is None:
        session.close()  # it only read: its connection goes back before the failure is written on another
        note_failure(engine, name=form.username, address=address)
        raise HTTPException(401, "wrong user name or password", headers={"WWW-Authenticate": "Bearer"})
    note_success(session, name=form.username, address=address)
    raw, row = open_session(session, user=user, kind="api", lifetime=API_TOKEN_LIFETIME)
    return {"access_token": raw, "token_type": "bearer", "role": user.role,
            "expires_in": int((row.expires_at - datetime.now(UTC)).total_seconds())}


@router.post("/logout", status_code=204)
def logout(request: Request, session: SessionDep) -> None:
    """Revoke the bearer token this request carries."""
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        close_session(session, token=authorization[7:].strip())
