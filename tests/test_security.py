"""Secrets stay secret: passwords and tokens appear in no log record, no CLI output and no error response."""

import logging

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from earshot.api.app import create_app
from earshot.cli import app as cli
from tests.test_queue_work import store  # noqa: F401 - the fixture

PASSWORD = "correct horse battery"
WRONG = "hunter2-not-it"


def test_no_password_or_token_is_logged_or_echoed(store, engine, caplog) -> None:  # noqa: F811
    caplog.set_level(logging.DEBUG)
    client = TestClient(create_app(store, engine), raise_server_exceptions=False)
    failed = client.post("/api/token", data={"username": "support", "password": WRONG})
    token = client.post("/api/token", data={"username": "support", "password": PASSWORD}).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    answers = [failed,
               client.get("/api/queue"), client.get("/api/items/999999"), client.post("/api/items/999999/claim"),
               client.get("/api/queue", params={"limit": "many"}), client.post("/api/logout"),
               client.get("/api/queue")]  # signed out: refused, and says nothing of the token
    assert [answer.status_code for answer in answers] == [401, 200, 404, 404, 422, 204, 401]
    said = "\n".join([record.getMessage() for record in caplog.records] + [answer.text for answer in answers])
    for secret in (PASSWORD, WRONG, token):
        assert secret not in said


def test_users_add_does_not_echo_the_password(tmp_path) -> None:
    config = tmp_path / "earshot.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "s.db"}"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "users", "add", "maja", "--role", "support",
                                      "--password-stdin"], input="a long secret phrase\n")
    assert result.exit_code == 0, result.output
    assert "a long secret phrase" not in result.output and "maja (support) can sign in" in result.output


def test_a_nul_character_in_what_staff_write_is_no_server_error(store, engine) -> None:  # noqa: F811
    """PostgreSQL's text cannot hold one (the suite's PostgreSQL run): it is dropped as the text is stored."""
    from tests.test_queue_work import api, first_item

    support = api(store, engine, "support")
    item = first_item(support)
    assert support.post(f"/api/items/{item}/notes", json={"text": "call her\u0000 back"}).status_code == 200
    notes = [note["text"] for note in support.get(f"/api/items/{item}").json()["notes"]]
    assert any(text.replace("\x00", "") == "call her back" for text in notes)
