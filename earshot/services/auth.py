"""Signing staff in: argon2 password hashes, tokens for the API, cookie sessions for the web UI, and who may do what."""

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session

from storage.models.staff import StaffUser
from storage.repo.staff import find_user

API_TOKEN_LIFETIME = timedelta(hours=12)
WEB_SESSION_LIFETIME = timedelta(hours=12)
_hasher = PasswordHasher()
_UNKNOWN_USER_HASH = _hasher.hash("no such user: verify anyway, so timing does not tell names apart")

# What each role may do; `admin` may do everything. Routes declare the permission they need (earshot/api/access.py).
PERMISSIONS = {
    "read": {"pr", "support", "analyst"},  # the queue, stats, rules explain
    "customers": {"pr", "support"},  # the customer 360, search, links (personal data)
    "advocates": {"pr", "support", "analyst"},
    "review_links": {"support"},  # confirm / reject author <-> customer links
    "work_queue": {"pr", "support"},  # claim, assign, transition, notes, replies
}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(session: Session, *, name: str, password: str) -> StaffUser | None:
    user = find_user(session, name=name) if "\x00" not in name else None  # no name holds one (nor may, in PostgreSQL)
    try:
        _hasher.verify(user.password_hash if user else _UNKNOWN_USER_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if user and not user.disabled else None


def may(user: StaffUser, permission: str) -> bool:
    return user.role == "admin" or user.role in PERMISSIONS[permission]
