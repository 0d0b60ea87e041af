"""The route stage: evaluate the rules on every post enriched since it was last routed, and queue the matches."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import Session

from config.settings import Settings
from engage.facts import RoutingFacts
from engage.rules import Rule, compile_rules, decide
from engage.sla import due_time, hours_of
from storage.engine import session_scope
from storage.repo.claims import ClaimWalk
from storage.repo.dialect import one_writer_at_a_time
from storage.repo.leases import new_holder
from storage.repo.routing import (attach_to_item, open_item_of_conversation, place_in_queue, posts_to_route,
                                  queue_items_for_posts, routing_facts_for, save_decisions)
from storage.repo.runs import record_run
from storage.types import utcnow

BATCH = 500
STAGE = "route"


@dataclass
class RouteRun:
    counts: Counter[str] = field(default_factory=Counter)


def route_pending(
    engine: Engine,
    settings: Settings,
    *,
    on_batch: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    holder: str | None = None,
) -> RouteRun:
    """Route every post due (storage/repo/routing.py), claimed batch by batch as `holder` so that several route
    workers share the work; their writes take turns (one transaction at a time on PostgreSQL), because two posts of
    one conversation routed side by side would each open an item."""
    rules = compile_rules(settings.rules)
    run = RouteRun()
    started = utcnow()
    claims = ClaimWalk(stage=STAGE, due=posts_to_route, holder=holder or new_holder(STAGE),
                       lease=settings.workers.lease)
    try:
        while not should_stop():
            with session_scope(engine) as session:
                claimed = claims.next_ids(session, BATCH)
            if not claimed:
                break
            with session_scope(engine) as session:
                one_writer_at_a_time(session, STAGE)
                held = claims.keep_held(session, claimed)
                batch = routing_facts_for(session, post_ids=sorted(held), own_account=settings.brand.is_own_account)
                _route_batch(session, batch, rules, settings, run)
            if on_batch:
                on_batch(len(batch))
    finally:
        claims.give_back(engine)
    if claims.lost:
        run.counts["lease_lost"] = claims.lost
    with session_scope(engine) as session:
        record_run(session, stage="route", source="rules", started_at=started, counts=dict(run.counts))
    return run


def _route_batch(session: Session, batch: list[RoutingFacts], rules: list[Rule], settings: Settings,
                 run: RouteRun) -> None:
    """Decide each post, queue or attach the matches, and store the decisions, in the caller's transaction."""
    now = utcnow()
    existing = queue_items_for_posts(session, post_ids=[facts.post_id for facts in batch])
    decisions = []
    for facts in batch:
        decision = decide(rules, facts)
        rule = decision.rule
        decisions.append({"post_id": facts.post_id, "rule": rule.name,
                          "team": rule.team if rule.queues else None, "decided_at": now})
        if not rule.queues:
            run.counts["not_queued"] += 1
            continue
        thread_item = None if facts.post_id in existing else open_item_of_conversation(
            session, conversation=facts.conversation, post_id=facts.post_id)
        if thread_item is not None:  # one item per conversation: later posts join the open one
            outcome = attach_to_item(session, item=thread_item, post_id=facts.post_id, priority=rule.priority,
                                     rule=rule.name, reasons=decision.reasons, now=now)
        else:
            outcome = place_in_queue(
                session, existing=existing.get(facts.post_id), post_id=facts.post_id, team=rule.team,
                priority=rule.priority, rule=rule.name, reasons=decision.reasons, tags=list(rule.tags),
                due_at=due_time(now, rule.sla, hours_of(settings, rule.team)), now=now,
                conversation=facts.conversation,
            )
        run.counts[outcome] += 1
    save_decisions(session, rows=decisions)
    run.counts["routed"] += len(batch)
