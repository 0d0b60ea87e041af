"""Who works in Earshot: staff users with a role, and their sign-in sessions (API tokens and browser sessions)."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.types import JSONValue, UTCDateTime, utcnow

ROLES = ("admin", "pr", "support", "analyst")


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)
    password_hash: str
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # automatic assignment (engage/assignment.py): who takes work, how much at once, and what they can handle
    available: bool = False
    capacity: int = 10  # open items assigned to them at most
    teams: list[str] = Field(default_factory=list, sa_type=JSONValue)  # beyond their role's own team (pr, support)
    languages: list[str] = Field(default_factory=list, sa_type=JSONValue)  # empty: any language
    products: list[str] = Field(default_factory=list, sa_type=JSONValue)  # SKUs; empty: any product
    last_assigned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StaffSession(SQLModel, table=True):
    """A signed-in session: only the SHA-256 of its token is stored, so a copy of the database signs nobody in."""

    __tablename__ = "staff_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="staff_user.id", index=True)
    kind: str = Field(max_length=8)  # api (bearer token) | web (cookie, with a CSRF token)
    csrf_token: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class LoginFailure(SQLModel, table=True):
    """A failed sign-in, kept for the throttling window (earshot/services/login_throttle.py). The name tried is
    stored as given (lower-cased); never the password."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_name_address_at", "name", "address", "at"),
        Index("ix_login_failure_address_at", "address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    address: str = Field(max_length=64)  # the client's address as the server saw it
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
