"""The X collector: real tweepy client code against recorded API v2 responses (no network, no waiting)."""

import json
from pathlib import Path

import pytest
from sqlalchemy import select

import listener.x
from config.targets import XTarget
from listener.run import collect, recheck_deleted
from listener.x import XCollector
from listener.x_records import created_from_snowflake, map_page
from storage.engine import session_scope
from storage.models import Author, Post, ReadUsage
from storage.repo.runs import load_cursor
from tests.conftest import SHARED_FIXTURES
from tests.factories import make_settings
from tests.recordings import HERE, play

X = HERE / "x"
NEWEST_FIRST_RUN = "1858000000000000103"


def x_settings(tmp_path: Path, *, token: str | None = "test-bearer-token", **target):
    target = {"name": "brand-x", "platform": "x", "query": "nordvik"} | target
    collect_options = target.pop("collect", {})
    return make_settings(tmp_path, listen=[XTarget(**target)], x_bearer_token=token, collect=collect_options)


def posts(engine) -> dict[str, Post]:
    with session_scope(engine) as session:
        return {post.external_id: post for post in session.scalars(select(Post))}


def run_x(engine, settings, cassette: str | Path):
    with play(cassette if isinstance(cassette, Path) else X / cassette) as recording:
        [run] = collect(engine, settings)
    assert recording.all_played, "some recorded exchanges were never requested"
    return run


def test_first_run_pages_through_and_drops_noise(tmp_path, engine, sleeps) -> None:
    run = run_x(engine, x_settings(tmp_path), "search_first_run.yaml")
    assert dict(run.counts) == {"fetched": 5, "new": 3, "duplicates": 0, "malformed": 0, "noise": 2}
    stored = posts(engine)
    assert {"1858000000000000101", "1858000000000000103"} < set(stored)  # not the retweet "...102"
    assert len({"1858000000000000097", "1858000000000000098"} & set(stored)) == 1  # one of the identical twins
    with session_scope(engine) as session:
        assert load_cursor(session, target="brand-x") == {"since_id": NEWEST_FIRST_RUN}
    assert sleeps == []


def test_every_stored_field_is_mapped(tmp_path, engine) -> None:
    run_x(engine, x_settings(tmp_path), "search_first_run.yaml")
    reply = posts(engine)["1858000000000000103"]
    assert reply.text.startswith("@anna_lq Sorry to hear that!")
    assert (reply.reply_to, reply.conversation_id) == ("1858000000000000101", "1858000000000000101")
    assert reply.url == "https://x.com/nordvik_support/status/1858000000000000103"
    assert reply.created_at.isoformat() == "2026-11-20T08:10:00+00:00"
    assert (reply.language, reply.like_count, reply.share_count, reply.reply_count) == ("en", 0, 4, 2)
    assert reply.raw["tweet"]["id"] == reply.external_id and reply.raw["author"]["username"] == "nordvik_support"
    assert reply.target == "brand-x"
    assert posts(engine)["1858000000000000098"].language == "id"  # X says "in"
    with session_scope(engine) as session:
        anna = session.scalars(select(Author).where(Author.handle == "anna_lq")).one()
    assert (anna.external_id, anna.display_name, anna.bio, anna.location, anna.followers, anna.verified) == (
        "2001", "Anna Lindqvist", "she/her · 29 · Uppsala", "Uppsala, Sverige", 312, False)


def test_second_run_fetches_only_newer_posts_and_nothing_twice(tmp_path, engine) -> None:
    settings = x_settings(tmp_path)
    run_x(engine, settings, "search_first_run.yaml")
    second = run_x(engine, settings, "search_second_run.yaml")
    third = run_x(engine, settings, "search_nothing_new.yaml")
    assert (second.counts["new"], third.counts["new"], third.counts["fetched"]) == (1, 0, 0)
    assert len(posts(engine)) == 4
    with session_scope(engine) as session:
        assert load_cursor(session, target="brand-x")["since_id"] == "1858000000000000201"


def test_twice_over_stores_each_post_once(tmp_path, engine) -> None:
    for _ in range(2):
        with session_scope(engine) as session:
            from storage.repo.runs import save_cursor

            save_cursor(session, target="brand-x", value={})  # forget the cursor: the same posts come again
        run = run_x(engine, x_settings(tmp_path), "search_first_run.yaml")
    assert (run.counts["new"], run.counts["duplicates"]) == (0, 3)
    assert len(posts(engine)) == 3


def test_rate_limit_waits_until_reset(tmp_path, engine, sleeps, monkeypatch) -> None:
    monkeypatch.setattr(listener.x.time, "time", lambda: 1_795_000_000 - 120)
    run = run_x(engine, x_settings(tmp_path), "search_rate_limited.yaml")
    assert run.counts["new"] == 1 and run.error is None
    assert sleeps == [121]


