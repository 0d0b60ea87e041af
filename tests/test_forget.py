"""`earshot forget`: nothing of the person remains in any table or export; counts, the record and the rest stay."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text
from typer.testing import CliRunner

from crm.refresh import refresh_customers
from earshot.api.app import create_app
from earshot.cli import app
from engage.router import route_pending
from enrich.pipeline import enrich_pending
from listener.run import collect
from storage.engine import session_scope
from storage.imports.customers import import_customers
from storage.models import AnonymousPostCount, Erasure
from tests.factories import web_sign_in, replay_line, replay_settings, write_jsonl

ZELDA = {"id": "C-ZQ", "name": "Zelda Quixworth", "email": "zelda.quixworth@example.se", "phone": "+46 70 123 98 76",
         "city": "Lund", "country": "SE", "website": "https://zquixworth.dev", "handles": {"x": "zquixworth"},
         "consent": {"marketing": True, "share": True},
         "products": [{"sku": "NV-A12", "purchased_at": "2026-01-02"}],
         "cases": [{"id": "CASE-ZQ", "sku": "NV-A12", "category": "battery", "opened_at": "2026-10-01",
                    "summary": "Quixworth's battery drains"}]}
OTHER = {"id": "C-OK", "name": "Olle Berg", "handles": {"x": "olleberg"}}
ZELDA_AUTHOR = {"id": "zq-1", "handle": "zquixworth", "name": "Zelda Quixworth", "bio": "zquixworth.dev · Lund",
                "location": "Lund"}
IDENTIFIERS = ["quixworth", "zquixworth", "zelda", "123 98 76", "zq-1", "C-ZQ", "CASE-ZQ", "marmalade-kayak"]


@pytest.fixture
def store(tmp_path: Path, engine):
    import_customers(engine, write_jsonl(tmp_path / "crm.jsonl", [ZELDA, OTHER]))
    posts = write_jsonl(tmp_path / "posts.jsonl", [
        replay_line(1, text="my aura 12 battery is dead again, marmalade-kayak test, so angry", author=ZELDA_AUTHOR),
        replay_line(2, text="loving my aura 12, get one!", author={"id": "ob", "handle": "olleberg", "name": "Olle"}),
        replay_line(3, text="@zquixworth @ZQuixworth same here, aura 12 battery is awful", reply_to="1001",
                    author={"id": "ob", "handle": "olleberg", "name": "Olle"},
                    entities={"mentions": [{"username": "zquixworth"}]}),
    ])
    settings = replay_settings(tmp_path, [posts])
    collect(engine, settings)
    enrich_pending(engine, settings)
    route_pending(engine, settings)
    refresh_customers(engine)
    return settings


def everything_stored(engine) -> str:
    """Every row of every table in the database, as text."""
    dump = []
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                dump.append(f"{table}: {tuple(row)}")
    return "\n".join(dump).lower()


def test_forget_a_customer_leaves_nothing_of_them(store, engine, tmp_path) -> None:
    before = everything_stored(engine)
    assert all(identifier.lower() in before for identifier in IDENTIFIERS)  # the scan can see them
    runner = CliRunner()
    env = {"EARSHOT_DATABASE_URL": store.database_url}
    config = ["--config", str(tmp_path / "earshot.toml")]
    result = runner.invoke(app, [*config, "forget", "--customer", "C-ZQ", "--as", "dpo"], env=env)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "1 customers" in said and "1 posts" in said and "1 mentions redacted" in said
    after = everything_stored(engine)
    left = [identifier for identifier in IDENTIFIERS if identifier.lower() in after]
    assert left == [], f"still stored: {left}"
    assert "olle berg" in after and "loving my aura 12" in after  # other people stay
    assert "@[erased] @[erased] same here" in after
    with session_scope(engine) as session:
        [erasure] = session.scalars(select(Erasure)).all()
        assert erasure.kind == "customer" and erasure.actor == "dpo" and erasure.counts["posts"] == 1
        assert sum(row.posts for row in session.scalars(select(AnonymousPostCount))) == 1
    exports = [runner.invoke(app, [*config, "customers", "list", "--json"], env=env).output,
               runner.invoke(app, [*config, "links", "list", "--status", "all", "--json"], env=env).output,
               runner.invoke(app, [*config, "queue", "list", "--json"], env=env).output,
               runner.invoke(app, [*config, "stats", "--json"], env=env).output]
    client = TestClient(create_app(store, engine))
    web_sign_in(client, engine, "admin")
    exports += [client.get("/api/queue").text, client.get("/api/customers").text, client.get("/queue").text,
                client.get("/links?status=rejected").text]
    assert not [i for i in IDENTIFIERS if any(i.lower() in export.lower() for export in exports)]
    assert client.get("/api/customers/C-ZQ").status_code == 404
    # collecting the same posts again does not bring her back
    [again] = collect(engine, store)
    assert again.counts["erased"] == 0  # the cursor is past her post
    with session_scope(engine) as session:
        session.execute(text("DELETE FROM cursor"))
    [recollected] = collect(engine, store)
    assert recollected.counts["erased"] == 1 and "zquixworth" not in everything_stored(engine)


def test_forget_an_author_and_clear_errors(store, engine, tmp_path) -> None:
    runner = CliRunner()
    env = {"EARSHOT_DATABASE_URL": store.database_url}
    config = ["--config", str(tmp_path / "earshot.toml")]
    result = runner.invoke(app, [*config, "forget", "--author", "x:@ZQuixworth"], env=env)
    assert result.exit_code == 0, result.output
    after = everything_stored(engine)
    assert "marmalade-kayak" not in after and "zq-1" not in after and "@zquixworth" not in after
    assert "zelda quixworth" in after  # the CRM record stays when only the author is erased
    view = json.loads(runner.invoke(app, [*config, "customers", "show", "C-ZQ", "--json"], env=env).output)
    assert view["posts"] == [] and view["handles"] == []
    for args, message in [(["forget"], "say whom to forget"), (["forget", "--author", "zquixworth"], "PLATFORM:HANDLE"),
                          (["forget", "--customer", "C-NONE"], "no customer 'C-NONE'")]:
        failed = runner.invoke(app, [*config, *args], env=env)
        assert failed.exit_code == 1 and message in failed.output
