"""The CRM-models stage: every customer whose record, links or linked posts changed gets their lifecycle stage
and churn risk recomputed, a batch of customers per transaction (a rerun does only what is left)."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from crm.churn import churn_risk, reasons_json
from crm.lifecycle import lifecycle
from storage.engine import session_scope
from storage.repo.customer_models import customer_facts, customers_due, save_customer_models
from storage.repo.runs import record_run

BATCH = 500


@dataclass
class RefreshRun:
    counts: Counter = field(default_factory=Counter)
    stages: Counter = field(default_factory=Counter)


def refresh_customers(engine: Engine, *, everyone: bool = False, as_of: datetime | None = None,
                      on_batch: Callable[[int], None] | None = None) -> RefreshRun:
    """`everyone`: all customers (churn risk depends on the date, so run it daily); else only those that changed."""
    run, started, last_id = RefreshRun(), datetime.now(UTC), 0
    now = as_of or started
    while True:
        with session_scope(engine) as session:
            ids = customers_due(session, after_id=last_id, limit=BATCH, changed_only=not everyone)
            if not ids:
                break
            for facts in customer_facts(session, customer_ids=ids):
                transitions = lifecycle(facts)
                risk, reasons = churn_risk(facts, as_of=now)
                save_customer_models(session, customer_id=facts.customer_id, transitions=transitions, risk=risk,
                                     reasons=reasons_json(reasons), refreshed_at=datetime.now(UTC))
                run.stages[transitions[-1].to_stage if transitions else "none"] += 1
                run.counts["at_risk_score"] += risk >= 0.5
            run.counts["refreshed"] += len(ids)
        last_id = ids[-1]
        if on_batch:
            on_batch(len(ids))
    with session_scope(engine) as session:
        record_run(session, stage="crm", source="models", started_at=started, counts=dict(run.counts))
    return run
