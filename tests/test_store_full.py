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
