"""Collaborative data: a consented export of keyed hashes, and a match that shows only the overlap."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crm.sharing import ShareableCustomer, keyed_hash, match, normalise_phone, share_rows
from earshot.cli import app
from storage.engine import make_engine
from storage.imports.customers import import_customers
from storage.migrate import upgrade
from tests.factories import write_jsonl

SECRET = "agreed-between-us-0123456789"
OURS = [
    {"id": "C1", "name": "Ann Lee", "email": "Ann.Lee@example.com", "phone": "+46 70-111 22 33",
     "consent": {"share": True}, "products": [{"sku": "NV-A12"}]},
    {"id": "C2", "name": "Bo Ek", "email": "bo@example.com", "consent": {"share": True}},
    {"id": "C3", "name": "Cy Ng", "email": "cy@example.com", "consent": {"share": False}},
]
THEIRS = [
    {"id": "P1", "name": "Ann L.", "email": " ann.lee@EXAMPLE.com ", "consent": {"share": True}, "country": "SE"},
    {"id": "P2", "name": "Dee Vo", "email": "dee.vo@example.com", "phone": "+46701112233", "consent": {"share": True}},
    {"id": "P3", "name": "Cy Ng", "email": "cy@example.com", "consent": {"share": True}},
    {"id": "P4", "name": "Eve Secret", "email": "eve.secret@example.com", "consent": {"share": False}},
]


def test_hashes_need_the_secret_and_normalised_identifiers() -> None:
    assert keyed_hash(b"k" * 16, "a@b.se") == keyed_hash(b"k" * 16, "a@b.se") != keyed_hash(b"x" * 16, "a@b.se")
    assert normalise_phone("+46 70-111 22 33") == normalise_phone("+46701112233") == "46701112233"
    [row] = share_rows(b"k" * 16, [ShareableCustomer("C1", "Ann@X.se", None, "SE", "advocate", ("NV-A12",))])
    assert row["email_hash"] == keyed_hash(b"k" * 16, "ann@x.se") and row["phone_hash"] is None
    assert "ann" not in json.dumps(row).lower() and "C1" not in json.dumps(row)
    mine = [ShareableCustomer("C1", "ann@x.se", None, None, None)]
    assert match(b"z" * 16, mine, [row]).matches == []  # another secret: nobody matches


@pytest.fixture
def two_stores(tmp_path: Path):
    urls = {}
    for side, customers in (("ours", OURS), ("theirs", THEIRS)):
        url = f"sqlite:///{tmp_path / side}.db"
        engine = make_engine(url)
        upgrade(engine)
        import_customers(engine, write_jsonl(tmp_path / f"{side}.jsonl", customers))
        engine.dispose()
        urls[side] = url
    config = tmp_path / "earshot.toml"
    config.write_text('[share.partners.acme]\nsecret_env = "ACME_SECRET"\n', encoding="utf-8")
    return urls, config


def test_export_and_match_reveal_only_the_overlap(two_stores, tmp_path: Path) -> None:
    urls, config = two_stores
    runner = CliRunner()
    env = {"ACME_SECRET": SECRET}
    exported = tmp_path / "acme.jsonl"
    result = runner.invoke(app, ["--config", str(config), "share", "export", "--partner", "acme", "--out",
                                 str(exported)], env={**env, "EARSHOT_DATABASE_URL": urls["theirs"]})
    assert result.exit_code == 0, result.output
    text = exported.read_text()
    assert len(text.splitlines()) == 3  # P4 did not consent
    assert not any(secret in text.lower() for secret in ("ann", "dee", "example.com", "p1", "4670"))
    result = runner.invoke(app, ["--config", str(config), "share", "match", str(exported), "--partner", "acme",
                                 "--json"], env={**env, "EARSHOT_DATABASE_URL": urls["ours"]})
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # Ann by e-mail (normalised); Dee's row carries Ann's phone; Cy is theirs but did not consent with us
    assert report["overlap"] == 1 and report["partner_rows"] == 3
    [found] = report["matches"]
    assert found["customer"] == "C1" and found["matched_on"] == ["email", "phone"]
    assert "dee" not in result.stdout.lower() and "C3" not in result.stdout
    missing = runner.invoke(app, ["--config", str(config), "share", "export", "--partner", "acme"],
                            env={"EARSHOT_DATABASE_URL": urls["ours"], "ACME_SECRET": ""})
    assert missing.exit_code == 1 and "set ACME_SECRET" in missing.output
    unknown = runner.invoke(app, ["--config", str(config), "share", "export", "--partner", "nobody"],
                            env={**env, "EARSHOT_DATABASE_URL": urls["ours"]})
    assert unknown.exit_code == 1 and "unknown share partner 'nobody'" in unknown.output
