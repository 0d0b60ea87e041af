"""Segments export only consented customers matching every filter; the advocates list with its evidence."""

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from crm.refresh import refresh_customers
from earshot.api.app import create_app
from earshot.cli import app
from enrich.pipeline import enrich_pending
from listener.run import collect
from storage.imports.customers import import_customers
from tests.factories import web_sign_in, replay_line, replay_settings, write_jsonl

CRM = [
    {"id": "C1", "name": "Ann Lee", "email": "ann@example.com", "country": "SE", "segment": "premium",
     "consent": {"marketing": True}, "handles": {"x": "ann"},
     "products": [{"sku": "NV-A12", "purchased_at": "2026-01-10", "channel": "online"}]},
    {"id": "C2", "name": "Bo Ek", "country": "SE", "consent": {"marketing": False}, "handles": {"x": "bo"},
     "products": [{"sku": "NV-A12", "purchased_at": "2026-02-10", "channel": "retail"}]},
    {"id": "C3", "name": "Cy Ng", "country": "ID", "consent": {"marketing": True},
     "products": [{"sku": "NV-H3", "purchased_at": "2026-03-10", "channel": "online"}]},
]


@pytest.fixture
def store(tmp_path: Path, engine):
    import_customers(engine, write_jsonl(tmp_path / "crm.jsonl", CRM))
    posts = write_jsonl(tmp_path / "posts.jsonl", [
        replay_line(1, text="I love my aura 12, highly recommend it to everyone! <b>10/10</b>",
                    author={"id": "a", "handle": "ann", "followers": 5000, "bio": "28 y/o · she/her"}),
        replay_line(2, text="my aura 12 is great, you should get one", author={"id": "b", "handle": "bo",
                                                                             "followers": 100}),
        replay_line(3, text="can't recommend the aura 12, awful and broken, avoid", author={"id": "c", "handle": "cc",
                                                                                          "followers": 90000}),
    ])
    settings = replay_settings(tmp_path, [posts])
    collect(engine, settings)
    enrich_pending(engine, settings)
    refresh_customers(engine)
    return settings


def run(store, tmp_path, *args: str):
    return CliRunner().invoke(app, ["--config", str(tmp_path / "earshot.toml"), *args],
                              env={"EARSHOT_DATABASE_URL": store.database_url})


def test_segment_export_keeps_to_consent_and_filters(store, tmp_path) -> None:
    result = run(store, tmp_path, "segments", "export", "--product", "NV-A12")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == ["C1"]  # C2 owns one too, without marketing consent
    assert "1 more matched but their marketing consent does not allow it" in " ".join(result.stderr.split())
    assert rows[0]["products"] == "NV-A12" and rows[0]["lifecycle_stage"] == "advocate"
    assert rows[0]["sentiment"] == "positive" and rows[0]["bought_via"] == "online"
    out = tmp_path / "seg.jsonl"
    result = run(store, tmp_path, "segments", "export", "--country", "ID", "--format", "jsonl", "--out", str(out))
    assert result.exit_code == 0 and [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["C3"]
    for args in (["--stage", "churned"], ["--sentiment", "negative"], ["--bought-via", "retail"]):
        assert list(csv.DictReader(io.StringIO(run(store, tmp_path, "segments", "export", *args).stdout))) == []
    stage = run(store, tmp_path, "segments", "export", "--stage", "advocate", "--stage", "customer")
    assert sorted(r["id"] for r in csv.DictReader(io.StringIO(stage.stdout))) == ["C1", "C3"]


def test_advocates_rank_by_reach_without_negative_posts(store, engine, tmp_path) -> None:
    rows = [json.loads(line) for line in run(store, tmp_path, "advocates", "--json").stdout.splitlines()]
    assert [r["handle"] for r in rows] == ["ann", "bo"]  # cc's "can't recommend" is not an endorsement
    assert rows[0]["customer_id"] == "C1" and rows[0]["marketing_consent"] is True and rows[0]["reach"] == 5000
    assert rows[0]["evidence"][0]["text"].startswith("I love my aura 12")
    client = TestClient(create_app(store, engine))
    web_sign_in(client, engine, "support")
    assert [r["handle"] for r in client.get("/api/advocates").json()["items"]] == ["ann", "bo"]
    page = client.get("/advocates")
    assert page.status_code == 200 and "<b>10/10</b>" not in page.text and "&lt;b&gt;10/10&lt;/b&gt;" in page.text
