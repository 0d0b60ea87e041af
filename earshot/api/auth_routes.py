"""Signing in through the API: an OAuth2 password form in, a bearer token out (and signing out)."""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordRequestForm

from earshot.api.deps import SessionDep
from earshot.services.auth import API_TOKEN_LIFETIME, authenticate
from storage.repo.staff import close_session, open_session

router = APIRouter(prefix="/api", tags=["auth"])


@router.post("/token")
def token(session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, Any]:
    """A bearer token for `Authorization: Bearer TOKEN`, valid for 12 hours."""
    user = authenticate(session, name=form.username, password=form.password)
    if user is None:
        raise HTTPException(401, "wrong user name or password", headers={"WWW-Authenticate": "Bearer"})
    raw, row = open_session(session, user=user, kind="api", lifetime=API_TOKEN_LIFETIME)
    return {"access_token": raw, "token_type": "bearer", "role": user.role,
            "expires_in": int((row.expires_at - datetime.now(UTC)).total_seconds())}


@router.post("/logout", status_code=204)
def logout(request: Request, session: SessionDep) -> None:
    """Revoke the bearer token this request carries."""
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        close_session(session, token=authorization[7:].strip())
