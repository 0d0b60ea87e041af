"""Working queue items through the API and the item page: claim, notes, moves, and the history of every action."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from earshot.api.app import create_app
from engage.router import route_pending
from enrich.pipeline import enrich_pending
from listener.run import collect
from storage.engine import session_scope
from storage.imports.catalog import CatalogEntry, import_catalog
from storage.imports.customers import import_customers
from tests.factories import add_user, replay_line, replay_settings, web_sign_in, write_jsonl

EVIL = "<script>alert(1)</script> my aura 12 battery died again, so disappointed"
CUSTOMER = {"id": "C7", "name": "Maja Holm", "handles": {"x": "maja_h"},
            "products": [{"sku": "NV-A12", "purchased_at": "2025-03-01"}],
            "cases": [{"id": "CASE-1", "sku": "NV-A12", "category": "battery", "opened_at": "2026-10-01",
                       "closed_at": "2026-10-05", "summary": "Battery drains overnight"}]}


@pytest.fixture
def store(tmp_path: Path, engine):
    with session_scope(engine) as session:
        import_catalog(session, entries=[CatalogEntry(sku="NV-A12", name="Nordvik Aura 12", aliases=["aura 12"])])
    import_customers(engine, write_jsonl(tmp_path / "crm.jsonl", [CUSTOMER]))
    posts = write_jsonl(tmp_path / "posts.jsonl", [
        replay_line(1, text=EVIL, author={"id": "m", "handle": "maja_h", "name": "Maja"}),
        replay_line(2, text="@maja_h same, mine is dead too", reply_to="1001", conversation_id="1001",
                    author={"id": "o", "handle": "olle"}),
    ])
    settings = replay_settings(tmp_path, [posts])
    collect(engine, settings)
    enrich_pending(engine, settings)
    route_pending(engine, settings)
    for role in ("support", "pr", "analyst"):
        add_user(engine, role, role)
    return settings


def api(store, engine, role: str) -> TestClient:
    client = TestClient(create_app(store, engine))
    answer = client.post("/api/token", data={"username": role, "password": "correct horse battery"})
    client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return client


def first_item(client: TestClient) -> int:
    items = client.get("/api/queue", params={"team": "support"}).json()["items"]
    return next(i["id"] for i in items if "battery died" in i["text"])


def test_a_support_item_from_claim_to_resolved_through_the_api(store, engine) -> None:
    support, pr, analyst = (api(store, engine, role) for role in ("support", "pr", "analyst"))
    item = first_item(support)
    detail = support.get(f"/api/items/{item}").json()
    assert detail["item"]["state"] == "new" and detail["post"]["text"] == EVIL
    assert detail["customer"]["id"] == "C7" and detail["customer"]["products"][0]["sku"] == "NV-A12"
    assert detail["customer"]["support_cases"][0]["id"] == "CASE-1"
    assert [t["handle"] for t in detail["thread"]] == ["maja_h", "olle"] and detail["thread"][0]["this"]
    assert analyst.post(f"/api/items/{item}/claim").status_code == 403
    claimed = support.post(f"/api/items/{item}/claim", json={"note": "on it"})
    assert claimed.status_code == 200 and claimed.json()["item"]["assignee"] == "support"
    taken = pr.post(f"/api/items/{item}/claim")
    assert taken.status_code == 409 and "support's" in taken.json()["detail"]
    assert pr.post(f"/api/items/{item}/transition", json={"action": "release"}).status_code == 409
    noted = support.post(f"/api/items/{item}/notes", json={"text": "called her, replacing the battery"})
    assert noted.status_code == 200
    assert support.post(f"/api/items/{item}/transition", json={"action": "fly"}).status_code == 409
    assert support.post(f"/api/items/{item}/transition", json={"action": "reopen"}).status_code == 409
    assert support.post(f"/api/items/{item}/transition", json={"action": "snooze"}).status_code == 409  # until?
    later = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    snoozed = support.post(f"/api/items/{item}/transition", json={"action": "snooze", "until": later})
    assert snoozed.json()["item"]["state"] == "snoozed"
    assert support.post(f"/api/items/{item}/transition", json={"action": "wake"}).json()["item"]["state"] == "assigned"
    for action, state in (("reply", "replied"), ("resolve", "resolved"), ("reopen", "assigned"),
                          ("resolve", "resolved")):
        moved = support.post(f"/api/items/{item}/transition", json={"action": action})
        assert moved.status_code == 200 and moved.json()["item"]["state"] == state, moved.text
    history = support.get(f"/api/items/{item}").json()["history"]
    assert [(h["actor"], h["action"]) for h in history] == [
        ("router", "queued"), ("router", "attached"), ("support", "claim"), ("support", "note"), ("support", "snooze"),
        ("support", "wake"),
        ("support", "reply"), ("support", "resolve"), ("support", "reopen"), ("support", "resolve")]
    assert history[2]["note"] == "on it" and history[2]["from"] == "new" and history[2]["to"] == "assigned"
    assert support.get(f"/api/items/{item}").json()["notes"][0]["author"] == "support"
    assert support.get("/api/items/99999").status_code == 404


def test_assigning_only_to_people_who_work_the_queue(store, engine) -> None:
    support = api(store, engine, "support")
    item = first_item(support)
    assert support.post(f"/api/items/{item}/transition", json={"action": "assign", "assignee": "analyst"}
                        ).status_code == 409
    assigned = support.post(f"/api/items/{item}/transition", json={"action": "assign", "assignee": "pr"})
    assert assigned.json()["item"]["assignee"] == "pr" and assigned.json()["history"][-1]["assignee"] == "pr"


def test_the_item_page_works_an_item_and_escapes_the_post(store, engine) -> None:
    client = TestClient(create_app(store, engine))
    csrf = web_sign_in(client, engine, "support")
    queue = client.get("/queue?team=support").text
    item = int(re.search(r'href="/items/(\d+)"', queue).group(1))
    page = client.get(f"/items/{item}").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Nordvik Aura 12" in page or "NV-A12" in page
    assert "CASE-1" in page and 'data-action="claim"' in page
    assert client.post(f"/items/{item}/act", data={"action": "claim"}, follow_redirects=False).status_code == 403
    moved = client.post(f"/items/{item}/act", data={"action": "claim", "note": "mine", "csrf_token": csrf},
                        follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == f"/items/{item}"
    client.post(f"/items/{item}/notes", data={"text": "<b>bold</b> promise", "csrf_token": csrf})
    wrong = client.post(f"/items/{item}/act", data={"action": "reopen", "csrf_token": csrf}, follow_redirects=False)
    assert "error=" in wrong.headers["location"]
    page = client.get(f"/items/{item}").text
    assert 'data-state="assigned"' in page and "&lt;b&gt;bold&lt;/b&gt; promise" in page
    assert 'data-action="resolve"' in page and 'data-action="claim"' not in page
    client.post(f"/items/{item}/act", data={"action": "resolve", "csrf_token": csrf})
    assert 'data-state="resolved"' in client.get(f"/items/{item}").text


def test_an_analyst_sees_the_item_but_no_actions(store, engine) -> None:
    client = TestClient(create_app(store, engine))
    web_sign_in(client, engine, "analyst")
    queue = client.get("/queue?team=support").text
    item = int(re.search(r'href="/items/(\d+)"', queue).group(1))
    page = client.get(f"/items/{item}").text
    assert "data-action=" not in page and "Work it" not in page


def test_rules_explain_in_the_cli_and_the_api(store, engine, tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from earshot.cli import app

    result = CliRunner().invoke(app, ["--config", str(tmp_path / "earshot.toml"), "rules", "explain", "x:1001",
                                      "--json"], env={"EARSHOT_DATABASE_URL": store.database_url})
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["stored"]["rule"] == "support-customer-complaint"
    assert "author is a known customer" in report["stored"]["reasons"]
    checks = report["now"]
    assert checks[-1] == {"rule": "support-customer-complaint", "matched": True,
                          "held": ["a complaint", "author is a known customer"], "failed": None}
    assert all(not check["matched"] and check["failed"] for check in checks[:-1])
    support = api(store, engine, "support")
    assert support.get(f"/api/posts/{report['post_id']}/routing").json() == report
    assert support.get("/api/posts/x:nope/routing").status_code == 404


def test_queue_filters(store, engine) -> None:
    support = api(store, engine, "support")
    item = first_item(support)
    support.post(f"/api/items/{item}/claim")

    def ids(**params) -> list[int]:
        return [i["id"] for i in support.get("/api/queue", params=params).json()["items"]]

    everything = ids()
    assert everything == [item]  # olle's reply joined Maja's item: one item per conversation
    assert ids(assignee="support") == [item] and ids(state="assigned") == [item]
    assert ids(product="NV-A12") == [item]  # only the first post names the Aura 12
    assert ids(product="NV-A1") == []  # a whole SKU, not a prefix
    assert ids(sentiment="positive") == [] and sorted(ids(platform="x")) == sorted(everything)
    assert ids(platform="reddit") == [] and ids(overdue=True) == []
    assert support.get("/api/queue", params={"product": "NV-A12"}).json()["total"] == 1


def test_items_past_due_are_escalated_to_the_team_lead(store, engine, tmp_path) -> None:
    import json

    from sqlalchemy import update
    from typer.testing import CliRunner

    from earshot.cli import app
    from engage.sla import escalate_overdue
    from storage.models import QueueItem

    support = api(store, engine, "support")
    item = first_item(support)
    with session_scope(engine) as session:
        session.execute(update(QueueItem).where(QueueItem.id == item)
                        .values(due_at=datetime.now(UTC) - timedelta(hours=1)))
    settings = type(store).model_validate({**store.model_dump(), "teams": {"support": {"lead": "pr"}}})
    assert escalate_overdue(engine, settings)["escalated"] == 1
    assert escalate_overdue(engine, settings)["escalated"] == 0  # once
    detail = support.get(f"/api/items/{item}").json()
    assert (detail["item"]["state"], detail["item"]["assignee"]) == ("escalated", "pr")
    assert "sla-breach" in detail["item"]["tags"]
    assert detail["history"][-1]["actor"] == "sla" and "past due since" in detail["history"][-1]["note"]
    result = CliRunner().invoke(app, ["--config", str(tmp_path / "earshot.toml"), "queue", "sla", "--json"],
                                env={"EARSHOT_DATABASE_URL": store.database_url})
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [item]


def test_canned_replies_fill_in_the_customer_product_and_case(store, engine) -> None:
    support = api(store, engine, "support")
    item = first_item(support)
    canned = {c["name"]: c["text"] for c in support.get(f"/api/items/{item}/canned").json()["items"]}
    assert canned["apology"].startswith("Hi Maja, sorry to hear about your Nordvik Aura 12!")
    assert "case CASE-1" in canned["case-follow-up"]
    client = TestClient(create_app(store, engine))
    csrf = web_sign_in(client, engine, "support")
    client.post(f"/items/{item}/act", data={"action": "claim", "csrf_token": csrf})
    page = client.get(f"/items/{item}", params={"canned": "apology"}).text
    assert "Hi Maja, sorry to hear about your Nordvik Aura 12! Could you DM us" in page


def test_a_canned_reply_with_an_unknown_placeholder_stops_start_up(tmp_path) -> None:
    from config.errors import ConfigError
    from tests.factories import make_settings

    with pytest.raises((ConfigError, ValueError), match="unknown placeholder {nme}"):
        make_settings(tmp_path, engage={"canned": {"hi": {"text": "Hi {nme}"}}})


def test_one_item_per_conversation(store, engine, tmp_path) -> None:
    support = api(store, engine, "support")
    [only] = support.get("/api/queue").json()["items"]
    detail = support.get(f"/api/items/{only['id']}").json()
    assert [(t["handle"], t["this"], t["attached"]) for t in detail["thread"]] == [
        ("maja_h", True, False), ("olle", False, True)]
    attached = [h for h in detail["history"] if h["action"] == "attached"]
    assert len(attached) == 1 and attached[0]["rule"].startswith("support-")
    route_pending(engine, store)  # routing again attaches nothing twice
    assert len([h for h in support.get(f"/api/items/{only['id']}").json()["history"] if h["action"] == "attached"]) == 1
    support.post(f"/api/items/{only['id']}/claim")
    support.post(f"/api/items/{only['id']}/transition", json={"action": "resolve"})
    later = write_jsonl(tmp_path / "later.jsonl", [
        replay_line(9, text="still broken, so disappointed", reply_to="1001", conversation_id="1001",
                    author={"id": "m", "handle": "maja_h", "name": "Maja"})])
    more = replay_settings(tmp_path, [later])
    collect(engine, more)
    enrich_pending(engine, more)
    route_pending(engine, more)
    items = support.get("/api/queue").json()["items"]
    assert len(items) == 2  # the resolved item stays closed; the new post opens a new one


def test_the_pr_view_ranks_by_reach_then_negativity(tmp_path, engine) -> None:
    posts = write_jsonl(tmp_path / "pr.jsonl", [
        replay_line(1, text="the aura 12 is awful, avoid, so disappointed", author={"id": "a", "handle": "small",
                                                                                    "followers": 20000}),
        replay_line(2, text="the aura 12 is a disaster, terrible, worst phone ever, awful",
                    author={"id": "b", "handle": "big", "followers": 90000}),
        replay_line(3, text="the aura 12 is bad", author={"id": "c", "handle": "mid", "followers": 50000}),
    ])
    settings = replay_settings(tmp_path, [posts])
    collect(engine, settings)
    enrich_pending(engine, settings)
    route_pending(engine, settings)
    add_user(engine, "pr", "pr")
    client = api(settings, engine, "pr")
    by_reach = [i["author_handle"] for i in client.get("/api/queue", params={"team": "pr", "order": "reach"}
                                                       ).json()["items"]]
    assert by_reach == ["big", "mid", "small"]
    browser = TestClient(create_app(settings, engine))
    web_sign_in(browser, engine, "pr")
    page = browser.get("/queue?team=pr").text  # PR's page defaults to reach
    assert page.index("@big") < page.index("@mid") < page.index("@small")


def test_rules_route_on_what_the_crm_says_about_the_customer(tmp_path, engine) -> None:
    with session_scope(engine) as session:
        import_catalog(session, entries=[CatalogEntry(sku="NV-A12", name="Nordvik Aura 12", aliases=["aura 12"])])
    import_customers(engine, write_jsonl(tmp_path / "crm.jsonl", [
        {**CUSTOMER, "lifetime_value": 12_000.0, "segment": "enterprise"},
        {"id": "C8", "name": "Olle Berg", "handles": {"x": "olle"}, "lifetime_value": 90.0}]))
    posts = write_jsonl(tmp_path / "posts.jsonl", [
        replay_line(1, text="my aura 12 battery died again", author={"id": "m", "handle": "maja_h"}),
        replay_line(2, text="my aura 12 battery died again", author={"id": "o", "handle": "olle"}),
    ])
    settings = replay_settings(tmp_path, [posts], rules=[
        {"name": "key-accounts", "when": {"linked": True, "min_value": 5000, "segment": "enterprise"},
         "team": "support", "priority": 1, "tags": ["key-account"]},
        {"name": "rest", "when": {}, "team": "support", "priority": 3}])
    collect(engine, settings)
    enrich_pending(engine, settings)
    route_pending(engine, settings)
    add_user(engine, "support", "support")
    items = {i["author_handle"]: i for i in api(settings, engine, "support").get("/api/queue").json()["items"]}
    assert (items["maja_h"]["rule"], items["maja_h"]["priority"]) == ("key-accounts", 1)
    assert "customer value 12,000 >= 5,000" in items["maja_h"]["reasons"]
    assert (items["olle"]["rule"], items["olle"]["priority"]) == ("rest", 3)


def test_tags_are_added_and_removed_with_the_change_in_the_history(store, engine) -> None:
    support = api(store, engine, "support")
    item = first_item(support)
    tagged = support.post(f"/api/items/{item}/tags", json={"add": ["VIP", "press-risk"], "remove": []})
    assert tagged.status_code == 200 and {"vip", "press-risk"} <= set(tagged.json()["item"]["tags"])
    assert [i["id"] for i in support.get("/api/queue", params={"tag": "vip"}).json()["items"]] == [item]
    untagged = support.post(f"/api/items/{item}/tags", json={"remove": ["vip"]}).json()
    assert "vip" not in untagged["item"]["tags"] and "press-risk" in untagged["item"]["tags"]
    changes = [(h["added"], h["removed"]) for h in untagged["history"] if h["action"] == "tags"]
    assert changes == [(["press-risk", "vip"], []), ([], ["vip"])]
    bad = support.post(f"/api/items/{item}/tags", json={"add": ["<b>x</b>"]})
    assert bad.status_code == 422 and "not allowed" in bad.json()["detail"]
    system = support.post(f"/api/items/{item}/tags", json={"add": ["awaiting-approval"]})
    assert system.status_code == 409
    browser = TestClient(create_app(store, engine))
    csrf = web_sign_in(browser, engine, "support")
    browser.post(f"/items/{item}/tags", data={"add": "callback, legal", "csrf_token": csrf})
    page = browser.get(f"/items/{item}").text
    assert 'value="legal"' in page and 'value="callback"' in page  # each with its remove button


def test_availability_own_load_and_live_counts(store, engine) -> None:
    support, analyst = api(store, engine, "support"), api(store, engine, "analyst")
    assert support.get("/api/me").json()["available"] is False
    me = support.post("/api/me/availability", json={"available": True}).json()
    assert (me["available"], me["open_items"], me["teams"]) == (True, 0, ["support"])
    support.post(f"/api/items/{first_item(support)}/claim")
    counts = support.get("/api/queue/counts").json()
    assert counts == {"teams": {"support": 1, "pr": 0}, "mine": 1, "links_to_review": 0}
    assert "links_to_review" not in analyst.get("/api/queue/counts").json()  # analysts may not see links
    assert analyst.post("/api/me/availability", json={"available": True}).status_code == 403
    browser = TestClient(create_app(store, engine))
    csrf = web_sign_in(browser, engine, "support")
    page = browser.get("/queue?team=support").text
    assert 'data-count="mine">1<' in page and "● Available" in page and 'src="/static/earshot.js"' in page
    away = browser.post("/me/availability", data={"available": "false", "csrf_token": csrf},
                        headers={"referer": "http://testserver/queue?team=support"}, follow_redirects=False)
    assert away.headers["location"] == "/queue?team=support"
    assert support.get("/api/me").json()["available"] is False
    offsite = browser.post("/me/availability", data={"available": "true", "csrf_token": csrf},
                           headers={"referer": "https://evil.example/x"}, follow_redirects=False)
    assert offsite.headers["location"] == "/queue"
