"""The Reddit collector: real praw/prawcore code played recorded Reddit traffic, through the runner and the store."""

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import prawcore
import pytest
import requests
from sqlalchemy import func, select

from config.settings import replay_target
from config.targets import RedditTarget
from listener.reddit import RedditCollector, classify, connect
from listener.reddit_records import item_data, map_author, map_item, profile_data, profile_summary
from listener.records import AuthorRecord, PostRecord
from listener.run import collect, recheck_deleted
from storage.engine import session_scope
from storage.models import Author, Post
from storage.repo.posts import store_posts
from storage.repo.runs import load_cursor
from tests.conftest import SHARED_FIXTURES
from tests.factories import make_settings, replay_line, write_jsonl
from tests.recordings import play
from tests.recordings.reddit import make_recordings as scenario

RECORDINGS = Path(__file__).parent / "recordings" / "reddit"
PRAW_FIXTURES = SHARED_FIXTURES / "praw"
CREDENTIALS = {
    "reddit_client_id": "<CLIENT_ID>",
    "reddit_client_secret": "<CLIENT_SECRET>",
    "reddit_user_agent": "earshot-tests:listening:1.0 (by u/earshot)",
}
BASE = datetime.fromtimestamp(scenario.BASE, tz=UTC)
FIRST_RUN_CURSOR = {
    "submissions": {"fullname": "t3_1nu000", "created_utc": scenario.BASE},
    "comments": {"fullname": "t1_ncm000", "created_utc": scenario.BASE + 10},
}


@pytest.fixture
def clock(sleeps, monkeypatch: pytest.MonkeyPatch):
    """Recorded sleeps (never slept) that still move the monotonic clock on, as real ones would: prawcore's
    pacing and ours then see the time pass, and a test sees exactly the waits that were asked for."""
    real, real_ns = time.monotonic, time.monotonic_ns
    monkeypatch.setattr(time, "monotonic", lambda: real() + sum(sleeps))
    monkeypatch.setattr(time, "monotonic_ns", lambda: real_ns() + int(sum(sleeps) * 1e9))
    return sleeps


def reddit_settings(tmp_path: Path, *, profiles: bool = False, rpm: int = 100, collect_options=None, **target):
    options = {"name": "nordvik", "platform": "reddit", **target}
    if "query" not in options:
        options.setdefault("subreddit", "nordvik")
    return make_settings(tmp_path, listen=[RedditTarget(**options)], **CREDENTIALS,
                         reddit={"fetch_profiles": profiles, "requests_per_minute": rpm},
                         collect=collect_options or {})


def run_with(recording: str | Path, engine, settings, *, all_played: bool = True):
    path = recording if isinstance(recording, Path) else RECORDINGS / f"{recording}.json"
    with play(path) as cassette:
        [run] = collect(engine, settings)
    if all_played:
        assert cassette.all_played, f"{path.name}: only {cassette.play_count} of {len(cassette)} exchanges asked for"
    return run


def counts(run) -> dict[str, int]:
    return {key: value for key, value in run.counts.items() if value}


def saved_cursor(engine, target: str = "nordvik") -> dict:
    with session_scope(engine) as session:
        return load_cursor(session, target=target)


def stored(engine) -> dict[str, Post]:
    with session_scope(engine) as session:
        return {post.external_id: post for post in session.scalars(select(Post))}


def author_of(engine, post: Post) -> Author:
    with session_scope(engine) as session:
        return session.get(Author, post.author_id)


# --- collecting a subreddit ----------------------------------------------------------------------------------------


def test_a_first_run_reads_both_pages_and_the_comments(tmp_path: Path, engine, clock) -> None:
    run = run_with("first_run", engine, reddit_settings(tmp_path))
    assert run.error is None and run.not_configured is None
    assert counts(run) == {"fetched": 150, "new": 147, "noise": 3}
    posts = stored(engine)
    assert sum(p.kind == "post" for p in posts.values()) == 130
    assert sum(p.kind == "comment" for p in posts.values()) == 17
    assert {"t1_ncm004", "t1_ncm006", "t1_ncm010"}.isdisjoint(posts)  # deleted, removed, repeated text
    assert "t1_ncm005" in posts  # the first of the repeated texts is kept
    assert saved_cursor(engine) == FIRST_RUN_CURSOR
    assert clock == []  # 4 requests: far below any limit, nothing waited


