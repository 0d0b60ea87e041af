"""The HTTP app in-process: queue page escapes untrusted text, security headers, JSON API."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from earshot.api.app import create_app
from storage.engine import make_engine
from engage.router import route_pending
from enrich.pipeline import enrich_pending
from listener.run import collect
from tests.factories import replay_line, replay_settings, web_sign_in, write_jsonl

EVIL = '<script>alert("pwned")</script> my aura 12 is broken'


@pytest.fixture
def client(tmp_path: Path, engine):
    posts = write_jsonl(tmp_path / "posts.jsonl", [
        replay_line(1, text=EVIL, url="javascript:alert(1)",
                    author={"id": "e", "handle": "evil", "name": "<img src=x onerror=alert(1)>", "bio": "x"}),
        replay_line(2, text="battery drains fast, so disappointed", author={"id": "f", "handle": "fine"},
                    url="https://x.com/fine/status/1002"),
    ])
    settings = replay_settings(tmp_path, [posts])
    collect(engine, settings)
    enrich_pending(engine, settings)
    route_pending(engine, settings)
    with TestClient(create_app(settings, engine)) as client:
        web_sign_in(client, engine, "support")
        yield client


def test_post_text_and_names_are_escaped(client: TestClient) -> None:
    page = client.get("/queue?team=support")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text


def test_only_http_links_reach_an_href(client: TestClient) -> None:
    page = client.get("/queue?team=support").text
    assert "javascript:" not in page
    assert 'href="https://x.com/fine/status/1002"' in page


def test_security_headers(client: TestClient) -> None:
    response = client.get("/queue")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_home_redirects_to_the_support_queue(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/queue?team=support"


def test_queue_api_lists_items_with_paging(client: TestClient) -> None:
    body = client.get("/api/queue", params={"team": "support", "limit": 1}).json()
    assert body["total"] == 2 and len(body["items"]) == 1
    item = body["items"][0]
    assert item["team"] == "support" and item["text"] and item["rule"].startswith("support-")
    assert client.get("/api/queue", params={"team": "pr"}).json()["total"] == 0


def test_queue_api_rejects_bad_parameters_in_fastapis_shape(client: TestClient) -> None:
    for params, field in (({"limit": 0}, "limit"), ({"sentiment": "angry"}, "sentiment"), ({"overdue": "maybe"}, "overdue"),
                          ({"offset": "x"}, "offset"), ({"team": "t" * 33}, "team")):
        response = client.get("/api/queue", params=params)
        assert response.status_code == 422, params
        assert [error["loc"] for error in response.json()["detail"]] == [["query", field]]
    assert client.get("/api/queue", params={"overdue": "true", "limit": 200}).status_code == 200


def test_stats_and_health(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"ok": True}
    stats = client.get("/api/stats").json()
    assert (stats["posts"], stats["enriched"], stats["queue"]["support"]) == (2, 2, 2)


def test_openapi_schema_is_served(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    listing = schema["paths"]["/api/queue"]["get"]
    parameters = {parameter["name"]: parameter for parameter in listing["parameters"]}
    assert {"team", "state", "platform", "product", "sentiment", "tag", "assignee", "overdue", "order", "limit",
            "offset"} <= parameters.keys()
    assert parameters["limit"]["in"] == "query" and parameters["limit"]["schema"]["maximum"] == 200
    assert parameters["sentiment"]["schema"]["anyOf"][0]["pattern"] == "^(negative|neutral|positive)$"
    assert "QueuePage" in listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]


def test_the_server_reads_its_sqlite_store_through_memory_mapping(tmp_path: Path) -> None:
    from earshot.api.app import SERVER_MAPPED_BYTES
    from sqlalchemy import text

    settings = replay_settings(tmp_path, [write_jsonl(tmp_path / "posts.jsonl", [replay_line(1)])],
                               database_url=f"sqlite:///{tmp_path / 'mapped.db'}")  # a SQLite store's feature
    app = create_app(settings)  # as `earshot serve` makes it: its own engine
    with app.state.engine.connect() as connection:
        assert connection.execute(text("PRAGMA mmap_size")).scalar() == SERVER_MAPPED_BYTES
    with make_engine(settings.database_url).connect() as connection:  # the CLI's stages: not mapped (RSS stays honest)
        assert connection.execute(text("PRAGMA mmap_size")).scalar() == 0


def test_a_url_with_a_nul_character_is_refused(client: TestClient) -> None:
    for url in ("/api/queue?team=sup%00port", "/api/queue?team=%00", "/queue?tag=a%00b"):
        answer = client.get(url)
        assert answer.status_code == 400 and answer.json()["detail"].startswith("NUL characters"), url
    assert client.get("/api/queue?team=support").status_code == 200
