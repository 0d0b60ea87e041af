"""The schedule: jobs persist in the database, follow the config, run the stages, and survive kill -9."""

import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from config.settings import replay_target
from earshot.cli import app
from listener.scheduler import EarshotScheduler, stored_jobs
from storage.engine import make_engine, session_scope
from storage.migrate import upgrade
from storage.models import Enrichment, Post
from tests.factories import add_user, make_settings, replay_line, write_jsonl


def schedule(engine, settings) -> dict[str, tuple[float, object]]:
    """Start the scheduler on the config, stop it, and read what the job store kept."""
    scheduler = EarshotScheduler(engine, settings)
    scheduler.start()
    time.sleep(0.5)  # new jobs run at once; let them finish so their next run moves into the future
    scheduler.shutdown()
    return {job.id: (job.every_seconds, job.next_run) for job in stored_jobs(engine)}


def test_jobs_persist_and_follow_the_config(tmp_path, engine) -> None:
    files = [str(tmp_path / "a.jsonl")]
    settings = make_settings(tmp_path, listen=[replay_target("a", files), replay_target("b", files)])
    first = schedule(engine, settings)
    assert set(first) == {"collect:a", "collect:b", "drain", "customer-models"}
    assert first["collect:a"][0] == 300 and first["drain"][0] == 30 and first["customer-models"][0] == 86_400
    again = schedule(engine, settings)
    assert again == first, "a restart must keep jobs and their next run times"
    slower = settings.listen[1].model_copy(update={"every": timedelta(minutes=10)})
    changed = schedule(engine, settings.model_copy(update={"listen": [slower]}))
    assert set(changed) == {"collect:b", "drain", "customer-models"} and changed["collect:b"][0] == 600


def test_jobs_collect_enrich_and_route(tmp_path, engine) -> None:
    path = write_jsonl(tmp_path / "posts.jsonl", [replay_line(n) for n in range(50)])
    settings = make_settings(tmp_path, listen=[replay_target("files", [str(path)]).model_copy(update={"every": timedelta(seconds=1)})],
                             schedule={"drain_every": "1s"})
    scheduler = EarshotScheduler(engine, settings)
    scheduler.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and count(engine, Enrichment) < 50:
            time.sleep(0.2)
    finally:
        scheduler.shutdown()
    assert count(engine, Post) == count(engine, Enrichment) == 50


def count(engine, model) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_schedule_list_shows_jobs_and_last_runs(tmp_path, monkeypatch) -> None:
    from earshot.cli import state as cli_state

    monkeypatch.setattr(cli_state.console, "width", 200)  # one row a job (the console may predate any COLUMNS)
    path = write_jsonl(tmp_path / "posts.jsonl", [replay_line(1)])
    config = tmp_path / "earshot.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "s.db"}"\n'
                      f'[[listen]]\nname = "files"\nplatform = "replay"\npath = "{path}"\nevery = "2m"\n')
    runner = CliRunner()
    assert runner.invoke(app, ["--config", str(config), "collect", "--once"]).exit_code == 0
    before = runner.invoke(app, ["--config", str(config), "schedule", "list"])
    assert "configured but not scheduled yet" in before.output and "files" in before.output
    from earshot.cli.state import CliState

    cli = CliState(config_file=config)
    scheduler = EarshotScheduler(cli.engine, cli.settings)
    scheduler.start()
    deadline = time.monotonic() + 30
    try:
        while True:  # until the scheduler has stored its jobs (a busy machine takes longer than an idle one)
            result = runner.invoke(app, ["--config", str(config), "schedule", "list"])
            assert result.exit_code == 0, result.output
            if "collect:files" in result.output:
                break
            assert time.monotonic() < deadline, result.output
            time.sleep(0.1)
    finally:
        scheduler.shutdown()
    row = next(line for line in result.output.splitlines() if "collect:files" in line)
    assert "120s" in row and row.count(time.strftime("%Y-%m-%d", time.gmtime())) == 2  # next run and last run
    assert "not scheduled yet" not in result.output


