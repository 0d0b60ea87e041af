"""The database goes away for a while and comes back: the API answers 503 (with Retry-After, no stack trace) in
between and recovers by itself; a worker says so in one line, retries, and goes on without a restart."""

import re
import threading
import time
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bench.enrich import write_posts
from config.settings import replay_target
from earshot.api.app import create_app
from listener.run import collect
from storage.engine import make_engine, session_scope
from storage.migrate import ensure_current
from storage.models import Enrichment
from tests import postgres_server
from tests.factories import api_sign_in, make_settings, spawn_worker

pytestmark = pytest.mark.skipif(not postgres_server.wanted(), reason=(
    "stops and starts a PostgreSQL server of its own: runs in the PostgreSQL run (PYTEST_EARSHOT_DATABASE="
    "postgresql; `./dev test` and .ci/run do both runs)"))


@pytest.fixture
def own_server():
    """A PostgreSQL server this test may stop (not the suite's shared one)."""
    server = postgres_server.PostgresServer().start()
    yield server
    server.stop()


@contextmanager
def enrich_worker(settings):
    """An `earshot worker enrich` polling every 0.2 s, its output lines gathered as they come; SIGTERM at the end."""
    worker = spawn_worker(settings, "enrich", "--concurrency", "1", env={"EARSHOT_WORKERS__POLL_EVERY": "0.2s"})
    said: list[str] = []
    reader = threading.Thread(target=lambda: said.extend(worker.stdout), daemon=True)
    reader.start()
    try:
        yield worker, said
    finally:
        worker.terminate()
        worker.wait(timeout=120)
        reader.join(timeout=10)


def enriched(engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(Enrichment))


def test_an_outage_is_a_503_and_everything_recovers_without_a_restart(tmp_path, own_server):
    posts = tmp_path / "posts.jsonl"
    write_posts(posts, 200)
    settings = make_settings(tmp_path, database_url=own_server.database_for("outage"),
                             listen=[replay_target("posts", [str(posts)])])
    engine = make_engine(settings.database_url)
    ensure_current(engine)
    with enrich_worker(settings) as (worker, said):
        with TestClient(create_app(settings, engine), raise_server_exceptions=False) as client:
            api_sign_in(client, engine)
            assert client.get("/api/stats").status_code == 200
            deadline = time.monotonic() + 120
            while not any("started as" in line for line in said) and time.monotonic() < deadline:
                time.sleep(0.1)  # the worker is up and polling the store

            own_server.halt()
            for path in ("/api/stats", "/api/queue", "/api/customers"):
                response = client.get(path)
                assert response.status_code == 503, (path, response.text)
                assert response.headers["Retry-After"] == "5"
                assert response.json() == {"detail": "the database server is not reachable; try again shortly"}
            page = client.get("/queue")
            assert page.status_code == 503 and "Traceback" not in page.text and "not reachable" in page.text
            time.sleep(2.5)  # the worker has met the outage by now

            own_server.resume()
            assert client.get("/api/stats").status_code == 200  # the same app, the same engine
        collect(engine, settings)  # new posts: the worker, never restarted, enriches them
        deadline = time.monotonic() + 240
        while enriched(engine) < 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert enriched(engine) == 200, "".join(said)
    output = "".join(said)
    assert re.search(r"\n\S+ enrich: the database server is not reachable: start it or check database_url; trying again "
                     r"in \d+ s\n", output), output
    assert "the store failed" not in output  # every failure of the outage was recognised
    assert "Traceback" not in output
    assert worker.returncode == 0, output  # SIGTERM: a clean stop


def test_a_worker_started_before_its_database_waits_for_it(tmp_path, own_server):
    posts = tmp_path / "posts.jsonl"
    write_posts(posts, 50)
    settings = make_settings(tmp_path, database_url=own_server.database_for("late"),
                             listen=[replay_target("posts", [str(posts)])])
    engine = make_engine(settings.database_url)
    ensure_current(engine)
    collect(engine, settings)
    engine.dispose()
    own_server.halt()  # down before the worker starts (a machine booting, compose starting everything at once)
    with enrich_worker(settings) as (worker, said):
        deadline = time.monotonic() + 120
        while not any("trying again" in line for line in said) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert worker.poll() is None, "".join(said)  # waiting, not exited
        own_server.resume()
        deadline = time.monotonic() + 240
        while enriched(engine) < 50 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert enriched(engine) == 50, "".join(said)
    output = "".join(said)
    assert re.search(r"enrich: the database server is not reachable: start it or check database_url; trying again in "
                     r"\d+ s\n", output), output
    assert "started as" in output and "Traceback" not in output
    assert worker.returncode == 0, output