def test_submissions_and_comments_map_every_stored_field(tmp_path: Path, engine, clock) -> None:
    run_with("first_run", engine, reddit_settings(tmp_path))
    posts = stored(engine)
    post = posts["t3_1nu000"]
    assert (post.platform, post.kind, post.title) == ("reddit", "post", "Aura 12 question number 0")
    assert post.text == "Has anyone else seen this on the Aura 12? Case 0."
    assert post.url == "https://www.reddit.com/r/nordvik/comments/1nu000/aura_12_question_number_0/"
    assert post.created_at.replace(tzinfo=UTC) == BASE
    assert (post.language, post.reply_to, post.conversation_id) == (None, None, "t3_1nu000")
    assert (post.like_count, post.reply_count, post.share_count) == (3, 2, 0)
    assert post.raw["name"] == "t3_1nu000" and post.raw["subreddit"] == "nordvik"
    assert post.target == "nordvik"
    author = author_of(engine, post)
    assert (author.platform, author.external_id, author.handle) == ("reddit", scenario.author_fullname("anna_lq"),
                                                                     "anna_lq")
    assert (author.bio, author.followers, author.verified) == (None, 0, False)

    assert posts["t3_1nu007"].like_count == 0  # a score of -4 counts no likes
    link = posts["t3_1nu003"]
    assert (link.title, link.text) == ("Review of the Aura 12, part 3", "")

    reply = posts["t1_ncm002"]
    assert (reply.kind, reply.title, reply.text) == ("comment", None, "Comment 2: the battery lasts about 7 hours.")
    assert (reply.reply_to, reply.conversation_id) == ("t1_ncm003", "t3_1nv000")
    assert reply.url == "https://www.reddit.com/r/nordvik/comments/1nv000/aura_12_battery_thread/ncm002/"
    assert posts["t1_ncm000"].reply_to == "t3_1nv000"
    with session_scope(engine) as session:  # authors are shared by their posts and comments
        assert session.scalar(select(func.count()).select_from(Author)) == len(scenario.AUTHORS)


def test_a_second_run_reads_only_newer_things_and_a_third_nothing(tmp_path: Path, engine, clock) -> None:
    settings = reddit_settings(tmp_path)
    run_with("first_run", engine, settings)
    second = run_with("second_run", engine, settings)
    assert counts(second) == {"fetched": 9, "new": 9}  # 5 + 1 posted in the cursor's second, 3 comments
    posts = stored(engine)
    assert len(posts) == 156
    assert "t3_1nw900" in posts  # same created_utc as the old cursor, another fullname: newer, not skipped
    assert saved_cursor(engine) == {
        "submissions": {"fullname": "t3_1nw000", "created_utc": scenario.BASE + 300},
        "comments": {"fullname": "t1_ncn000", "created_utc": scenario.BASE + 300},
    }
    third = run_with("second_run", engine, settings)
    assert counts(third) == {}
    assert len(stored(engine)) == 156


def test_max_items_per_run_ends_the_first_backfill(tmp_path: Path, engine, clock) -> None:
    settings = reddit_settings(tmp_path, max_items_per_run=200)  # 100 per stream: page two is never asked for
    run = run_with("first_run", engine, settings, all_played=False)
    assert counts(run) == {"fetched": 120, "new": 117, "noise": 3}
    assert not any(external_id.startswith("t3_1nu1") for external_id in stored(engine))
    assert saved_cursor(engine) == FIRST_RUN_CURSOR  # the backfill ends here; next runs read what is newer


def test_without_comments_only_submissions_are_read(tmp_path: Path, engine, clock) -> None:
    run = run_with("first_run", engine, reddit_settings(tmp_path, include_comments=False), all_played=False)
    assert counts(run) == {"fetched": 130, "new": 130}
    assert saved_cursor(engine) == {"submissions": FIRST_RUN_CURSOR["submissions"]}