def test_a_killed_process_loses_and_repeats_nothing(tmp_path) -> None:
    total = 12_000  # enough that the kill (at the first stored batch) always lands mid-collection
    write_jsonl(tmp_path / "data" / "posts.jsonl", [replay_line(n) for n in range(total)])
    database = tmp_path / "run.db"
    config = tmp_path / "earshot.toml"
    config.write_text(
        f'database_url = "sqlite:///{database}"\n[collect]\nbatch_size = 200\n[schedule]\ndrain_every = "1s"\n'
        '[[listen]]\nname = "files"\nplatform = "replay"\npath = "data/*.jsonl"\nevery = "1s"\n'
    )
    command = [sys.executable, "-m", "earshot", "--config", str(config), "run", "--no-serve"]

    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    stored_at_kill = wait_for(database, lambda n: n > 0, "posts to start arriving")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert jobs_in_store(database) == {"collect:files", "drain", "customer-models"}, \
        "jobs must still be scheduled after kill -9"
    killed_with = posts(database)[0]
    assert killed_with < total, "the kill came after collection finished; the test proves nothing"

    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(database, lambda n: n == total, "collection to finish after the restart", timeout=120)
        wait_for(database, lambda n: n == total, "enrichment to catch up", column="enriched", timeout=120)
    finally:
        second.send_signal(signal.SIGTERM)
        output, _ = second.communicate(timeout=60)
    assert second.returncode == 0, output
    assert "stopped" in output
    assert "standing by" not in output, "the killed leader was on this machine: its lease need not be waited out"
    assert "Traceback" not in output and "WARNING" not in output, output  # routine scheduler news stays quiet
    stored, distinct, enriched = posts(database)
    assert stored == distinct == enriched == total
    print(f"killed with {killed_with} of {total} stored (first seen {stored_at_kill}); after restart: {stored}")


def posts(database: Path) -> tuple[int, int, int]:
    with sqlite3.connect(database, timeout=30) as connection:
        stored, distinct = connection.execute("SELECT COUNT(*), COUNT(DISTINCT platform || external_id) FROM post").fetchone()
        enriched = connection.execute("SELECT COUNT(*) FROM enrichment").fetchone()[0]
    return stored, distinct, enriched


def jobs_in_store(database: Path) -> set[str]:
    with sqlite3.connect(database, timeout=30) as connection:
        return {row[0] for row in connection.execute("SELECT id FROM apscheduler_jobs")}


def wait_for(database: Path, ready, what: str, *, column: str = "stored", timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    value = -1
    while time.monotonic() < deadline:
        if database.exists():
            try:
                stored, _, enriched = posts(database)
                value = stored if column == "stored" else enriched
                if ready(value):
                    return value
            except sqlite3.OperationalError:
                pass  # tables not created yet
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what} (last value {value})")


def test_run_serves_and_stops_cleanly_on_sigterm(tmp_path) -> None:
    import httpx

    from tests.test_serve import free_port

    write_jsonl(tmp_path / "posts.jsonl", [replay_line(n) for n in range(20)])
    config = tmp_path / "earshot.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "run.db"}"\n[schedule]\ndrain_every = "1s"\n'
                      '[[listen]]\nname = "files"\nplatform = "replay"\npath = "posts.jsonl"\nevery = "1m"\n')
    port = free_port()
    users = make_engine(f"sqlite:///{tmp_path / 'run.db'}")
    upgrade(users)
    add_user(users, "watcher", "analyst")  # the API answers only signed-in staff
    users.dispose()
    process = subprocess.Popen([sys.executable, "-m", "earshot", "--config", str(config), "run", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        stats = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                signed = httpx.post(f"http://127.0.0.1:{port}/api/token", timeout=2,
                                    data={"username": "watcher", "password": "correct horse battery"}).json()
                stats = httpx.get(f"http://127.0.0.1:{port}/api/stats", timeout=2,
                                  headers={"Authorization": f"Bearer {signed['access_token']}"}).json()
                if stats["enriched"] == 20:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        assert stats and stats["posts"] == stats["enriched"] == 20
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "scheduled 3 jobs" in output and output.rstrip().endswith("stopped")
