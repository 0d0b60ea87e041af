"""The stages through the store: collect -> enrich (with customer links) -> route, idempotent at each step."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config.settings import BrandSettings
from engage.router import route_pending
from enrich.pipeline import enrich_pending
from listener.run import collect
from storage.engine import session_scope
from storage.imports.catalog import CatalogEntry, import_catalog
from storage.imports.customers import import_customers
from storage.models import AuditEvent, CustomerLink, Enrichment, QueueItem, RouteDecision
from tests.factories import replay_line, replay_settings, write_jsonl

POSTS = [
    replay_line(1, text="My Aura 12 battery drains overnight, so disappointed", author={"id": "c1", "handle": "Anna_L"}),
    replay_line(2, text="The Aura 12 is broken and support is useless", author={"id": "big", "handle": "techguru", "followers": 250_000}),
    replay_line(3, text="Does the Aura 12 support eSIM?", author={"id": "q", "handle": "curious"}),
    replay_line(4, text="Sorry to hear that, DM us and we will fix it", author={"id": "us", "handle": "nordvik_support"}),
    replay_line(5, text="Lovely weather today", author={"id": "n", "handle": "someone"}),
]


@pytest.fixture
def flow(tmp_path: Path, engine):
    posts = write_jsonl(tmp_path / "posts.jsonl", POSTS)
    customers = write_jsonl(tmp_path / "customers.jsonl", [
        {"id": "C1", "name": "Anna Lind", "handles": {"x": "@anna_l"}, "products": [{"sku": "NV-A12"}]},
        {"id": "C2", "name": "Bo Ek", "handles": {"x": "bo"}},
    ])
    settings = replay_settings(tmp_path, [posts], brand=BrandSettings(own_accounts={"x": ["nordvik_support"]}))
    with session_scope(engine) as session:
        import_catalog(session, entries=[CatalogEntry(sku="NV-A12", name="Nordvik Aura 12", aliases=["aura 12"])])
    import_customers(engine, customers)
    return settings


def queue(engine) -> dict[str, tuple[str, int, str]]:
    with session_scope(engine) as session:
        rows = session.execute(select(QueueItem.post_id, QueueItem.team, QueueItem.priority, QueueItem.rule)).all()
    return {post_id: (team, priority, rule) for post_id, team, priority, rule in rows}


def test_the_whole_flow(engine, flow) -> None:
    collect(engine, flow)
    enriched = enrich_pending(engine, flow)
    routed = route_pending(engine, flow)
    assert enriched.counts["enriched"] == 5 and enriched.counts["new_links"] == 1
    assert routed.counts["routed"] == 5
    assert queue(engine) == {
        1: ("support", 1, "support-customer-complaint"),
        2: ("pr", 1, "pr-high-reach-negative"),
        3: ("support", 3, "support-question"),
    }
    with session_scope(engine) as session:
        link = session.scalars(select(CustomerLink)).one()
        assert (link.method, link.confidence, link.status) == ("exact_handle", 1.0, "auto")
        item = session.scalars(select(QueueItem).where(QueueItem.post_id == 1)).one()
        assert "author is a known customer" in item.reasons and item.due_at is not None
        events = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert events == ["link.auto", *["queued"] * 3]


def test_every_stage_is_idempotent(engine, flow) -> None:
    for _ in range(2):
        collect(engine, flow)
        enrich_pending(engine, flow)
        route_pending(engine, flow)
    assert len(queue(engine)) == 3
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Enrichment)) == 5
        assert session.scalar(select(func.count()).select_from(CustomerLink)) == 1
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 4  # three queued items and one automatic link


def test_rerun_replaces_enrichment_and_reroutes_without_duplicates(engine, flow) -> None:
    collect(engine, flow)
    enrich_pending(engine, flow)
    route_pending(engine, flow)
    again = enrich_pending(engine, flow, rerun=True)
    rerouted = route_pending(engine, flow)
    assert again.counts["enriched"] == 5
    assert rerouted.counts["routed"] == 5 and rerouted.counts["unchanged"] == 3
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Enrichment)) == 5
        assert session.scalar(select(func.count()).select_from(RouteDecision)) == 5
    assert len(queue(engine)) == 3


def test_routing_does_not_move_an_item_a_person_is_working_on(engine, flow, tmp_path: Path) -> None:
    collect(engine, flow)
    enrich_pending(engine, flow)
    route_pending(engine, flow)
    with session_scope(engine) as session:
        item = session.scalars(select(QueueItem).where(QueueItem.post_id == 3)).one()
        item.state, item.assignee = "assigned", "sam"
    changed = flow.model_copy(update={"rules": [flow.rules[0].model_copy(update={"name": "all-pr", "when": {}, "team": "pr"})]})
    enrich_pending(engine, changed, rerun=True)
    run = route_pending(engine, changed)
    assert run.counts["kept"] == 1 and run.counts["rerouted"] == 2
    assert queue(engine)[3] == ("support", 3, "support-question")
    assert queue(engine)[1] == ("pr", 3, "all-pr")


def test_customer_import_reports_bad_lines_and_upserts(engine, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [
        {"id": "C1", "name": "Anna", "handles": {"x": "anna"}, "cases": [{"id": "K1", "category": "battery"}]},
        "{oops",
        {"id": "C2"},
        {"id": "C3", "name": "Cy", "status": "gone"},
        {"id": "C4", "name": "Di", "colour": "blue"},
    ])
    report = import_customers(engine, path)
    assert report.imported == 1
    assert [p.split(": ", 1)[0] for p in report.problems] == [f"{path}:{n}" for n in (2, 3, 4, 5)]
    assert "name: Field required" in report.problems[1]
    assert "colour: Extra inputs are not permitted" in report.problems[3]
    write_jsonl(path, [{"id": "C1", "name": "Anna B", "handles": {"reddit": "annab"},
                        "cases": [{"id": "K1", "category": "defect"}]}])
    assert import_customers(engine, path).imported == 1
    with session_scope(engine) as session:
        from storage.models import Customer, CustomerHandle, SupportCase

        assert session.scalars(select(Customer.name)).all() == ["Anna B"]
        assert session.execute(select(CustomerHandle.platform, CustomerHandle.handle)).all() == [("reddit", "annab")]
        assert session.scalars(select(SupportCase.category)).all() == ["defect"]


def test_shared_handles_are_proposed_not_linked(engine, tmp_path: Path) -> None:
    posts = write_jsonl(tmp_path / "p.jsonl", [replay_line(1, author={"id": "a", "handle": "twin"})])
    customers = write_jsonl(tmp_path / "c.jsonl", [{"id": "A", "name": "A", "handles": {"x": "twin"}},
                                                   {"id": "B", "name": "B", "handles": {"x": "Twin"}}])
    import_customers(engine, customers)
    settings = replay_settings(tmp_path, [posts])
    collect(engine, settings)
    enrich_pending(engine, settings)
    with session_scope(engine) as session:
        statuses = session.scalars(select(CustomerLink.status)).all()
    assert statuses == ["proposed", "proposed"]
    assert json.loads(json.dumps(statuses))  # plain strings


def test_rerun_of_one_enricher_recomputes_only_its_fields(engine, flow) -> None:
    from enrich.base import enrichers
    from enrich.questions import QuestionEnricher

    collect(engine, flow)
    enrich_pending(engine, flow)
    with session_scope(engine) as session:
        before = {e.post_id: (e.sentiment_label, e.is_complaint, e.is_question, e.versions, e.enriched_at)
                  for e in session.scalars(select(Enrichment))}

    class EveryPostAsks(QuestionEnricher):  # a changed `questions` enricher, version 2
        version = "2"

        def enrich(self, items) -> None:
            for item in items:
                item.result["is_question"] = True

    original = enrichers._by_name["questions"]
    enrichers._by_name["questions"] = EveryPostAsks
    try:
        run = enrich_pending(engine, flow, only=["questions"])
    finally:
        enrichers._by_name["questions"] = original
    assert run.counts["enriched"] == 5
    with session_scope(engine) as session:
        after = {e.post_id: (e.sentiment_label, e.is_complaint, e.is_question, e.versions, e.enriched_at)
                 for e in session.scalars(select(Enrichment))}
    for post_id, (sentiment, complaint, question, versions, enriched_at) in after.items():
        assert (sentiment, complaint) == before[post_id][:2]  # other enrichers' results kept
        assert question is True and versions["questions"] == "2" and versions["sentiment"] == before[post_id][3]["sentiment"]
        assert enriched_at > before[post_id][4]  # so routing looks at it again
    with pytest.raises(Exception, match="not among the configured enrichers"):
        enrich_pending(engine, flow, only=["sarcasm"])