def test_a_search_target_reads_reddit_wide_results_newest_first(tmp_path: Path, engine, clock) -> None:
    settings = reddit_settings(tmp_path, name="aura-search", query=scenario.SEARCH_QUERY)
    run = run_with("search", engine, settings)  # the recording asks for q, sort=new, restrict_sr=False...
    assert counts(run) == {"fetched": 4, "new": 3, "noise": 1}  # one removed by the moderators
    posts = stored(engine)
    assert sorted(posts) == ["t3_1sr001", "t3_1sr002", "t3_1sr004"]
    assert {p.raw["subreddit"] for p in posts.values()} == {"gadgets", "sweden", "pics"}
    assert posts["t3_1sr004"].text == ""
    assert saved_cursor(engine, "aura-search") == {"search": {"fullname": "t3_1sr001",
                                                              "created_utc": scenario.BASE - 100}}


def test_profiles_are_fetched_once_per_author_per_run(tmp_path: Path, engine, clock) -> None:
    run = run_with("profiles", engine, reddit_settings(tmp_path, profiles=True, include_comments=False))
    assert counts(run) == {"fetched": 3, "new": 3}
    assert clock == []  # a second request for anna_lq's profile would not be in the recording, and be retried
    posts = stored(engine)
    anna = author_of(engine, posts["t3_1pr001"])
    assert anna.bio == "Tech journalist in Malmö. Phones, cameras, batteries."
    assert (anna.display_name, anna.followers, anna.verified) == ("Anna L.", 12850, False)
    assert posts["t3_1pr003"].author_id == anna.id
    profile = posts["t3_1pr001"].raw["author_profile"]
    assert (profile["link_karma"], profile["comment_karma"], profile["total_karma"]) == (1520, 8311, 9831)
    gone = author_of(engine, posts["t3_1pr002"])  # the profile answered 404: stored without one
    assert (gone.handle, gone.bio, gone.followers) == ("gone_user", None, 0)
    assert "author_profile" not in posts["t3_1pr002"].raw


# --- cursors across failures ---------------------------------------------------------------------------------------


def test_a_failure_on_page_two_of_a_backlog_keeps_the_old_cursor_until_the_rest_is_read(
    tmp_path: Path, engine, clock
) -> None:
    settings = reddit_settings(tmp_path, collect_options={"retries": 1})
    run_with("first_run", engine, settings)
    failed = run_with("backlog_page_two_down", engine, settings)
    assert "server error 503 after 2 attempts" in failed.error
    assert counts(failed) == {"fetched": 100, "new": 100, "errors": 1}
    cursor = saved_cursor(engine)
    assert cursor["submissions"] == FIRST_RUN_CURSOR["submissions"]  # not the newest: 5 older ones are unread
    assert cursor["pending"] == {"submissions": {"newest": {"fullname": "t3_1nx000",
                                                            "created_utc": scenario.BASE + 60 * 105},
                                                 "after": "t3_1nx099"}}
    resumed = run_with("backlog_resume", engine, settings)  # asks for the page after t3_1nx099, not page one
    assert counts(resumed) == {"fetched": 5, "new": 5}
    assert saved_cursor(engine) == {**FIRST_RUN_CURSOR, "submissions": cursor["pending"]["submissions"]["newest"]}
    assert len(stored(engine)) == 147 + 105


def test_a_first_run_that_fails_on_page_two_resumes_there(tmp_path: Path, engine, clock) -> None:
    settings = reddit_settings(tmp_path, collect_options={"retries": 1})
    failed = run_with("page_two_down", engine, settings)
    assert counts(failed) == {"fetched": 100, "new": 100, "errors": 1}
    assert saved_cursor(engine) == {"pending": {"submissions": {
        "newest": FIRST_RUN_CURSOR["submissions"], "after": "t3_1nu099"}}}
    resumed = run_with("resume", engine, settings)
    assert counts(resumed) == {"fetched": 50, "new": 47, "noise": 3}  # page one is not read again
    assert saved_cursor(engine) == FIRST_RUN_CURSOR
    assert len(stored(engine)) == 147


