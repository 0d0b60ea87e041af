"""The route stage: evaluate the rules on every post enriched since it was last routed, and queue the matches."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from config.settings import Settings
from engage.rules import compile_rules, decide
from engage.sla import due_time, hours_of
from storage.engine import session_scope
from storage.repo.routing import (attach_to_item, open_item_of_conversation, place_in_queue, posts_due_for_routing,
                                  queue_items_for_posts, save_decisions)
from storage.repo.runs import record_run
from storage.types import utcnow

BATCH = 500


@dataclass
class RouteRun:
    counts: Counter[str] = field(default_factory=Counter)


def route_pending(
    engine: Engine,
    settings: Settings,
    *,
    on_batch: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> RouteRun:
    rules = compile_rules(settings.rules)
    run = RouteRun()
    started = utcnow()
    last_id = 0
    while not should_stop():
        with session_scope(engine) as session:
            batch = posts_due_for_routing(
                session, after_id=last_id, limit=BATCH, own_account=settings.brand.is_own_account
            )
            if not batch:
                break
            now = utcnow()
            existing = queue_items_for_posts(session, post_ids=[facts.post_id for facts in batch])
            decisions = []
            for facts in batch:
                decision = decide(rules, facts)
                rule = decision.rule
                decisions.append({"post_id": facts.post_id, "rule": rule.name,
                                  "team": rule.team if rule.queues else None, "decided_at": now})
                if rule.queues:
                    thread_item = None if facts.post_id in existing else open_item_of_conversation(
                        session, conversation=facts.conversation, post_id=facts.post_id)
                    if thread_item is not None:  # one item per conversation: later posts join the open one
                        outcome = attach_to_item(session, item=thread_item, post_id=facts.post_id,
                                                 priority=rule.priority, rule=rule.name, reasons=decision.reasons,
                                                 now=now)
                    else:
                        outcome = place_in_queue(
                            session, existing=existing.get(facts.post_id), post_id=facts.post_id, team=rule.team,
                            priority=rule.priority, rule=rule.name, reasons=decision.reasons, tags=list(rule.tags),
                            due_at=due_time(now, rule.sla, hours_of(settings, rule.team)), now=now,
                            conversation=facts.conversation,
                        )
                    run.counts[outcome] += 1
                else:
                    run.counts["not_queued"] += 1
            save_decisions(session, rows=decisions)
            run.counts["routed"] += len(batch)
            last_id = batch[-1].post_id
        if on_batch:
            on_batch(len(batch))
    with session_scope(engine) as session:
        record_run(session, stage="route", source="rules", started_at=started, counts=dict(run.counts))
    return run
