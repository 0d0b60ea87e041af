"""Lifecycle and churn risk: the rules on hand-made histories, and the refresh stage over the store."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from crm.churn import churn_risk
from crm.facts import CaseFact, CustomerFacts, PostFact, PurchaseFact
from crm.lifecycle import lifecycle
from crm.refresh import refresh_customers
from earshot.cli import app
from enrich.pipeline import enrich_pending
from listener.run import collect
from storage.engine import session_scope
from storage.imports.customers import import_customers
from storage.models import Customer, LifecycleTransition
from tests.factories import replay_line, replay_settings, write_jsonl

NOW = datetime(2026, 11, 20, tzinfo=UTC)


def at(days_ago: float) -> datetime:
    return NOW - timedelta(days=days_ago)


def stages(facts: CustomerFacts) -> list[str]:
    return [t.to_stage for t in lifecycle(facts)]


def test_purchases_make_a_customer_then_a_repeat_customer() -> None:
    facts = CustomerFacts(1, purchases=(PurchaseFact("NV-A12", date(2025, 1, 5)),
                                        PurchaseFact("NV-PB2", date(2026, 2, 1))))
    history = lifecycle(facts)
    assert [(t.from_stage, t.to_stage, t.cause, t.reference) for t in history] == [
        (None, "customer", "purchase", "NV-A12"), ("customer", "repeat_customer", "purchase", "NV-PB2")]


def test_a_prospect_becomes_a_customer_then_an_advocate_from_posts() -> None:
    posts = (PostFact(1, at(30), purchase_stage="considering", products=("NV-H3",)),
             PostFact(2, at(20), purchase_stage="purchased", products=("NV-H3",)),
             PostFact(3, at(5), is_referral=True, purchase_stage="recommending", products=("NV-H3",)))
    history = lifecycle(CustomerFacts(1, posts=posts))
    assert [(t.to_stage, t.post_id) for t in history] == [("prospect", 1), ("customer", 2), ("advocate", 3)]
    assert history[2].reason == "recommended NV-H3"


def test_a_post_about_a_purchase_the_crm_has_is_not_counted_twice() -> None:
    facts = CustomerFacts(1, purchases=(PurchaseFact("NV-A12", (NOW - timedelta(days=3)).date()),),
                          posts=(PostFact(1, at(1), purchase_stage="purchased", products=("NV-A12",)),))
    assert stages(facts) == ["customer"]


def test_at_risk_and_recovery_and_churn_from_the_crm() -> None:
    bought = (PurchaseFact("NV-A12", date(2025, 6, 1)),)
    switching = PostFact(1, at(10), sentiment="negative", is_churn=True, competitor="Zentro")
    happy = PostFact(2, at(2), sentiment="positive")
    history = lifecycle(CustomerFacts(1, purchases=bought, posts=(switching, happy)))
    assert [(t.to_stage, t.reason) for t in history][1:] == [
        ("at_risk", "said they are leaving or switching to Zentro"), ("customer", "a positive post after the trouble")]
    one_complaint = PostFact(3, at(9), is_complaint=True, sentiment="negative")
    assert stages(CustomerFacts(1, purchases=bought, posts=(one_complaint,))) == ["customer"]
    two = (one_complaint, PostFact(4, at(3), is_complaint=True, sentiment="negative"))
    assert stages(CustomerFacts(1, purchases=bought, posts=two))[-1] == "at_risk"
    churned = CustomerFacts(1, status="churned", status_at=NOW, purchases=bought)
    assert [(t.to_stage, t.cause) for t in lifecycle(churned)][-1] == ("churned", "crm_status")
    assert stages(CustomerFacts(1, status_at=NOW)) == ["prospect"]  # in the CRM, nothing bought


def test_churn_risk_rises_with_reasons_and_says_why() -> None:
    calm, calm_reasons = churn_risk(CustomerFacts(1, purchases=(PurchaseFact("NV-A12", date(2026, 6, 1)),)), as_of=NOW)
    assert calm_reasons == [] and calm < 0.2
    angry = CustomerFacts(
        1, purchases=(PurchaseFact("NV-A12", date(2025, 6, 1)),),
        cases=(CaseFact("CASE-1", "NV-A12", "battery", date(2026, 11, 1), None),),
        posts=(PostFact(1, at(60), sentiment="positive"),
               PostFact(2, at(10), sentiment="negative", is_complaint=True),
               PostFact(3, at(3), sentiment="negative", is_churn=True, competitor="Zentro")))
    risk, reasons = churn_risk(angry, as_of=NOW)
    assert risk > 0.8
    factors = {r.factor: r for r in reasons}
    assert set(factors) == {"switching", "competitor", "negative_posts", "complaints", "open_cases",
                            "falling_sentiment", "lapsed"}
    assert factors["switching"].post_ids == (3,) and "CASE-1" in factors["open_cases"].detail
    assert reasons[0].factor == "switching"  # strongest first
    old_news = CustomerFacts(1, posts=(PostFact(3, at(200), is_churn=True),))
    assert churn_risk(old_news, as_of=NOW)[1] == []  # outside the 90-day window


CRM = [
    {"id": "C1", "name": "Ann", "handles": {"x": "ann"}, "products": [{"sku": "NV-A12", "purchased_at": "2026-01-10"}]},
    {"id": "C2", "name": "Bo", "status": "churned", "products": [{"sku": "NV-H3", "purchased_at": "2024-01-10"}]},
]


def test_refresh_stage_stores_stages_transitions_and_only_redoes_what_changed(tmp_path: Path, engine) -> None:
    import_customers(engine, write_jsonl(tmp_path / "crm.jsonl", CRM))
    posts = write_jsonl(tmp_path / "posts.jsonl", [
        replay_line(1, text="switching to Zentro, done with nordvik", author={"id": "a", "handle": "ann"})])
    settings = replay_settings(tmp_path, [posts])
    collect(engine, settings)
    enrich_pending(engine, settings)
    first = refresh_customers(engine)
    assert first.counts["refreshed"] == 2 and first.stages == {"at_risk": 1, "churned": 1}
    with session_scope(engine) as session:
        ann = session.scalar(select(Customer).where(Customer.external_id == "C1"))
        assert ann.lifecycle_stage == "at_risk" and ann.churn_risk > 0.5
        assert any(r["factor"] == "switching" for r in ann.churn_reasons)
        causes = session.scalars(select(LifecycleTransition.cause).where(LifecycleTransition.customer_id == ann.id)
                                 .order_by(LifecycleTransition.at)).all()
        assert causes == ["purchase", "post"]
    assert refresh_customers(engine).counts["refreshed"] == 0  # nothing changed
    refreshed = CliRunner().invoke(app, ["--config", str(tmp_path / "earshot.toml"), "customers", "refresh", "--all"],
                                   env={"EARSHOT_DATABASE_URL": settings.database_url})
    assert refreshed.exit_code == 0, refreshed.output
    said = " ".join(refreshed.output.split())
    assert "customers refreshed: 2 (stages: at_risk 1, churned 1; churn risk ≥ 0.5: 1)" in said
    with session_scope(engine) as session:  # recomputed whole: no duplicated history (two moves each)
        assert len(session.scalars(select(LifecycleTransition)).all()) == 4
    result = CliRunner().invoke(app, ["--config", str(tmp_path / "earshot.toml"), "eval", "churn", "--json"],
                                env={"EARSHOT_DATABASE_URL": settings.database_url})
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["customers"] == 2 and figures["churned"] == 1 and 0.0 <= figures["auc"] <= 1.0
