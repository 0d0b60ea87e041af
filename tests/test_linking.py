"""Identity linking: each method on an in-memory directory, the decision rules, and the store path with review."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from config.settings import LinkingSettings
from earshot.api.app import create_app
from earshot.cli import app
from enrich.link_step import link_all_authors
from enrich.linking import AuthorProfile, CustomerDirectory, CustomerRecord, LinkThresholds, link_authors
from enrich.linking.methods import link_methods
from enrich.linking.records import emails_in, name_tokens, websites_in
from storage.engine import session_scope
from storage.imports.customers import import_customers
from storage.models import AuditEvent, Author, CustomerLink
from tests.factories import api_sign_in, web_sign_in, write_jsonl

ANNA = CustomerRecord(id=1, external_id="C1", name="Anna Lindqvist", email="Anna.Lindqvist@example.se",
                      city="Göteborg", country="SE", website="https://www.annalq.se/", handles=(("x", "anna_lq"),))
ERIK = CustomerRecord(id=2, external_id="C2", name="Erik Berg", email="erik@example.se", city="Umeå", country="SE",
                      handles=(("reddit", "erikberg_umea"),))


def method(name: str):
    return link_methods.get(name)()


def candidates(name: str, author: AuthorProfile, *customers: CustomerRecord):
    return list(method(name).candidates(author, CustomerDirectory(customers or (ANNA, ERIK))))


def test_keys_read_from_profiles() -> None:
    assert emails_in("sv/en · Mail: ANNA.Lindqvist@Example.se!") == ["anna.lindqvist@example.se"]
    assert websites_in("blog: https://www.AnnaLQ.se/ · anna@x.se · Est. 1987") == ["annalq.se"]
    assert name_tokens("Emma S. ✨") == ["emma", "s"] and name_tokens("Anna-Karin Åberg") == ["anna-karin", "aberg"]


def test_exact_handle_is_certain_unless_shared() -> None:
    author = AuthorProfile(id=10, platform="x", handle="@Anna_LQ")
    [found] = candidates("exact_handle", author)
    assert (found.customer_id, found.confidence) == (1, 1.0)
    twin = CustomerRecord(id=3, external_id="C3", name="Anna L", handles=(("x", "anna_lq"),))
    assert [c.confidence for c in candidates("exact_handle", author, ANNA, twin)] == [0.5, 0.5]
    assert candidates("exact_handle", AuthorProfile(id=10, platform="reddit", handle="anna_lq")) == []


def test_email_and_website_in_the_bio() -> None:
    mail = AuthorProfile(id=10, platform="x", bio="write me: anna.lindqvist@EXAMPLE.se")
    [by_mail] = candidates("email_in_bio", mail)
    assert by_mail.customer_id == 1 and by_mail.evidence["email"] == "anna.lindqvist@example.se"
    assert candidates("email_in_bio", AuthorProfile(id=10, platform="x", bio="anna.lindqvist@gmail.com")) == []
    [by_site] = candidates("website_in_bio", AuthorProfile(id=10, platform="x", bio="photos at annalq.se"))
    assert by_site.customer_id == 1 and by_site.confidence >= 0.95


def test_handle_listed_for_another_platform_is_only_a_proposal() -> None:
    [found] = candidates("handle_on_other_platform", AuthorProfile(id=10, platform="x", handle="ErikBerg_Umea"))
    assert found.customer_id == 2 and found.confidence < 0.95 and found.evidence["listed_on"] == ["reddit"]


def test_name_and_place() -> None:
    same_city = AuthorProfile(id=10, platform="x", handle="annalq", name="Anna Lindqvist", location="Gothenburg")
    [found] = candidates("name_and_place", same_city)
    assert found.customer_id == 1 and 0.5 <= found.confidence < 0.95
    assert found.evidence["place_agrees"] == "city" and found.evidence["handle_resembles_name"] is True
    elsewhere = AuthorProfile(id=11, platform="x", name="Anna Lindqvist", location="Stockholm, Sweden")
    assert candidates("name_and_place", elsewhere) == []
    no_place = AuthorProfile(id=12, platform="x", name="Anna Lindqvist")
    [weak] = candidates("name_and_place", no_place)
    assert weak.confidence < found.confidence
    initial = AuthorProfile(id=13, platform="x", name="Anna L.", location="Göteborg")
    [by_initial] = candidates("name_and_place", initial)
    assert by_initial.evidence["initial_only"] is True and by_initial.confidence < found.confidence


def test_a_name_shared_by_customers_in_the_same_city_weighs_less() -> None:
    namesake = CustomerRecord(id=3, external_id="C3", name="Anna Lindqvist", city="Göteborg", country="SE")
    author = AuthorProfile(id=10, platform="x", name="Anna Lindqvist", location="Göteborg")
    alone = candidates("name_and_place", author, ANNA)[0].confidence
    shared = [c.confidence for c in candidates("name_and_place", author, ANNA, namesake)]
    assert len(shared) == 2 and max(shared) < alone


def test_decision_thresholds_and_combined_evidence() -> None:
    thresholds = LinkThresholds(auto=0.95, review=0.5)
    methods = [method(name) for name in LinkingSettings().methods]
    directory = CustomerDirectory([ANNA, ERIK])
    author = AuthorProfile(id=10, platform="x", handle="anna_lq", name="Anna Lindqvist", location="Göteborg")
    [link] = link_authors([author], directory, methods=methods, thresholds=thresholds)
    assert link.status == "auto" and set(link.evidence) == {"exact_handle", "name_and_place"}
    proposal = AuthorProfile(id=11, platform="x", handle="someone", name="Anna Lindqvist", location="Göteborg")
    [link] = link_authors([proposal], directory, methods=methods, thresholds=thresholds)
    assert link.status == "proposed"
    # a second strong customer for the same author: neither is linked automatically
    both = AuthorProfile(id=12, platform="x", handle="anna_lq", bio="erik@example.se")
    assert {c.status for c in link_authors([both], directory, methods=methods, thresholds=thresholds)} == {"proposed"}
    nothing = AuthorProfile(id=13, platform="x", handle="who", name="Sara Holm")
    assert link_authors([nothing], directory, methods=methods, thresholds=thresholds) == []


def test_thresholds_are_validated() -> None:
    with pytest.raises(ValueError, match="review_threshold"):
        LinkingSettings(auto_threshold=0.6, review_threshold=0.8)


CRM = [
    {"id": "C1", "name": "Anna Lindqvist", "email": "anna@example.se", "city": "Göteborg", "country": "SE",
     "handles": {"x": "anna_lq"}},
    {"id": "C2", "name": "Erik Berg", "city": "Umeå", "country": "SE", "website": "https://erikberg.dev"},
    {"id": "C3", "name": "Sara Holm", "city": "Lund", "country": "SE"},
]
AUTHORS = [  # external id, handle, display name, bio, location
    ("a1", "anna_lq", "Anna", "", ""),  # listed handle: auto
    ("a2", "berg_e", "E.", "code at erikberg.dev", ""),  # website in bio: auto
    ("a3", "sara_h", "Sara Holm", "", "Lund"),  # name and city: proposed
    ("a4", "sarah0lm", "Sara Holm", "", "Kiruna"),  # same name, other city: nothing
]


@pytest.fixture
def linked(tmp_path: Path, engine, settings):
    import_customers(engine, write_jsonl(tmp_path / "crm.jsonl", CRM))
    with session_scope(engine) as session:
        session.add_all([Author(platform="x", external_id=e, handle=h, display_name=n, bio=b, location=loc)
                         for e, h, n, b, loc in AUTHORS])
    link_all_authors(engine, settings)
    return engine


def statuses(engine) -> dict[str, tuple[str, str]]:
    with session_scope(engine) as session:
        rows = session.execute(select(Author.external_id, CustomerLink.customer_id, CustomerLink.status)
                               .join(CustomerLink, CustomerLink.author_id == Author.id))
        return {author: (customer, status) for author, customer, status in rows}


def test_store_path_links_and_proposes(linked, settings) -> None:
    found = statuses(linked)
    assert {a: s for a, (_, s) in found.items()} == {"a1": "auto", "a2": "auto", "a3": "proposed"}
    assert link_all_authors(linked, settings) == 0  # a rerun adds nothing
    with session_scope(linked) as session:
        actions = sorted(session.scalars(select(AuditEvent.action)).all())
    assert actions == ["link.auto", "link.auto", "link.proposed"]


def test_review_from_the_cli_is_audited_and_a_rejected_pair_stays_rejected(linked, settings, tmp_path) -> None:
    runner = CliRunner()
    env = {"EARSHOT_DATABASE_URL": settings.database_url}
    config = ["--config", str(tmp_path / "earshot.toml")]
    listed = runner.invoke(app, [*config, "links", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    [proposal] = [json.loads(line) for line in listed.output.splitlines()]
    assert proposal["customer_id"] == "C3" and "name_and_place" in proposal["evidence"]
    rejected = runner.invoke(app, [*config, "links", "reject", str(proposal["id"]), "--as", "kim", "--note", "not her"],
                             env=env)
    assert rejected.exit_code == 0 and "rejected" in rejected.output
    link_all_authors(linked, settings)
    assert statuses(linked)["a3"][1] == "rejected"  # never proposed again
    restored = runner.invoke(app, [*config, "links", "confirm", str(proposal["id"]), "--as", "lee"], env=env)
    assert restored.exit_code == 0 and statuses(linked)["a3"][1] == "confirmed"
    shown = json.loads(runner.invoke(app, [*config, "links", "show", str(proposal["id"])], env=env).output)
    assert [(h["actor"], h["from"], h["to"]) for h in shown["history"][1:]] == [
        ("kim", "proposed", "rejected"), ("lee", "rejected", "confirmed")]
    assert shown["history"][1]["note"] == "not her"
    missing = runner.invoke(app, [*config, "links", "confirm", "999", "--as", "kim"], env=env)
    assert missing.exit_code == 1 and "no customer link 999" in missing.output


def test_confirming_one_customer_rejects_the_authors_other_proposals(tmp_path, engine, settings) -> None:
    crm = [{"id": "C1", "name": "Sara Holm", "handles": {"x": "sh_lund"}},  # a handle two customers gave us
           {"id": "C2", "name": "Sam Holm", "handles": {"x": "sh_lund"}}]
    import_customers(engine, write_jsonl(tmp_path / "crm.jsonl", crm))
    with session_scope(engine) as session:
        session.add(Author(platform="x", external_id="a", handle="sh_lund"))
    link_all_authors(engine, settings)
    with session_scope(engine) as session:
        links = session.scalars(select(CustomerLink).order_by(CustomerLink.id)).all()
        assert [link.status for link in links] == ["proposed", "proposed"]
        first = links[0].id
    client = api_sign_in(TestClient(create_app(settings, engine)), engine, "support")
    response = client.post(f"/api/links/{first}/confirm", json={"note": "checked the CRM"})
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    assert response.json()["decided_by"] == "support"
    with session_scope(engine) as session:
        assert sorted(session.scalars(select(CustomerLink.status)).all()) == ["confirmed", "rejected"]
    assert client.get("/api/links/999").status_code == 404


EVIL_BIO = '<script>alert("x")</script> anna'


def test_review_page_escapes_profiles_and_records_the_decision(tmp_path, engine, settings) -> None:
    import_customers(engine, write_jsonl(tmp_path / "crm.jsonl", CRM))
    with session_scope(engine) as session:
        session.add(Author(platform="x", external_id="a", handle="sara_h", display_name="Sara Holm", bio=EVIL_BIO,
                           location="Lund"))
    link_all_authors(engine, settings)
    client = TestClient(create_app(settings, engine))
    csrf = web_sign_in(client, engine, "support")
    page = client.get("/links")
    assert page.status_code == 200 and "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    link_id = int(page.text.split('data-link="')[1].split('"')[0])
    forged = client.post(f"/links/{link_id}/reject", data={"back": "proposed"}, follow_redirects=False)
    assert forged.status_code == 403  # no CSRF token: not from our form
    done = client.post(f"/links/{link_id}/reject", data={"back": "proposed", "csrf_token": csrf},
                       follow_redirects=False)
    assert done.status_code == 303 and f"done={link_id}" in done.headers["location"]
    [rejected] = client.get("/api/links", params={"status": "rejected"}).json()["items"]
    assert rejected["decided_by"] == "support"


def test_eval_linking_on_the_demo_meets_the_precision_target() -> None:
    result = CliRunner().invoke(app, ["eval", "linking", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["precision"] >= 0.98 and figures["recall"] > 0.5
    cases = figures["cases"]
    assert cases["same_name_other_city"].get("auto_wrong", 0) == 0
    assert "proposed_wrong" not in cases["handle_one_character_off"]


def test_migration_fills_the_keys_of_customers_imported_before_it(tmp_path) -> None:
    from sqlalchemy import text

    from storage.engine import make_engine
    from storage.migrate import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0003")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO customer (external_id, name, email, consent_marketing, consent_share, "
                                "status, updated_at) VALUES ('C1', 'Åsa Nyström', 'Asa@Example.se', 0, 0, 'active', "
                                "'2026-01-01 00:00:00')"))
    upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT email_key, first_name_key, last_name_key FROM customer")).one()
    assert tuple(row) == ("asa@example.se", "asa", "nystrom")


def test_enrich_looks_authors_up_again_only_after_the_crm_changes(tmp_path, engine) -> None:
    from enrich.pipeline import enrich_pending
    from listener.run import collect
    from tests.factories import replay_line, replay_settings

    posts = write_jsonl(tmp_path / "posts.jsonl", [
        replay_line(1, author={"id": "s", "handle": "sara_h", "name": "Sara Holm", "location": "Lund"})])
    settings = replay_settings(tmp_path, [posts])
    collect(engine, settings)
    enrich_pending(engine, settings)

    def checked_at():
        with session_scope(engine) as session:
            return session.scalar(select(Author.link_checked_at))

    first = checked_at()
    assert first is not None and statuses(engine) == {}
    enrich_pending(engine, settings, rerun=True)
    assert checked_at() == first  # nothing changed: not looked up again
    import_customers(engine, write_jsonl(tmp_path / "crm.jsonl", CRM))
    enrich_pending(engine, settings, rerun=True)
    assert checked_at() > first and statuses(engine)["s"][1] == "proposed"


def test_earshot_link_looks_up_authors_known_before_the_crm_import(tmp_path, engine, settings) -> None:
    with session_scope(engine) as session:
        session.add_all([Author(platform="x", external_id=e, handle=h, display_name=n, bio=b, location=loc)
                         for e, h, n, b, loc in AUTHORS])
    import_customers(engine, write_jsonl(tmp_path / "crm.jsonl", CRM))
    assert statuses(engine) == {}  # an import links nobody by itself
    result = CliRunner().invoke(app, ["--config", str(tmp_path / "earshot.toml"), "link"],
                                env={"EARSHOT_DATABASE_URL": settings.database_url})
    assert result.exit_code == 0, result.output
    assert "3 new links or proposals" in result.output
    assert {a: s for a, (_, s) in statuses(engine).items()} == {"a1": "auto", "a2": "auto", "a3": "proposed"}