def test_a_resume_point_that_left_the_listing_reads_again_from_the_newest(tmp_path: Path, engine, clock) -> None:
    settings = reddit_settings(tmp_path, collect_options={"retries": 1})
    run_with("page_two_down", engine, settings)
    # Reddit answers an empty page after a thing that was deleted meanwhile: indistinguishable from the end
    run = run_with("resume_after_vanished", engine, settings)
    assert counts(run) == {"fetched": 150, "new": 47, "duplicates": 100, "noise": 3}
    assert saved_cursor(engine) == FIRST_RUN_CURSOR
    assert len(stored(engine)) == 147


def test_server_errors_that_persist_give_up_and_a_later_run_catches_up(tmp_path: Path, engine, clock) -> None:
    settings = reddit_settings(tmp_path, collect_options={"retries": 1})
    run_with("first_run", engine, settings)
    down = run_with("server_down", engine, settings)  # 2 attempts of ours, each 3 requests by prawcore
    assert down.error == ("nordvik: Reddit submissions listing: server error 503 after 2 attempts; "
                          "the next run continues from the same cursor")
    assert counts(down) == {"errors": 1}
    assert len(clock) == 5  # prawcore twice, our back-off once, prawcore twice
    assert saved_cursor(engine) == FIRST_RUN_CURSOR
    assert len(stored(engine)) == 147
    later = run_with("second_run", engine, settings)
    assert counts(later) == {"fetched": 9, "new": 9}
    assert len(stored(engine)) == 156


def test_a_burst_of_server_errors_is_retried_by_prawcore_then_by_us(tmp_path: Path, engine, clock) -> None:
    run = run_with("server_errors", engine, reddit_settings(tmp_path, include_comments=False))
    assert run.error is None
    assert counts(run) == {"fetched": 10, "new": 10}
    # four 503s: prawcore retries twice (0-2 s, then 2-4 s) and raises; we back off (0-2 s); prawcore once more
    assert len(clock) == 4
    assert 0 <= clock[0] <= 2 and 2 <= clock[1] <= 4 and 0 <= clock[2] <= 2 and 0 <= clock[3] <= 2


def test_a_rate_limit_waits_the_seconds_reddit_names(tmp_path: Path, engine, clock) -> None:
    run = run_with("rate_limited", engine, reddit_settings(tmp_path, include_comments=False))
    assert run.error is None
    assert counts(run) == {"fetched": 10, "new": 10}
    assert clock == [30.0]  # x-ratelimit-reset: 30; prawcore's own pacing then has nothing left to wait


def test_a_rate_limit_beyond_the_allowed_wait_gives_up_at_once(tmp_path: Path, engine, clock) -> None:
    run = run_with("rate_limited_long", engine, reddit_settings(tmp_path, include_comments=False))
    assert "rate limited for 3600s more, beyond the 900s allowed" in run.error
    assert counts(run) == {"errors": 1}
    assert clock == []
    assert saved_cursor(engine) == {}


def test_requests_per_minute_is_a_ceiling_on_top_of_reddits_headers(tmp_path: Path, engine, clock) -> None:
    run = run_with("first_run", engine, reddit_settings(tmp_path, rpm=2))
    assert counts(run)["new"] == 147
    # token, page one, page two, comments: the third request waits until a minute after the first (prawcore may
    # add a pause of milliseconds of its own when the machine is slow; only the long wait is ours)
    waits = [seconds for seconds in clock if seconds >= 1]
    assert len(waits) == 1 and 59 < waits[0] <= 60


def test_a_malformed_body_is_retried_and_a_malformed_thing_reported(tmp_path: Path, engine, clock) -> None:
    run = run_with("malformed", engine, reddit_settings(tmp_path, include_comments=False))
    assert run.error is None
    assert len(clock) == 1 and clock[0] <= 2  # one back-off after the HTML page served as 200
    assert counts(run) == {"fetched": 3, "new": 2, "malformed": 1}
    assert run.problems == ["reddit post t3_1nu001: created_utc: not a timestamp ('yesterday')"]
    assert sorted(stored(engine)) == ["t3_1nu000", "t3_1nu002"]


