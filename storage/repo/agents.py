"""Who can take queue work and how much they already have (for automatic assignment and capacity checks)."""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from config.errors import EarshotError
from engage.queue import OPEN, QueueMoveRefused
from storage.models import AuditEvent, Enrichment, QueueItem, StaffUser
from storage.repo.staff import find_user

TEAM_ROLES = ("pr", "support")  # a user in one of these roles works that team's queue; `teams` adds more


@dataclass(frozen=True)
class AgentLoad:
    name: str
    capacity: int
    load: int  # open items assigned to them
    languages: frozenset[str]
    products: frozenset[str]
    last_assigned_at: datetime | None

    def took_one(self, at: datetime) -> "AgentLoad":
        return replace(self, load=self.load + 1, last_assigned_at=at)

    def save_turn(self, session: Session) -> None:
        user = find_user(session, name=self.name)
        if user is not None and user.last_assigned_at != self.last_assigned_at:
            user.last_assigned_at = self.last_assigned_at
            session.add(user)


@dataclass(frozen=True)
class WaitingItem:
    id: int
    language: str | None
    products: list[str]


def teams_of(user: StaffUser) -> set[str]:
    return set(user.teams) | ({user.role} if user.role in TEAM_ROLES else set())


def set_agent(session: Session, *, name: str, available: bool | None = None, capacity: int | None = None,
              teams: list[str] | None = None, languages: list[str] | None = None,
              products: list[str] | None = None) -> StaffUser:
    """Change how a user takes work; what is not given stays as it is."""
    user = find_user(session, name=name)
    if user is None:
        raise EarshotError(f"no user {name!r}; list them with `earshot users list`")
    if capacity is not None and capacity < 0:
        raise EarshotError(f"capacity must be 0 or more (got {capacity})")
    for field, value in (("available", available), ("capacity", capacity), ("teams", teams),
                         ("languages", [x.lower() for x in languages] if languages is not None else None),
                         ("products", [x.upper() for x in products] if products is not None else None)):
        if value is not None:
            setattr(user, field, value)
    session.add(user)
    session.flush()
    return user


def open_load(session: Session, *, names: list[str]) -> dict[str, int]:
    rows = session.execute(select(QueueItem.assignee, func.count()).where(
        QueueItem.assignee.in_(names), QueueItem.state.in_(OPEN)).group_by(QueueItem.assignee))
    return {name: count for name, count in rows}


def agents_of_team(session: Session, *, team: str) -> list[AgentLoad]:
    """The team's active, available agents with their open load."""
    users = [u for u in session.scalars(select(StaffUser).where(StaffUser.available.is_(True),
                                                                StaffUser.disabled.is_(False)))
             if team in teams_of(u)]
    load = open_load(session, names=[u.name for u in users])
    return [AgentLoad(name=u.name, capacity=u.capacity, load=load.get(u.name, 0),
                      languages=frozenset(x.lower() for x in u.languages),
                      products=frozenset(x.upper() for x in u.products), last_assigned_at=u.last_assigned_at)
            for u in users]


def check_capacity(session: Session, *, user: StaffUser) -> None:
    """Refuse to give someone an item beyond their capacity."""
    load = open_load(session, names=[user.name]).get(user.name, 0)
    if load >= user.capacity:
        raise AtCapacity(f"{user.name} already has {load} open items (capacity {user.capacity}); assign someone "
                         f"else, or raise it with `earshot users set {user.name} --capacity N`")


class AtCapacity(QueueMoveRefused):
    """The agent has as many open items as their capacity allows."""


def waiting_items(session: Session, *, team: str) -> list[WaitingItem]:
    """The team's new, unassigned items, most urgent first (priority, due time, age)."""
    rows = session.execute(
        select(QueueItem.id, Enrichment.language, Enrichment.products)
        .outerjoin(Enrichment, Enrichment.post_id == QueueItem.post_id)
        .where(QueueItem.team == team, QueueItem.state == "new", QueueItem.assignee.is_(None))
        .order_by(QueueItem.priority, QueueItem.due_at.is_(None), QueueItem.due_at, QueueItem.created_at,
                  QueueItem.id))
    return [WaitingItem(id=i, language=language, products=[p.upper() for p in products or ()])
            for i, language, products in rows]


def released_by(session: Session, *, item_ids: list[int]) -> dict[int, frozenset[str]]:
    """Who released each item: it is not offered to them again."""
    found: dict[int, set[str]] = defaultdict(set)
    for chunk in range(0, len(item_ids), 500):
        rows = session.execute(select(AuditEvent.item_id, AuditEvent.actor).where(
            AuditEvent.action == "release", AuditEvent.item_id.in_(item_ids[chunk:chunk + 500])))
        for item_id, actor in rows:
            found[item_id].add(actor)
    return {item_id: frozenset(names) for item_id, names in found.items()}
