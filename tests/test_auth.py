"""Signing in (tokens, browser sessions with CSRF), users from the CLI, and the matrix of every route and role."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from earshot.api.app import ROUTERS, create_app
from earshot.cli import app
from storage.imports.customers import import_customers
from storage.models.staff import ROLES
from tests.factories import add_user, api_sign_in, write_jsonl

PASSWORD = "correct horse battery"
# Who may use each route: "public", or the roles (admin may always). A route missing here fails the test below.
ALLOWED = {
    ("POST", "/api/token"): "public",
    ("POST", "/api/logout"): "public",
    ("GET", "/healthz"): "public",
    ("GET", "/login"): "public",
    ("POST", "/login"): "public",
    ("GET", "/"): "public",  # redirects to the queue, which asks for a sign-in
    ("POST", "/logout"): {"pr", "support", "analyst"},
    ("GET", "/api/stats"): {"pr", "support", "analyst"},
    ("GET", "/api/queue"): {"pr", "support", "analyst"},
    ("GET", "/api/posts/{post}/routing"): {"pr", "support", "analyst"},
    ("GET", "/queue"): {"pr", "support", "analyst"},
    ("GET", "/api/items/{item_id}"): {"pr", "support", "analyst"},
    ("GET", "/items/{item_id}"): {"pr", "support", "analyst"},
    ("GET", "/api/items/{item_id}/canned"): {"pr", "support", "analyst"},
    ("POST", "/api/items/{item_id}/claim"): {"pr", "support"},
    ("POST", "/api/items/{item_id}/transition"): {"pr", "support"},
    ("POST", "/api/items/{item_id}/notes"): {"pr", "support"},
    ("POST", "/items/{item_id}/act"): {"pr", "support"},
    ("POST", "/items/{item_id}/notes"): {"pr", "support"},
    ("POST", "/api/items/{item_id}/replies"): {"pr", "support"},
    ("POST", "/api/replies/{reply_id}/retry"): {"pr", "support"},
    ("POST", "/items/{item_id}/replies"): {"pr", "support"},
    ("POST", "/items/{item_id}/replies/{reply_id}/retry"): {"pr", "support"},
    ("POST", "/api/replies/{reply_id}/approve"): {"pr", "support"},
    ("POST", "/api/replies/{reply_id}/reject"): {"pr", "support"},
    ("POST", "/items/{item_id}/replies/{reply_id}/review"): {"pr", "support"},
    ("POST", "/api/items/{item_id}/tags"): {"pr", "support"},
    ("POST", "/items/{item_id}/tags"): {"pr", "support"},
    ("GET", "/api/me"): {"pr", "support", "analyst"},
    ("POST", "/api/me/availability"): {"pr", "support"},
    ("POST", "/me/availability"): {"pr", "support"},
    ("GET", "/api/queue/counts"): {"pr", "support", "analyst"},
    ("GET", "/api/trends"): {"pr", "support", "analyst"},
    ("GET", "/analytics"): {"pr", "support", "analyst"},
    ("GET", "/api/exports/{kind}"): {"pr", "support", "analyst"},
    ("GET", "/vendor/vega.js"): "public",  # a library: Vega, Vega-Lite and vega-embed
    ("GET", "/api/links"): {"pr", "support"},
    ("GET", "/api/links/{link_id}"): {"pr", "support"},
    ("GET", "/links"): {"pr", "support"},
    ("POST", "/api/links/{link_id}/{decision}"): {"support"},
    ("POST", "/links/{link_id}/{decision}"): {"support"},
    ("GET", "/api/customers"): {"pr", "support"},
    ("GET", "/api/customers/{customer_id}"): {"pr", "support"},
    ("GET", "/customers"): {"pr", "support"},
    ("GET", "/customers/{customer_id}"): {"pr", "support"},
    ("GET", "/api/advocates"): {"pr", "support", "analyst"},
    ("GET", "/advocates"): {"pr", "support", "analyst"},
}
EXAMPLE = {"kind": "trends",
           "link_id": "1", "decision": "confirm", "customer_id": "C1", "item_id": "1", "reply_id": "1", "post": "1"}


@pytest.fixture
def client(tmp_path: Path, engine, settings):
    import_customers(engine, write_jsonl(tmp_path / "crm.jsonl", [{"id": "C1", "name": "Ann Lee"}]))
    for role in ROLES:
        add_user(engine, role, role)
    with TestClient(create_app(settings, engine)) as client:
        yield client


def routes() -> list[tuple[str, str]]:
    return sorted((method, route.path) for router in ROUTERS for route in router.routes for method in route.methods)


def test_every_route_is_in_the_matrix() -> None:
    assert set(routes()) == set(ALLOWED)


def url(path: str) -> str:
    return re.sub(r"{(\w+)}", lambda m: EXAMPLE[m.group(1)], path)


def token(client: TestClient, role: str) -> str:
    response = client.post("/api/token", data={"username": role, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def test_the_matrix_of_routes_and_roles(client: TestClient) -> None:
    tokens = {role: token(client, role) for role in ROLES}
    checked = 0
    for method, path in routes():
        allowed = ALLOWED[(method, path)]
        if allowed == "public":
            continue
        anonymous = client.request(method, url(path), follow_redirects=False)
        if path.startswith("/api/"):
            assert anonymous.status_code == 401, (method, path)
        else:
            assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login"), (method, path)
        for role in ROLES:
            response = client.request(method, url(path), headers={"Authorization": f"Bearer {tokens[role]}"},
                                      follow_redirects=False)
            if role == "admin" or role in allowed:
                assert response.status_code not in (401, 403), (method, path, role, response.text)
            else:
                assert response.status_code == 403, (method, path, role, response.status_code)
            checked += 1
    assert checked == 4 * len([a for a in ALLOWED.values() if a != "public"])


def test_tokens_passwords_and_revocation(client: TestClient, engine) -> None:
    assert client.post("/api/token", data={"username": "support", "password": "wrong"}).status_code == 401
    assert client.post("/api/token", data={"username": "nobody", "password": PASSWORD}).status_code == 401
    bearer = {"Authorization": f"Bearer {token(client, 'support')}"}
    assert client.get("/api/queue", headers=bearer).status_code == 200
    assert client.get("/api/queue", headers={"Authorization": "Bearer forged"}).status_code == 401
    assert client.post("/api/logout", headers=bearer).status_code == 204
    assert client.get("/api/queue", headers=bearer).status_code == 401  # revoked


def test_browser_sessions_need_the_csrf_token_and_stay_on_site(client: TestClient) -> None:
    failed = client.post("/login", data={"username": "support", "password": "nope"}, follow_redirects=False)
    assert failed.headers["location"].startswith("/login?failed=1")
    signed = client.post("/login", data={"username": "support", "password": PASSWORD,
                                         "next": "//evil.example/phish"}, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/"  # never off-site
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = client.get("/queue").text
    assert "support · support" in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/logout", follow_redirects=False).status_code == 403  # no token: a forged request
    assert client.post("/logout", data={"csrf_token": "guess"}, follow_redirects=False).status_code == 403
    out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303 and client.get("/queue", follow_redirects=False).status_code == 303


def test_a_forbidden_page_says_so_in_html(client: TestClient, engine) -> None:
    api_sign_in(client, engine, "analyst")
    page = client.get("/customers")
    assert page.status_code == 403 and "Not allowed" in page.text and "analyst" in page.text


def test_users_from_the_cli(tmp_path: Path, settings, engine) -> None:
    runner = CliRunner()
    env = {"EARSHOT_DATABASE_URL": settings.database_url}
    config = ["--config", str(tmp_path / "earshot.toml")]
    added = runner.invoke(app, [*config, "users", "add", "Kim", "--role", "support", "--password-stdin"],
                          input="long enough secret\n", env=env)
    assert added.exit_code == 0, added.output
    short = runner.invoke(app, [*config, "users", "add", "lee", "--role", "pr", "--password-stdin"], input="short\n",
                          env=env)
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    wrong = runner.invoke(app, [*config, "users", "add", "lee", "--role", "boss", "--password-stdin"],
                          input="long enough secret\n", env=env)
    assert wrong.exit_code == 1 and "unknown role 'boss'" in wrong.output
    client = TestClient(create_app(settings, engine))
    assert client.post("/api/token", data={"username": "kim", "password": "long enough secret"}).status_code == 200
    assert runner.invoke(app, [*config, "users", "disable", "kim"], env=env).exit_code == 0
    assert client.post("/api/token", data={"username": "kim", "password": "long enough secret"}).status_code == 401
    listed = runner.invoke(app, [*config, "users", "list"], env=env)
    assert "kim" in listed.output and "disabled" in listed.output


def test_a_signed_in_get_holds_one_pooled_connection_at_a_time(tmp_path: Path, settings) -> None:
    """Signing in and reading the token and then the queue page must not hold two connections at once: with a pool
    of one, a request that did would wait for itself (under load, requests with different tokens took every
    connection and waited for each other: found by bench/soak)."""
    from storage.engine import make_engine
    from storage.migrate import ensure_current

    engine = make_engine(settings.database_url, pool_size=1, max_overflow=0, pool_timeout=2)
    ensure_current(engine)
    add_user(engine, "pr", "pr")
    with TestClient(create_app(settings, engine)) as client:
        wrong = client.post("/api/token", data={"username": "pr", "password": "not it"})
        assert wrong.status_code == 401  # the failure is written once the sign-in's own connection is back
        signed = token(client, "pr")
        for path in ("/api/queue?team=pr", "/api/stats", "/api/queue?team=support&state=new"):
            response = client.get(path, headers={"Authorization": f"Bearer {signed}"})
            assert response.status_code == 200, (path, response.text)
    engine.dispose()
