"""A store that fills up mid-collection: one clear line, an intact database, and a rerun that finishes the job."""

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, event

from tests.test_cli import configure, run
from tests.factories import replay_line


def test_a_full_database_is_one_clear_line_and_a_rerun_finishes(tmp_path: Path) -> None:
    posts = [replay_line(n, text=f"post {n} about the aura 12 " + "words " * 300) for n in range(1, 301)]
    config = configure(tmp_path, posts)
    config.write_text(config.read_text() + "[collect]\nbatch_size = 50\n", encoding="utf-8")
    assert run(config, "stats").exit_code == 0  # the store made and migrated
    database = tmp_path / "cli.db"
    with sqlite3.connect(database) as connection:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]

    def little_room(dbapi_connection, _record) -> None:  # as if the disk had ~400 KB left
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 100}")

    event.listen(Engine, "connect", little_room)
    try:
        full = run(config, "collect", "--once")
    finally:
        event.remove(Engine, "connect", little_room)
    assert full.exit_code == 1
    errors = [line for line in full.output.splitlines() if "error" in line]
    assert len(errors) == 1 and errors[0].startswith("error: the database (or the disk it is on) is full: free space")
    assert "Traceback" not in full.output
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kept = connection.execute("SELECT count(*) FROM post").fetchone()[0]
    assert 0 < kept < 300  # the batches that fitted are kept
    again = run(config, "collect", "--once")
    assert again.exit_code == 0, again.output
    with sqlite3.connect(database) as connection:
        ids = [row[0] for row in connection.execute("SELECT external_id FROM post")]
    assert len(ids) == len(set(ids)) == 300


def test_each_known_store_failure_gets_its_advice_and_others_none() -> None:
    from sqlalchemy.exc import OperationalError

    from storage.errors import store_problem

    def failure(said: str) -> OperationalError:
        return OperationalError("INSERT …", {}, Exception(said))

    assert store_problem(failure("database or disk is full")).startswith("the database (or the disk it is on) is full")
    assert store_problem(failure("could not extend file \"base/1/2\": No space left on device")).startswith(
        "the database (or the disk it is on) is full")
    assert store_problem(failure("database is locked")).startswith("the SQLite database stayed locked")
    assert store_problem(failure("attempt to write a readonly database")).startswith("the SQLite database file cannot")
    assert store_problem(failure("connection refused")).startswith("the database server is not reachable")
    assert store_problem(failure("no such column: x")) is None
    assert store_problem(ValueError("database is locked")) is None  # not the store's own error
