"""`rules explain`: why a post was routed where it was, and what the current rules would do with it now."""

from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from config.errors import EarshotError
from config.settings import Settings
from engage.rules import compile_rules, explain
from storage.models import Post, QueueItem, RouteDecision
from storage.repo.routing import routing_facts_of


def explain_post(session: Session, settings: Settings, *, post: str) -> dict[str, Any]:
    """`post`: the store's post id, or PLATFORM:ID as the platform numbers it (x:1858000000000000101)."""
    post_id = _post_id(session, post)
    facts = routing_facts_of(session, post_id=post_id, own_account=settings.brand.is_own_account)
    if facts is None:
        raise EarshotError(f"post {post} is not enriched yet: run `earshot enrich` first")
    decision = session.get(RouteDecision, post_id)
    item = session.scalar(select(QueueItem).where(QueueItem.post_id == post_id))
    checks = explain(compile_rules(settings.rules), facts)
    return {
        "post_id": post_id,
        "stored": {"rule": decision.rule if decision else None, "team": decision.team if decision else None,
                   "decided_at": decision.decided_at.isoformat() if decision else None,
                   "queue_item": item.id if item else None, "reasons": item.reasons if item else []},
        "now": [asdict(check) for check in checks],
    }


def _post_id(session: Session, post: str) -> int:
    platform, _, external = post.partition(":")
    if external:
        found = session.scalar(select(Post.id).where(Post.platform == platform, Post.external_id == external))
    else:
        found = session.get(Post, int(post)).id if post.isdigit() and session.get(Post, int(post)) else None
    if found is None:
        raise EarshotError(f"no post {post!r}; give the store's id or PLATFORM:ID (e.g. x:1858000000000000101)")
    return found
