"""Staff users and their sessions (keyword-only, like every repository function)."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlmodel import Session

from config.errors import EarshotError
from storage.models.staff import ROLES, StaffSession, StaffUser
from storage.types import utcnow


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user(session: Session, *, name: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.name == name.strip().lower()))


def save_user(session: Session, *, name: str, role: str, password_hash: str) -> StaffUser:
    """Add a user, or change an existing user's role and password."""
    if role not in ROLES:
        raise EarshotError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    user = find_user(session, name=name) or StaffUser(name=name.strip().lower(), role=role, password_hash="")
    user.role, user.password_hash, user.disabled = role, password_hash, False
    session.add(user)
    session.flush()
    return user


def list_users(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.name)))


def disable_user(session: Session, *, name: str) -> None:
    user = find_user(session, name=name)
    if user is None:
        raise EarshotError(f"no user {name!r}; list them with `earshot users list`")
    user.disabled = True
    session.add(user)
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))


def open_session(session: Session, *, user: StaffUser, kind: str, lifetime: timedelta) -> tuple[str, StaffSession]:
    """A new random token (returned once, stored only as its hash), with a CSRF token for browser sessions."""
    token = secrets.token_urlsafe(32)
    row = StaffSession(token_hash=token_hash(token), user_id=user.id, kind=kind,
                       csrf_token=secrets.token_urlsafe(32) if kind == "web" else None,
                       expires_at=utcnow() + lifetime)
    session.add(row)
    session.flush()
    return token, row


def session_of(session: Session, *, token: str, kind: str, now: datetime | None = None
               ) -> tuple[StaffUser, StaffSession] | None:
    found = session.execute(select(StaffUser, StaffSession).join(StaffSession, StaffSession.user_id == StaffUser.id)
                            .where(StaffSession.token_hash == token_hash(token))).first()  # one query: every request
    if found is None:
        return None
    user, row = found
    if row.kind != kind or row.expires_at <= (now or utcnow()) or user.disabled:
        return None
    return user, row


def close_session(session: Session, *, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash(token)))