# --- configuration and errors a user must fix ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        (("reddit_client_id", "reddit_client_secret", "reddit_user_agent"),
         "EARSHOT_REDDIT_CLIENT_ID, EARSHOT_REDDIT_CLIENT_SECRET, EARSHOT_REDDIT_USER_AGENT"),
        (("reddit_client_secret",), "set EARSHOT_REDDIT_CLIENT_SECRET ("),
    ],
)
def test_missing_credentials_leave_reddit_not_configured_and_others_run(
    tmp_path: Path, engine, missing: tuple[str, ...], named: str
) -> None:
    lines = write_jsonl(tmp_path / "posts.jsonl", [replay_line(1)])
    credentials = {key: value for key, value in CREDENTIALS.items() if key not in missing}
    settings = make_settings(tmp_path, listen=[RedditTarget(name="nordvik", platform="reddit", subreddit="nordvik"),
                                               replay_target("archive", [str(lines)])], **credentials)
    reddit, replay = collect(engine, settings)
    assert named in reddit.not_configured and "\n" not in reddit.not_configured
    assert reddit.error is None and counts(reddit) == {}
    assert counts(replay) == {"fetched": 1, "new": 1}


def test_rejected_credentials_stop_the_target_with_one_line(tmp_path: Path, engine, clock) -> None:
    run = run_with("bad_credentials", engine, reddit_settings(tmp_path))
    assert run.error == ("Reddit refused the app's credentials (401); "
                         "check EARSHOT_REDDIT_CLIENT_ID and EARSHOT_REDDIT_CLIENT_SECRET")
    assert counts(run) == {"errors": 1} and clock == []


def test_a_missing_subreddit_is_named(tmp_path: Path, engine, clock) -> None:
    run = run_with("no_such_subreddit", engine, reddit_settings(tmp_path, subreddit="nosuchsub"))
    assert run.error == "nordvik: Reddit has no subreddit r/nosuchsub (or it is banned); check `subreddit`"
    assert clock == []


def _response(status: int, **headers: str) -> requests.Response:
    response = requests.Response()
    response.status_code, response.headers["content-type"] = status, "application/json"
    response.headers.update(headers)
    response._content = b"{}"
    return response


def test_classify_reads_prawcore_errors() -> None:
    limited = classify(prawcore.TooManyRequests(_response(429, **{"x-ratelimit-reset": "42"})))
    assert (limited.rate_limited, limited.wait_seconds) == (True, 42.0)
    assert classify(prawcore.TooManyRequests(_response(429, **{"retry-after": "7"}))).wait_seconds == 7.0
    assert classify(prawcore.TooManyRequests(_response(429))).wait_seconds is None  # back off instead
    assert classify(prawcore.ServerError(_response(502))).reason == "server error 502"
    assert classify(prawcore.ResponseException(_response(503))).reason == "server error 503"  # token endpoint
    assert "ConnectionError" in classify(prawcore.RequestException(requests.ConnectionError(), (), {})).reason
    for final in (prawcore.NotFound(_response(404)), prawcore.Forbidden(_response(403)), ValueError("x")):
        assert classify(final) is None


# --- deleted content -----------------------------------------------------------------------------------------------


def _record(external_id: str, created_at: datetime, kind: str = "post") -> PostRecord:
    author = AuthorRecord(platform="reddit", external_id="t2_abc", handle="anna_lq")
    return PostRecord(platform="reddit", external_id=external_id, author=author, text=f"text of {external_id}",
                      kind=kind, created_at=created_at, raw={"name": external_id})


