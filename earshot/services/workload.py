"""What the header and the live counts show: items per team queue, links to review, and the signed-in user's own
work (availability, open items against capacity)."""

from typing import Any

from sqlmodel import Session

from earshot.services.auth import may
from earshot.services.queue import count_queue
from storage.repo.agents import open_load, set_agent, teams_of
from storage.repo.links import count_links

TEAMS = ("support", "pr")


def queue_counts(session: Session, user) -> dict[str, Any]:
    counts: dict[str, Any] = {"teams": {name: count_queue(session, team=name) for name in TEAMS},
                              "mine": open_load(session, names=[user.name]).get(user.name, 0)}
    if may(user, "customers"):
        counts["links_to_review"] = count_links(session, status="proposed")
    return counts


def me(session: Session, user) -> dict[str, Any]:
    return {"name": user.name, "role": user.role, "available": user.available, "capacity": user.capacity,
            "open_items": open_load(session, names=[user.name]).get(user.name, 0), "teams": sorted(teams_of(user)),
            "languages": user.languages, "products": user.products}


def set_availability(session: Session, user, *, available: bool) -> dict[str, Any]:
    set_agent(session, name=user.name, available=available)
    return me(session, user)
