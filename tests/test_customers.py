"""The customer 360 in the CLI, the JSON API and the customer page, from a CRM import and collected posts."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from earshot.api.app import create_app
from earshot.cli import app
from enrich.pipeline import enrich_pending
from listener.run import collect
from storage.engine import session_scope
from storage.imports.catalog import CatalogEntry, import_catalog
from storage.imports.customers import import_customers
from tests.factories import web_sign_in, replay_line, replay_settings, write_jsonl

CUSTOMER = {
    "id": "C7", "name": "Maja <b>Holm</b>", "email": "maja@example.se", "city": "Lund", "country": "SE",
    "segment": "premium", "consent": {"marketing": True}, "lifetime_value": 1290.5, "first_purchase": "2025-03-01",
    "handles": {"x": "maja_h"},
    "products": [{"sku": "NV-A12", "purchased_at": "2025-03-01", "channel": "online"}],
    "cases": [{"id": "CASE-1", "sku": "NV-A12", "category": "battery", "opened_at": "2026-10-01",
               "summary": "Battery drains overnight"}],
}
EVIL = '<script>alert(1)</script> my aura 12 battery died again'


@pytest.fixture
def store(tmp_path: Path, engine):
    with session_scope(engine) as session:
        import_catalog(session, entries=[CatalogEntry(sku="NV-A12", name="Nordvik Aura 12", aliases=["aura 12"])])
    import_customers(engine, write_jsonl(tmp_path / "crm.jsonl", [CUSTOMER, {"id": "C8", "name": "Erik Berg"}]))
    posts = write_jsonl(tmp_path / "posts.jsonl", [
        replay_line(1, text=EVIL, author={"id": "m", "handle": "maja_h", "name": "Maja"}),
        replay_line(2, text="loving the aura 12, get one", author={"id": "m", "handle": "maja_h", "name": "Maja"}),
        replay_line(3, text="someone else's aura 12 post", author={"id": "z", "handle": "zed"}),
    ])
    settings = replay_settings(tmp_path, [posts])
    collect(engine, settings)
    enrich_pending(engine, settings)
    return settings


def test_customer_360_from_the_cli(store, tmp_path) -> None:
    runner = CliRunner()
    env = {"EARSHOT_DATABASE_URL": store.database_url}
    result = runner.invoke(app, ["--config", str(tmp_path / "earshot.toml"), "customers", "show", "C7", "--json"],
                           env=env)
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    assert view["customer"]["name"] == "Maja <b>Holm</b>" and view["customer"]["consent"]["marketing"] is True
    assert [p["sku"] for p in view["products"]] == ["NV-A12"] and view["products"][0]["name"] == "Nordvik Aura 12"
    assert view["support_cases"][0]["open"] is True and view["support_cases"][0]["category"] == "battery"
    assert [(h["platform"], h["handle"], h["status"]) for h in view["handles"]] == [("x", "maja_h", "auto")]
    assert [p["text"] for p in view["posts"]] == ["loving the aura 12, get one", EVIL]  # newest first, only hers
    assert view["social"]["posts"] == 2 and view["posts"][1]["is_complaint"] is True
    assert view["advocacy"]["recommendations"] == 1 and view["advocacy"]["reach"] == view["advocacy"]["followers"] > 0
    table = runner.invoke(app, ["--config", str(tmp_path / "earshot.toml"), "customers", "show", "C7"], env=env)
    assert table.exit_code == 0 and "CASE-1" in table.output and "maja_h" in table.output
    missing = runner.invoke(app, ["--config", str(tmp_path / "earshot.toml"), "customers", "show", "C99"], env=env)
    assert missing.exit_code == 1 and "no customer 'C99'" in missing.output
    found = runner.invoke(app, ["--config", str(tmp_path / "earshot.toml"), "customers", "list", "--search", "berg",
                                "--json"], env=env)
    assert [json.loads(line)["id"] for line in found.output.splitlines()] == ["C8"]


def test_customer_360_api_and_page_escape_what_people_wrote(store, engine) -> None:
    client = TestClient(create_app(store, engine))
    web_sign_in(client, engine, "support")
    data = client.get("/api/customers/C7").json()
    assert data["customer"]["id"] == "C7" and len(data["posts"]) == 2
    assert client.get("/api/customers/C99").status_code == 404
    assert client.get("/api/customers", params={"search": "maja"}).json()["total"] == 1
    page = client.get("/customers/C7")
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<b>Holm</b>" not in page.text and "Battery drains overnight" in page.text and "@maja_h" in page.text
    listing = client.get("/customers", params={"search": "C7"})
    assert listing.status_code == 200 and 'href="/customers/C7"' in listing.text
    assert client.get("/customers/C99").status_code == 404