def test_rate_limit_beyond_the_bound_gives_up_and_keeps_the_cursor(tmp_path, engine, sleeps, monkeypatch) -> None:
    monkeypatch.setattr(listener.x.time, "time", lambda: 1_795_000_000 - 3 * 3600)
    settings = x_settings(tmp_path)
    with play(X / "search_rate_limited.yaml", allow_playback_repeats=False) as recording:
        [run] = collect(engine, settings)
    assert recording.play_count == 1 and sleeps == []
    assert "rate limited for 10801s more" in run.error and run.counts["errors"] == 1
    with session_scope(engine) as session:
        assert load_cursor(session, target="brand-x") == {}


def test_server_errors_are_retried_with_backoff(tmp_path, engine, sleeps) -> None:
    run = run_x(engine, x_settings(tmp_path), "search_server_errors.yaml")
    assert run.counts["new"] == 1 and run.error is None
    assert len(sleeps) == 2 and all(0 <= s <= 2 * 32 for s in sleeps)


def test_persistent_server_errors_end_the_run_and_a_later_run_catches_up(tmp_path, engine, sleeps) -> None:
    settings = x_settings(tmp_path, collect={"retries": 2})
    down = run_x(engine, settings, "search_server_down.yaml")
    assert "server error 503 after 3 attempts" in down.error and len(sleeps) == 2
    up = run_x(engine, settings, "search_server_errors.yaml")
    assert up.counts["new"] == 1


def test_malformed_json_is_retried(tmp_path, engine, sleeps) -> None:
    run = run_x(engine, x_settings(tmp_path), "search_malformed.yaml")
    assert run.counts["new"] == 1 and len(sleeps) == 1


def test_a_tweet_without_its_author_is_reported(tmp_path, engine) -> None:
    run = run_x(engine, x_settings(tmp_path), "search_no_author.yaml")
    assert run.counts["malformed"] == 1 and run.counts["new"] == 0
    assert "author is missing from includes.users" in run.problems[0]


def test_bad_token_is_one_clear_error(tmp_path, engine) -> None:
    run = run_x(engine, x_settings(tmp_path), "search_unauthorized.yaml")
    assert run.error == "X rejected the bearer token (401); check EARSHOT_X_BEARER_TOKEN"


def test_missing_token_means_not_configured_and_others_run(tmp_path, engine) -> None:
    from config.settings import replay_target
    from tests.factories import replay_line, write_jsonl

    replay = write_jsonl(tmp_path / "r.jsonl", [replay_line(1)])
    settings = make_settings(tmp_path, listen=[XTarget(name="brand-x", platform="x", query="nordvik"),
                                               replay_target("files", [str(replay)])])
    runs = {run.target: run for run in collect(engine, settings)}
    assert "EARSHOT_X_BEARER_TOKEN" in runs["brand-x"].not_configured
    assert runs["files"].counts["new"] == 1


def test_budget_stops_collection_and_is_counted(tmp_path, engine) -> None:
    settings = x_settings(tmp_path, monthly_read_budget=3)
    with play(X / "search_first_run.yaml") as recording:
        [first] = collect(engine, settings)
    assert recording.play_count == 1, "the second page must not be read once the budget is spent"
    assert first.counts["fetched"] == 3 and first.budget_left == 0
    assert any("monthly read budget spent" in problem for problem in first.problems)
    with session_scope(engine) as session:
        assert session.scalars(select(ReadUsage.reads)).all() == [3]
        pending = load_cursor(session, target="brand-x")["pending"]
    assert pending["next_token"]  # next month continues where this one stopped
    [again] = collect(engine, settings)
    assert again.counts["fetched"] == 0 and "budget spent" in again.problems[0]


def test_global_budget_across_targets(tmp_path, engine) -> None:
    settings = make_settings(tmp_path, x={"monthly_read_budget": 0}, x_bearer_token="t", listen=[
        XTarget(name="a", platform="x", query="nordvik"), XTarget(name="b", platform="x", mentions_of="nordvik")])
    runs = collect(engine, settings)
    assert [run.budget_left for run in runs] == [0, 0] and all(run.counts["fetched"] == 0 for run in runs)


def test_global_budget_is_shared_by_the_platforms_targets(tmp_path, engine) -> None:
    from storage.repo.usage import add_reads

    with session_scope(engine) as session:
        add_reads(session, target="other-x-target", platform="x", reads=8)
    settings = x_settings(tmp_path).model_copy(update={"x": make_settings(tmp_path, x={"monthly_read_budget": 10}).x})
    with play(X / "search_first_run.yaml"):
        [run] = collect(engine, settings)
    assert run.counts["fetched"] == 3 and run.budget_left == 0


def test_expired_pagination_token_starts_again_from_since_id(tmp_path, engine) -> None:
    settings = x_settings(tmp_path)
    with session_scope(engine) as session:
        from storage.repo.runs import save_cursor

        save_cursor(session, target="brand-x", value={
            "since_id": "1858000000000000101",
            "pending": {"since_id": "1858000000000000101", "next_token": "expired", "newest_id": None}})
    run = run_x(engine, settings, "search_stale_token.yaml")
    assert run.counts["new"] == 1 and run.error is None
    with session_scope(engine) as session:
        assert load_cursor(session, target="brand-x") == {"since_id": "1858000000000000201"}


