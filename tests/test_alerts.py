"""Alerts end to end: a burst of negative posts about one product becomes one PR queue item carrying the window,
the baseline and the posts driving it; a viral post raises its own; nothing is raised twice."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from analytics.alerts import check_alerts
from earshot.api.app import create_app
from earshot.cli import app
from enrich.pipeline import enrich_pending
from listener.run import collect
from storage.engine import session_scope
from storage.imports.catalog import CatalogEntry, import_catalog
from tests.factories import api_sign_in, replay_line, replay_settings, web_sign_in, write_jsonl

START = datetime(2026, 10, 1, tzinfo=UTC)
CALM = ["nice weather for a walk today", "the aura 12 camera is decent", "new phone day, trying the aura 12"]
BURST = "my aura 12 died after the update, battery drains in an hour, so disappointed and angry"
ALERTS = {"baseline": "rolling", "baseline_windows": 24, "min_volume": 8, "viral_engagement": 20_000}


def post(n: int, at: datetime, text: str, **extra) -> dict:
    return replay_line(n, id=str(5000 + n), text=text, created_at=at.isoformat().replace("+00:00", "Z"),
                       author={"id": f"a{n % 40}", "handle": f"user{n % 40}", "followers": 100 + n}, **extra)


@pytest.fixture
def store(tmp_path, engine):
    with session_scope(engine) as session:
        import_catalog(session, entries=[CatalogEntry(sku="NV-A12", name="Nordvik Aura 12", aliases=["aura 12"])])
    lines, n = [], 0
    for hour in range(48):  # two calm days: 2 posts an hour
        for k in range(2):
            n += 1
            lines.append(post(n, START + timedelta(hours=hour, minutes=10 * k), CALM[n % len(CALM)]))
    burst_hour = START + timedelta(hours=40)
    for k in range(15):
        n += 1
        lines.append(post(n, burst_hour + timedelta(minutes=3 * k), f"{BURST} #{k}"))
    n += 1
    lines.append(post(n, START + timedelta(hours=20), "the aura 12 is a scam, do not buy",
                      metrics={"likes": 30_000, "reposts": 4_000, "replies": 900}))
    settings = replay_settings(tmp_path, [write_jsonl(tmp_path / "posts.jsonl", lines)], alerts=ALERTS)
    collect(engine, settings)
    enrich_pending(engine, settings)
    return settings


def test_a_burst_raises_one_pr_alert_with_its_window_baseline_and_posts(store, engine) -> None:
    counts = check_alerts(engine, store, now=START + timedelta(days=3))
    assert (counts["spikes"], counts["viral"]) == (1, 1)
    assert check_alerts(engine, store, now=START + timedelta(days=3)) == {}  # judged once, raised once
    client = api_sign_in(TestClient(create_app(store, engine)), engine, "pr")
    items = client.get("/api/queue", params={"team": "pr"}).json()["items"]
    assert len(items) == 2
    spike = next(i for i in items if i["rule"] == "alert:spike")
    detail = client.get(f"/api/items/{spike['id']}").json()
    alert = detail["alert"]
    assert (alert["product"], alert["measure"]) == ("NV-A12", "negative")
    assert alert["window_start"].startswith("2026-10-02T16:00") and alert["count"] == 15
    assert alert["baseline"] < 2 and alert["score"] > 3.5
    assert len(alert["posts"]) == 5 and all(BURST in p["text"] for p in alert["posts"])
    assert alert["posts"][0]["followers"] >= alert["posts"][-1]["followers"]  # widest reach first
    assert "Spike in negative posts about NV-A12: 15 in 1 h" in detail["item"]["reasons"][0]
    assert detail["history"][0]["actor"] == "alerts"
    claimed = client.post(f"/api/items/{spike['id']}/claim")  # an alert is worked like any item
    assert claimed.status_code == 200
    reply = client.post(f"/api/items/{spike['id']}/replies", json={"text": "hello"})
    assert reply.status_code == 409 and "no post of its own" in reply.json()["detail"]
    viral = next(i for i in items if i["rule"] == "alert:viral")
    assert "34,900 likes, reposts and replies" in client.get(f"/api/items/{viral['id']}").json()["alert"]["summary"]
    browser = TestClient(create_app(store, engine))
    web_sign_in(browser, engine, "admin")
    page = browser.get(f"/items/{spike['id']}").text
    assert "Posts driving it" in page and "Spike in negative posts about NV-A12" in page


def test_calm_traffic_raises_nothing(tmp_path, engine) -> None:
    lines = [post(n, START + timedelta(minutes=30 * n), CALM[n % len(CALM)]) for n in range(200)]
    settings = replay_settings(tmp_path, [write_jsonl(tmp_path / "calm.jsonl", lines)], alerts=ALERTS)
    collect(engine, settings)
    enrich_pending(engine, settings)
    counts = check_alerts(engine, settings, now=START + timedelta(days=5))
    assert counts["windows"] > 100 and counts["spikes"] == 0 and counts["viral"] == 0


def test_alerts_from_the_cli(store, tmp_path) -> None:
    config = tmp_path / "earshot.toml"
    config.write_text(f'database_url = "{store.database_url}"\n[alerts]\nbaseline = "rolling"\n'
                      f'baseline_windows = 24\nmin_volume = 8\nviral_engagement = 20000\n', encoding="utf-8")
    runner = CliRunner()
    checked = runner.invoke(app, ["--config", str(config), "alerts", "check"])
    assert checked.exit_code == 0, checked.output
    assert "1 spikes and 1 viral posts raised" in " ".join(checked.output.split())
    listed = runner.invoke(app, ["--config", str(config), "alerts", "list", "--json"])
    assert sorted(line.split('"kind": "')[1].split('"')[0] for line in listed.stdout.splitlines()) == ["spike",
                                                                                                     "viral"]
    later = runner.invoke(app, ["--config", str(config), "alerts", "list", "--json", "--since", "2026-10-02"])
    assert [line.split('"kind": "')[1].split('"')[0] for line in later.stdout.splitlines()] == ["spike"]
    bad = config.read_text().replace("baseline_windows = 24", "baseline_windows = 1")
    config.write_text(bad, encoding="utf-8")
    refused = runner.invoke(app, ["--config", str(config), "alerts", "check"])
    assert refused.exit_code == 1 and "alerts.baseline_windows" in refused.output


def test_forgetting_an_author_takes_their_posts_out_of_alerts(store, engine) -> None:
    from sqlalchemy import select

    from earshot.services.privacy import forget
    from storage.models import Alert, Post

    check_alerts(engine, store, now=START + timedelta(days=3))
    with session_scope(engine) as session:
        spike = session.scalars(select(Alert).where(Alert.kind == "spike")).one()
        first = session.get(Post, spike.top_posts[0])
        handle = first.raw["author"]["handle"]
        erased = set(session.scalars(select(Post.id).where(Post.author_id == first.author_id)))
    with session_scope(engine) as session:
        forget(session, actor="admin", author=f"x:{handle}")
    with session_scope(engine) as session:
        after = session.scalars(select(Alert).where(Alert.kind == "spike")).one()
    assert after.count == 15 and not erased & set(after.top_posts) and len(after.top_posts) >= 3
