"""Reviewing customer links: the list staff work through, one link with its history, and their decisions."""

from dataclasses import asdict
from typing import Any

from sqlmodel import Session

from config.errors import EarshotError
from storage.repo.links import LinkView, count_links, get_link, link_history, list_links, set_link_status

DECISIONS = {"confirm": "confirmed", "reject": "rejected", "unlink": "rejected"}


def review_page(session: Session, *, status: str | None = "proposed", limit: int = 50,
                offset: int = 0) -> tuple[list[LinkView], int]:
    return list_links(session, status=status, limit=limit, offset=offset), count_links(session, status=status)


def link_detail(session: Session, *, link_id: int) -> dict[str, Any]:
    """The link as JSON-ready data, with every audited change of it."""
    view = get_link(session, link_id=link_id)
    history = [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action, **e.detail}
               for e in link_history(session, link_id=link_id)]
    return {**link_json(view), "history": history}


def link_json(view: LinkView) -> dict[str, Any]:
    data = asdict(view)
    for key in ("created_at", "updated_at"):
        data[key] = data[key].isoformat() if data[key] else None
    return data


def decide_link(session: Session, *, link_id: int, decision: str, actor: str, note: str | None = None) -> LinkView:
    """`confirm`, `reject` or `unlink` (a linked pair becomes rejected; confirming it again restores it)."""
    if decision not in DECISIONS:
        raise EarshotError(f"unknown decision {decision!r}; use confirm, reject or unlink")
    if not actor.strip():
        raise EarshotError("say who decides (the reviewer's name): a link decision is audited")
    return set_link_status(session, link_id=link_id, status=DECISIONS[decision], actor=actor.strip(), note=note)