def test_mentions_of_an_account(tmp_path, engine) -> None:
    settings = x_settings(tmp_path, query=None, mentions_of="@nordvik")
    run = run_x(engine, settings, "mentions.yaml")
    assert run.counts["new"] == 2
    with session_scope(engine) as session:
        assert load_cursor(session, target="brand-x")["user_id"] == "1000"


def test_mentions_of_an_unknown_account(tmp_path, engine) -> None:
    run = run_x(engine, x_settings(tmp_path, query=None, mentions_of="nordvikk"), "mentions_unknown_account.yaml")
    assert "X has no account @nordvikk" in run.error


def test_deleted_posts_lose_their_text(tmp_path, engine) -> None:
    settings = x_settings(tmp_path)
    run_x(engine, settings, "search_first_run.yaml")
    run_x(engine, settings, "search_second_run.yaml")
    with session_scope(engine) as session:
        from sqlalchemy import update

        session.execute(update(Post).where(Post.external_id.in_(["1858000000000000098", "1858000000000000103"]))
                        .values(deleted_at=Post.collected_at))  # already known deleted: not asked again
    from storage.types import utcnow
    with session_scope(engine) as session:
        session.execute(update(Post).values(created_at=utcnow()))
    with play(X / "lookup_deleted.yaml") as recording:
        [result] = recheck_deleted(engine, settings)
    assert recording.all_played
    assert (result.checked, result.deleted) == (2, 1)
    gone = posts(engine)["1858000000000000101"]
    assert gone.deleted_at is not None and gone.text == "" and gone.raw == {}
    assert posts(engine)["1858000000000000201"].text.startswith("Nordvik's 4.2 update")


def test_snowflake_ids_carry_their_time() -> None:
    assert created_from_snowflake("1858000000000000101").year == 2024


def test_map_page_keeps_retweets_apart() -> None:
    body = json.loads(json.dumps({"data": [{"id": "1", "text": "RT x", "author_id": "9", "created_at": "2026-01-01T00:00:00Z",
                                             "referenced_tweets": [{"type": "retweeted", "id": "0"}]}],
                                   "includes": {"users": [{"id": "9", "username": "u"}]}}))
    mapped = map_page(body)
    assert (len(mapped.records), len(mapped.retweets), mapped.fetched) == (0, 1, 1)


@pytest.mark.shared_fixtures
def test_real_recorded_search_without_expansions_reports_each_tweet(tmp_path, engine) -> None:
    """tweepy's own recording asked for default fields only: no author, so nothing can be stored, and we say so."""
    settings = x_settings(tmp_path, query="Tweepy", include_retweets=True, max_pages_per_run=1)
    run = run_x(engine, settings, SHARED_FIXTURES / "tweepy" / "test_client_search_recent_tweets.yaml")
    assert run.counts["fetched"] == run.counts["malformed"] > 0 and run.counts["new"] == 0
    assert all("author is missing" in problem for problem in run.problems)


@pytest.mark.shared_fixtures
def test_real_recorded_mentions_and_lookup(tmp_path, engine) -> None:
    settings = x_settings(tmp_path, query=None, mentions_of="Twitter")
    collector = XCollector.from_target(settings.listen[0], settings)
    with play(SHARED_FIXTURES / "tweepy" / "test_client_get_user.yaml"):
        assert collector._user_id() == "783214"
    with play(SHARED_FIXTURES / "tweepy" / "test_client_get_tweets.yaml"):
        assert collector.deleted(["1293593516040269825", "1293595870563381249"]) == set()


def test_cli_collect_source_x_once_twice_over(tmp_path) -> None:
    from typer.testing import CliRunner

    from earshot.cli import app

    config = tmp_path / "earshot.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "cli.db"}"\nx_bearer_token = {{ env = "TEST_X_TOKEN" }}\n'
                      '[[listen]]\nname = "brand-x"\nplatform = "x"\nquery = "nordvik"\nevery = "5m"\n')
    runner = CliRunner(env={"TEST_X_TOKEN": "recorded", "COLUMNS": "200"})
    outputs = []
    for _ in range(2):
        with play(X / "search_first_run.yaml"):
            result = runner.invoke(app, ["--config", str(config), "collect", "--source", "x", "--once"])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
        from storage.engine import make_engine
        from storage.repo.runs import save_cursor

        with session_scope(make_engine(f"sqlite:///{tmp_path / 'cli.db'}")) as session:
            save_cursor(session, target="brand-x", value={})  # so the second pass reads the same posts again
    first, second = (next(line for line in out.splitlines() if "brand-x" in line) for out in outputs)
    assert [cell.strip() for cell in first.split("│")[1:-1]] == ["brand-x", "5", "3", "0", "2", "0", "0"]
    assert [cell.strip() for cell in second.split("│")[1:-1]] == ["brand-x", "5", "0", "3", "2", "0", "0"]
    stats = runner.invoke(app, ["--config", str(config), "stats", "--json"]).stdout
    figures = json.loads(stats)
    assert figures["posts"] == 3 and figures["posts_by_platform"] == {"x": 3}
    assert figures["reads_this_month"] == {"brand-x": 10}
