"""The replay collector: the schema, malformed lines reported and skipped, cursors that resume."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from listener.replay import parse_line
from listener.run import collect
from storage.engine import session_scope
from storage.models import Author, Post
from tests.factories import replay_line, replay_settings, write_jsonl


def count_posts(engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(Post))


def test_a_line_maps_every_field() -> None:
    line = replay_line(
        1, title="Title", kind="comment", url="https://example.com/1", reply_to="99", conversation_id="98",
        metrics={"likes": 3, "reposts": 4, "replies": 5}, lang="in",
        author={"bio": "she/her", "location": "Jakarta", "verified": True},
    )
    record = parse_line(json.dumps(line).encode())
    assert (record.platform, record.external_id, record.kind, record.title) == ("x", "1001", "comment", "Title")
    assert (record.reply_to, record.conversation_id, record.url) == ("99", "98", "https://example.com/1")
    assert (record.like_count, record.share_count, record.reply_count) == (3, 4, 5)
    assert record.language == "id"  # X's "in" is ISO "id"
    assert (record.author.handle, record.author.bio, record.author.location, record.author.verified) == (
        "user1", "she/her", "Jakarta", True)
    assert record.created_at.tzinfo is not None
    assert record.raw == line


def test_conversation_defaults_to_the_post_itself() -> None:
    assert parse_line(json.dumps(replay_line(5)).encode()).conversation_id == "1005"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (json.dumps({**replay_line(1), "text": None}).encode(), "text"),
        (json.dumps({k: v for k, v in replay_line(1).items() if k != "author"}).encode(), "author"),
        (json.dumps({**replay_line(1), "created_at": "yesterday"}).encode(), "created_at"),
        (json.dumps({**replay_line(1), "created_at": "2026-10-01T12:00:00"}).encode(), "timezone"),
        (json.dumps({**replay_line(1), "author": {"id": "u", "followers": -3}}).encode(), "author.followers"),
        (b"\xff\xfe invalid utf-8", "not valid JSON"),
    ],
)
def test_malformed_lines_say_why(line: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_line(line)


def test_malformed_lines_are_reported_with_file_and_line_and_the_rest_stored(tmp_path: Path, engine) -> None:
    path = write_jsonl(tmp_path / "posts.jsonl", [replay_line(1), "{broken", replay_line(2), "", replay_line(3)])
    runs = collect(engine, replay_settings(tmp_path, [path]))
    assert runs[0].counts["new"] == 3
    assert runs[0].counts["malformed"] == 1
    assert runs[0].problems == [f"{path}:2: not valid JSON (unexpected character, expected a string key: "
                                "line 1 column 2 (char 1))"]
    assert count_posts(engine) == 3


def test_a_rerun_reads_only_lines_appended_since(tmp_path: Path, engine) -> None:
    path = write_jsonl(tmp_path / "posts.jsonl", [replay_line(n) for n in range(5)])
    settings = replay_settings(tmp_path, [path])
    assert collect(engine, settings)[0].counts["fetched"] == 5
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(replay_line(5)) + "\n")
    second = collect(engine, settings)[0]
    assert (second.counts["fetched"], second.counts["new"]) == (1, 1)
    assert count_posts(engine) == 6


def test_a_line_still_being_written_waits_for_the_next_run(tmp_path: Path, engine) -> None:
    path = tmp_path / "posts.jsonl"
    whole = json.dumps(replay_line(1)) + "\n"
    partial = json.dumps(replay_line(2))
    path.write_text(whole + partial[:20], encoding="utf-8")
    settings = replay_settings(tmp_path, [path])
    first = collect(engine, settings)[0]
    assert (first.counts["new"], first.counts["malformed"]) == (1, 0)
    path.write_text(whole + partial + "\n", encoding="utf-8")
    assert collect(engine, settings)[0].counts["new"] == 1
    assert count_posts(engine) == 2


def test_a_final_line_without_newline_is_read(tmp_path: Path, engine) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text(json.dumps(replay_line(1)) + "\n" + json.dumps(replay_line(2)), encoding="utf-8")
    assert collect(engine, replay_settings(tmp_path, [path]))[0].counts["new"] == 2


def test_a_replaced_shorter_file_is_read_again_without_duplicates(tmp_path: Path, engine) -> None:
    path = write_jsonl(tmp_path / "posts.jsonl", [replay_line(n) for n in range(10)])
    settings = replay_settings(tmp_path, [path])
    collect(engine, settings)
    write_jsonl(path, [replay_line(3), replay_line(42)])
    run = collect(engine, settings)[0]
    assert (run.counts["new"], run.counts["duplicates"]) == (1, 1)
    assert count_posts(engine) == 11


def test_batches_commit_with_their_cursor(tmp_path: Path, engine) -> None:
    """Killed after the first batch: the stored posts and the cursor agree, so a rerun loses and repeats nothing."""
    path = write_jsonl(tmp_path / "posts.jsonl", [replay_line(n) for n in range(25)])
    settings = replay_settings(tmp_path, [path], collect={"batch_size": 10})

    class Killed(Exception):
        pass

    def die_after_first(run, batch) -> None:
        raise Killed

    with pytest.raises(Killed):
        collect(engine, settings, on_batch=die_after_first)
    assert count_posts(engine) == 10
    rerun = collect(engine, settings)[0]
    assert (rerun.counts["new"], rerun.counts["duplicates"]) == (15, 0)
    assert count_posts(engine) == 25


def test_missing_file_is_reported_and_other_files_still_read(tmp_path: Path, engine) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [replay_line(1)])
    run = collect(engine, replay_settings(tmp_path, [tmp_path / "missing.jsonl", good]))[0]
    assert run.counts["new"] == 1
    assert any("missing.jsonl: file not found" in p for p in run.problems)


def test_authors_are_shared_between_their_posts(tmp_path: Path, engine) -> None:
    path = write_jsonl(tmp_path / "posts.jsonl", [replay_line(n) for n in range(14)])
    collect(engine, replay_settings(tmp_path, [path]))
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Author)) == 7


def test_deletion_recheck_leaves_replayed_posts_alone(tmp_path: Path, engine) -> None:
    from listener.run import recheck_deleted

    path = write_jsonl(tmp_path / "posts.jsonl", [replay_line(1)])
    settings = replay_settings(tmp_path, [path])
    collect(engine, settings)
    [run] = recheck_deleted(engine, settings)
    assert (run.checked, run.deleted) == (0, 0)  # the replay source cannot say what was deleted upstream
