"""Automatic assignment: round-robin among available agents of the team, within capacity and skills; a released
item goes back to the team queue and not to the person who released it."""

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from config.settings import TeamSettings
from earshot.cli import app
from engage.assignment import Need, assign_waiting, pick_agent
from engage.router import route_pending
from enrich.pipeline import enrich_pending
from listener.run import collect
from storage.engine import session_scope
from storage.imports.catalog import CatalogEntry, import_catalog
from storage.models import AuditEvent, QueueItem
from storage.repo.agents import AgentLoad, set_agent
from storage.repo.queue_items import move_item
from tests.factories import add_user, replay_line, replay_settings, write_jsonl

AUTO = {"support": TeamSettings(auto_assign=True), "pr": TeamSettings()}


def agent(name: str, *, load: int = 0, capacity: int = 5, languages=(), products=(), last=None) -> AgentLoad:
    return AgentLoad(name=name, capacity=capacity, load=load, languages=frozenset(languages),
                     products=frozenset(products), last_assigned_at=last)


def test_the_next_agent_is_the_one_assigned_longest_ago_with_room_and_skills() -> None:
    from datetime import UTC, datetime

    early, late = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    team = [agent("ann", last=late), agent("bo", last=early), agent("cy", last=None, load=5)]
    assert pick_agent(team, Need("en", frozenset())).name == "bo"  # cy never had one, but is full
    assert pick_agent(team, Need("en", frozenset()), exclude=frozenset({"bo"})).name == "ann"
    swedes = [agent("ann", languages={"sv"}), agent("bo", languages={"en"}, last=early)]
    assert pick_agent(swedes, Need("sv", frozenset())).name == "ann"
    assert pick_agent(swedes, Need("id", frozenset())) is None
    experts = [agent("ann", products={"NV-B1"}), agent("bo", last=late)]
    assert pick_agent(experts, Need(None, frozenset({"NV-A12"}))).name == "bo"
    assert pick_agent(experts, Need(None, frozenset({"NV-B1"}))).name == "ann"


@pytest.fixture
def queue(tmp_path: Path, engine):
    with session_scope(engine) as session:
        import_catalog(session, entries=[CatalogEntry(sku="NV-A12", name="Nordvik Aura 12", aliases=["aura 12"]),
                                         CatalogEntry(sku="NV-B1", name="Nordvik Bolt", aliases=["bolt"])])
    lines = [replay_line(n, text=f"my aura 12 battery died again, so disappointed #{n}",
                         author={"id": f"a{n}", "handle": f"user{n}"}) for n in range(1, 7)]
    lines.append(replay_line(7, text="min bolt är trasig igen, skärmen har spruckit och ingen svarar",
                             lang="sv", author={"id": "a7", "handle": "user7"}))
    settings = replay_settings(tmp_path, [write_jsonl(tmp_path / "posts.jsonl", lines)], teams=AUTO)
    collect(engine, settings)
    enrich_pending(engine, settings)
    route_pending(engine, settings)
    for name in ("ann", "bo", "cy"):
        add_user(engine, name, "support")
    add_user(engine, "pia", "pr")
    return settings


def assignees(engine) -> dict[int, str | None]:
    with session_scope(engine) as session:
        return {item.id: item.assignee for item in session.scalars(select(QueueItem).order_by(QueueItem.id))}


def auto_assign_events(engine) -> list[AuditEvent]:
    with session_scope(engine) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.actor == "auto-assign")))


def test_items_go_round_robin_never_above_capacity_and_by_skill(queue, engine) -> None:
    with session_scope(engine) as session:
        set_agent(session, name="ann", available=True, capacity=2, languages=["en"])
        set_agent(session, name="bo", available=True, capacity=2, languages=["en", "sv"])
        set_agent(session, name="cy", available=False)  # away: gets nothing
        set_agent(session, name="pia", available=True)  # pr: not in the support team
    counts = assign_waiting(engine, queue)
    given = assignees(engine)
    assert len(given) == 7 and counts["assigned"] == 4 and counts["waiting"] == 3
    load = {name: list(given.values()).count(name) for name in ("ann", "bo", "cy", "pia")}
    assert load == {"ann": 2, "bo": 2, "cy": 0, "pia": 0}
    events = auto_assign_events(engine)
    assert all(e.detail["from"] == "new" and e.detail["to"] == "assigned" for e in events)
    assert {e.detail["note"] for e in events} == {"round-robin: 1 of 2 open items", "round-robin: 2 of 2 open items"}
    assert [e.detail["assignee"] for e in events][:2] == ["ann", "bo"]  # neither had one: by name, then in turn
    assert assign_waiting(engine, queue)["assigned"] == 0  # everyone is full: a rerun changes nothing
    with session_scope(engine) as session:
        set_agent(session, name="cy", available=True, capacity=10, languages=["en"])
    assert assign_waiting(engine, queue)["assigned"] == 2  # the English ones; the Swedish one waits for bo
    assert list(assignees(engine).values()).count(None) == 1


def test_a_released_item_returns_to_the_team_queue_and_goes_to_someone_else(queue, engine) -> None:
    with session_scope(engine) as session:
        set_agent(session, name="ann", available=True, capacity=1)
    assign_waiting(engine, queue)
    [(item_id, _)] = [(i, who) for i, who in assignees(engine).items() if who == "ann"]
    with session_scope(engine) as session:
        released = move_item(session, item_id=item_id, action="release", actor="ann")
        assert (released.state, released.assignee) == ("new", None)
        set_agent(session, name="bo", available=True, capacity=1)
    assign_waiting(engine, queue)
    after = assignees(engine)
    assert after[item_id] == "bo"  # the most urgent waiting item, not offered to ann again
    assert list(after.values()).count("ann") == 1


def test_assigning_by_hand_beyond_capacity_is_refused(queue, engine) -> None:
    from engage.queue import QueueMoveRefused

    with session_scope(engine) as session:
        set_agent(session, name="ann", capacity=1)
        first, second = session.scalars(select(QueueItem.id).order_by(QueueItem.id).limit(2))
        move_item(session, item_id=first, action="assign", actor="bo", assignee="ann")
        with pytest.raises(QueueMoveRefused, match="ann already has 1 open items \\(capacity 1\\)"):
            move_item(session, item_id=second, action="assign", actor="bo", assignee="ann")


def test_users_set_and_queue_assign_from_the_cli(queue, engine, tmp_path) -> None:
    config = tmp_path / "earshot.toml"
    config.write_text(f'database_url = "{queue.database_url}"\n[teams.support]\nauto_assign = true\n',
                      encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["--config", str(config), "users", "set", "ann", "--available", "--capacity", "3",
                                 "--languages", "en,SV", "--products", "nv-a12"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "ann (support): available, capacity 3, teams support, languages en/sv, products NV-A12" in said
    result = runner.invoke(app, ["--config", str(config), "queue", "assign"])
    assert result.exit_code == 0, result.output
    assert "support: assigned 3, 4 waiting" in " ".join(result.output.split())
    listed = runner.invoke(app, ["--config", str(config), "users", "list", "--json"])
    ann = next(json.loads(line) for line in listed.stdout.splitlines() if '"ann"' in line)
    assert (ann["available"], ann["capacity"], ann["languages"], ann["products"]) == (True, 3, ["en", "sv"],
                                                                                      ["NV-A12"])
    missing = runner.invoke(app, ["--config", str(config), "users", "set", "zed", "--away"])
    assert missing.exit_code != 0 and "no user 'zed'" in missing.output
