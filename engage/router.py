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
from storage.repo.claims import StageClaims
from storage.repo.dialect import one_writer_at_a_time
from storage.repo.leases import new_holder
from storage.repo.routing import (attach_to_item, attachments_of, new_queue_item, open_items_by_conversation,
                                  queue_items_for_posts, queued_event, routing_facts_for,
                                  save_decisions, update_queue_item)
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
    claims = StageClaims(stage=STAGE, holder=holder or new_holder(STAGE), lease=settings.workers.lease)
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
    """Decide each post, queue or attach the matches, and store the decisions, in the caller's transaction. The
    batch's items, attachments and conversations are read in three queries and its new items written in one, so a
    batch costs a handful of round trips, not a few per post."""
    now = utcnow()
    post_ids = [facts.post_id for facts in batch]
    existing = queue_items_for_posts(session, post_ids=post_ids)
    open_items = open_items_by_conversation(
        session, conversations=[facts.conversation for facts in batch if facts.post_id not in existing])
    attached = attachments_of(session, post_ids=post_ids)
    decisions, created, joining = [], [], []
    for facts in batch:
        decision = decide(rules, facts)
        rule = decision.rule
        decisions.append({"post_id": facts.post_id, "rule": rule.name,
                          "team": rule.team if rule.queues else None, "decided_at": now})
        if not rule.queues:
            run.counts["not_queued"] += 1
            continue
        own = existing.get(facts.post_id)
        thread_item = open_items.get(facts.conversation) if own is None and facts.conversation else None
        if thread_item is not None:  # one item per conversation: later posts join the open one
            joining.append((thread_item, facts.post_id, rule, decision.reasons))
            continue
        due_at = due_time(now, rule.sla, hours_of(settings, rule.team))
        if own is not None:
            run.counts[update_queue_item(session, existing=own, team=rule.team, priority=rule.priority,
                                         rule=rule.name, reasons=decision.reasons, tags=list(rule.tags),
                                         due_at=due_at, now=now)] += 1
            continue
        item = new_queue_item(post_id=facts.post_id, team=rule.team, priority=rule.priority, rule=rule.name,
                              reasons=decision.reasons, tags=list(rule.tags), due_at=due_at, now=now,
                              conversation=facts.conversation)
        created.append(item)
        if facts.conversation:
            open_items[facts.conversation] = item
    session.add_all(created)
    session.flush()  # the new items' ids, in one INSERT … RETURNING
    session.add_all([queued_event(item) for item in created])
    run.counts["queued"] += len(created)
    for item, post_id, rule, reasons in joining:
        run.counts[attach_to_item(session, item=item, post_id=post_id, priority=rule.priority, rule=rule.name,
                                  reasons=reasons, now=now, attached=attached)] += 1
    save_decisions(session, rows=decisions)
    run.counts["routed"] += len(batch)