def test_recheck_marks_posts_reddit_no_longer_has(tmp_path: Path, engine, clock) -> None:
    now = datetime.now(UTC)
    records = [_record("t3_1nu000", now - timedelta(hours=1)), _record("t1_ncm000", now - timedelta(hours=2)),
               _record("t1_ncm001", now - timedelta(hours=3)), _record("1234", now - timedelta(hours=4))]
    with session_scope(engine) as session:
        store_posts(session, records=records, target="nordvik")
    settings = reddit_settings(tmp_path)
    with play(RECORDINGS / "info.json") as cassette:  # asks for exactly t3_1nu000,t1_ncm000,t1_ncm001
        [run] = recheck_deleted(engine, settings)
    assert cassette.all_played
    assert (run.checked, run.deleted, run.error) == (4, 2, None)
    posts = stored(engine)
    for gone in ("t1_ncm000", "t1_ncm001"):  # deleted upstream; missing from the answer
        assert posts[gone].deleted_at is not None
        assert (posts[gone].text, posts[gone].raw) == ("", {})
    assert posts["t3_1nu000"].deleted_at is None and posts["t3_1nu000"].text == "text of t3_1nu000"
    assert posts["1234"].deleted_at is None  # not a Reddit fullname (replayed data): never reported gone


# --- recordings ----------------------------------------------------------------------------------------------------


def test_the_recordings_are_what_make_recordings_builds() -> None:
    built = scenario.cassettes()
    on_disk = {path.stem for path in RECORDINGS.glob("*.json")}
    assert on_disk == set(built)
    for name, interactions in built.items():
        assert json.loads((RECORDINGS / f"{name}.json").read_text(encoding="utf-8"))["interactions"] == interactions


# --- real Reddit answers (praw's own recordings) -------------------------------------------------------------------


def _merged(tmp_path: Path, *names: str) -> Path:
    """One cassette from several of praw's: the first access token, then every API exchange in order."""
    interactions = []
    for name in names:
        exchanges = json.loads((PRAW_FIXTURES / name).read_text(encoding="utf-8"))["interactions"]
        interactions += exchanges if not interactions else exchanges[1:]
    path = tmp_path / "merged.json"
    path.write_text(json.dumps({"interactions": interactions, "version": 1}), encoding="utf-8")
    return path


@pytest.mark.shared_fixtures
def test_real_subreddit_listings_are_collected_and_mapped(tmp_path: Path, engine, clock) -> None:
    cassette = _merged(tmp_path, "TestSubredditListings.test_new.json", "TestSubredditListings.test_comments.json")
    settings = reddit_settings(tmp_path, name="askreddit", subreddit="askreddit", max_items_per_run=200)
    run = run_with(cassette, engine, settings)  # limit=100 each: what praw's recordings ask for
    assert run.error is None and run.problems == []
    assert counts(run) == {"fetched": 200, "new": 200}  # every real thing maps; none deleted or repeated
    posts = stored(engine)
    submission = posts["t3_48fbm9"]
    assert submission.title.startswith("[Serious] Parents of Reddit, what's the biggest lie")
    assert submission.url == ("https://www.reddit.com/r/AskReddit/comments/48fbm9/"
                              "serious_parents_of_reddit_whats_the_biggest_lie/")
    assert submission.created_at.replace(tzinfo=UTC) == datetime(2016, 3, 1, 8, 37, 38, tzinfo=UTC)  # created_utc
    assert (submission.text, submission.like_count, submission.reply_count) == ("", 1, 1)
    assert author_of(engine, submission).external_id == "RedHeadQc"  # 2016: no author_fullname, the name is the id
    comment = posts["t1_d4y8bdp"]
    assert comment.text == "great, life is so much better when you can do what you enjoy for a living"
    assert (comment.reply_to, comment.conversation_id) == ("t3_4r4inc", "t3_4r4inc")
    assert comment.url == "https://www.reddit.com/comments/4r4inc/_/d4y8bdp/"  # 2016 comments carry no permalink
    for post in posts.values():
        prefix = "t3_" if post.kind == "post" else "t1_"
        assert post.external_id.startswith(prefix) and post.conversation_id.startswith("t3_")
        assert post.url.startswith("https://www.reddit.com/") and post.created_at.year in (2016,)
        assert post.kind == "post" or post.reply_to[:3] in ("t1_", "t3_")
        assert post.raw["name"] == post.external_id
    assert saved_cursor(engine, "askreddit") == {
        "submissions": {"fullname": "t3_48fbm9", "created_utc": 1456821458.0},
        "comments": {"fullname": "t1_d4y8bdp", "created_utc": 1467590690.0},
    }


@pytest.mark.shared_fixtures
def test_real_search_results_map_from_praw_objects(tmp_path: Path) -> None:
    reddit = connect(reddit_settings(tmp_path))
    with play(PRAW_FIXTURES / "TestSubreddit.test_search.json"):
        found = list(reddit.subreddit("all").search("praw oauth search", syntax="cloudsearch", limit=None))
    assert len(found) == 6
    for submission in found:
        data = item_data(submission)
        assert isinstance(data["author"], str) and isinstance(data["subreddit"], str)
        record = map_item(data)
        assert record.external_id == submission.fullname and record.kind == "post"
        assert record.title == submission.title and record.text == submission.selftext
        assert record.url == "https://www.reddit.com" + submission.permalink
        assert record.author.handle == submission.author.name
        assert record.created_at == datetime.fromtimestamp(submission.created_utc, tz=UTC)
        assert (record.like_count, record.reply_count) == (max(0, submission.score), submission.num_comments)
        json.dumps(record.raw)  # the rebuilt payload is plain JSON, as the store needs


@pytest.mark.shared_fixtures
def test_praw_objects_and_raw_dicts_map_alike(tmp_path: Path) -> None:
    reddit = connect(reddit_settings(tmp_path))
    with play(PRAW_FIXTURES / "TestSubredditListings.test_new.json"):
        objects = list(reddit.subreddit("askreddit").new(limit=100))
    raw = json.loads(json.loads((PRAW_FIXTURES / "TestSubredditListings.test_new.json").read_text())
                     ["interactions"][1]["response"]["body"]["string"])["data"]["children"]
    assert len(objects) == len(raw) == 100
    for thing, child in zip(objects, raw, strict=True):
        assert map_item(item_data(thing)) == map_item(child["data"])


@pytest.mark.shared_fixtures
def test_real_info_answers_tell_what_is_gone(tmp_path: Path, clock) -> None:
    recording = PRAW_FIXTURES / "TestReddit.test_info.json"
    uris = [i["request"]["uri"] for i in json.loads(recording.read_text())["interactions"][1:]]
    ids = [name for uri in uris for name in parse_qs(urlsplit(uri).query)["id"][0].split(",")]
    assert len(ids) == 300
    collector = RedditCollector.from_target(reddit_settings(tmp_path).listen[0], reddit_settings(tmp_path))
    with play(recording) as cassette:
        gone = collector.deleted(ids)  # three requests of 100, exactly as recorded
    assert cassette.all_played
    deleted_by_author = {"t3_5dec01", "t3_5dec18", "t1_d7ltv34", "t3_5dec48", "t1_d7ltv54", "t1_d7ltv56",
                         "t1_d7ltv91", "t1_d7ltv94", "t1_d7ltv99"}  # "[deleted]" author and text
    removed = {"t3_5dec21", "t3_5dec30", "t3_5dec50", "t3_5dec60", "t3_5dec70", "t3_5dec77",  # author kept
               "t1_d7ltv31", "t1_d7ltv96"}  # "[removed]" text (the comments' authors since deleted)
    missing = {"t3_5dec66", "t3_5dec67", "t3_5dec68"}  # not in Reddit's answer at all
    assert gone == deleted_by_author | removed | missing
    assert "t1_d7ltv08" not in gone  # the account is deleted but its comment still stands


@pytest.mark.shared_fixtures
def test_a_real_profile_maps_to_the_author() -> None:
    recording = json.loads((PRAW_FIXTURES / "TestRedditor.test_fullname_init.json").read_text())
    profile = profile_data(json.loads(recording["interactions"][2]["response"]["body"]["string"]))
    author = map_author({"author": "PyAPITestUser3", "author_fullname": "t2_6c1xj"}, profile)
    assert (author.external_id, author.handle, author.display_name, author.bio) == (
        "t2_6c1xj", "PyAPITestUser3", None, None)  # an empty title and description are no display name or bio
    assert (author.followers, author.verified) == (0, False)  # `verified` is a verified e-mail, not a badge
    summary = profile_summary(profile)
    assert (summary["link_karma"], summary["comment_karma"], summary["created_utc"]) == (1, 0, 1322552953.0)
    assert "icon_img" not in summary
