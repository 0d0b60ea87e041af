"""The Reddit collector (praw, read-only app OAuth): a subreddit's new submissions and comments, or a search.

Cursor, one entry per stream ("submissions", "comments" or "search"), saved by the runner with each batch:

    {"submissions": {"fullname": "t3_..", "created_utc": 1759320000.0},
     "pending": {"comments": {"newest": {"fullname": "t1_..", "created_utc": ...}, "after": "t1_.."}}}

A stream's entry is the newest thing stored. Listings come newest first, so a run reads down until the first thing
at or before that entry. While it is on its way down, the newest thing it saw waits under "pending" (with the
fullname to page on from); it replaces the stream's entry only when the listing has been read down to the old
entry. A run that stops half-way (crash, gave up, `max_items_per_run` spent) leaves the older unread things to the
next run, which resumes from "after". If that thing has left the listing meanwhile (deleted), Reddit answers an
empty page and the stream is read again from the newest. On the first run (no entry yet) the backfill ends where
`max_items_per_run` does. `max_items_per_run` is shared between the streams of a target (half each to start with;
what one leaves unused goes to the next).

Pacing: prawcore waits by Reddit's X-Ratelimit headers (1000 requests per 600 s window, i.e. 100 a minute). On top,
every HTTP request (token included) goes through `PacedRequestor`, which allows at most
`reddit.requests_per_minute` in any 60 s: bursts are fine, a sustained rate above the ceiling waits. (praw's
`ratelimit_seconds` only concerns write actions, so it does not help here.)

Retries: every page, profile and info request is one `call_with_retries` unit of exactly one request (praw's listing
generators are used only to build the request; we fetch each page ourselves with `Reddit.request`), so a retry never
repeats or skips part of a page. prawcore itself first retries 5xx statuses and connection errors twice (after
about 0-2 s and 2-4 s), so one of our attempts can be three HTTP requests.
"""

import copy
import logging
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from typing import Any, TypeVar

import praw
import praw.exceptions
import prawcore
from praw.endpoints import API_PATH
from pydantic import SecretStr

from config.errors import EarshotError, NotConfigured
from config.settings import Settings
from config.targets import RedditTarget
from listener.base import CollectContext, CollectedBatch, Collector, collectors
from listener.reddit_records import (
    FULLNAME, Listing, UnexpectedListing, at_or_before, fullname, is_gone, is_noise, item_data, kind_of, map_item,
    parse_listing, position, profile_data,
)
from listener.retry import Failure, GaveUp, RetryPolicy, call_with_retries

log = logging.getLogger(__name__)
T = TypeVar("T")
PAGE_MAX = 100  # Reddit's largest page
INFO_CHUNK = 100  # fullnames per /api/info request
PROFILES_PER_RUN = 100  # profile requests one run may make (each is a request against the rate limit)
CREDENTIALS = "check EARSHOT_REDDIT_CLIENT_ID and EARSHOT_REDDIT_CLIENT_SECRET"


def classify(exc: BaseException) -> Failure | None:
    """How to treat an error from praw/prawcore: wait, back off, or stop (None)."""
    if isinstance(exc, prawcore.TooManyRequests):
        headers = exc.response.headers
        wait = _seconds(headers.get("x-ratelimit-reset"))
        return Failure("rate limited (429)", rate_limited=True,
                       wait_seconds=wait if wait is not None else _seconds(headers.get("retry-after")))
    if isinstance(exc, prawcore.BadJSON):
        return Failure("malformed response (not JSON)")
    if isinstance(exc, UnexpectedListing):
        return Failure(f"unexpected response ({exc})")
    if isinstance(exc, prawcore.ResponseException) and exc.response.status_code >= 500:
        return Failure(f"server error {exc.response.status_code}")  # ServerError, or a 5xx from the token endpoint
    if isinstance(exc, prawcore.RequestException):
        return Failure(f"connection failed ({exc.original_exception.__class__.__name__})")
    return None


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


class PacedRequestor(prawcore.Requestor):
    """prawcore's requestor with a ceiling: at most `per_minute` requests in any 60 seconds."""

    def __init__(self, *args: Any, per_minute: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.per_minute = per_minute
        self.sent: deque[float] = deque()

    def request(self, *args: Any, **kwargs: Any) -> Any:
        self._wait_for_a_slot()
        return super().request(*args, **kwargs)

    def _wait_for_a_slot(self) -> None:
        now = time.monotonic()
        while self.sent and now - self.sent[0] >= 60:
            self.sent.popleft()
        if len(self.sent) >= self.per_minute:
            time.sleep(60 - (now - self.sent[0]))
            now = time.monotonic()
            self.sent.popleft()
        self.sent.append(now)


def connect(settings: Settings) -> praw.Reddit:
    """A read-only praw client with application-only OAuth, or NotConfigured naming what to set."""
    values = {
        "EARSHOT_REDDIT_CLIENT_ID": _text(settings.reddit_client_id),
        "EARSHOT_REDDIT_CLIENT_SECRET": _text(settings.reddit_client_secret),
        "EARSHOT_REDDIT_USER_AGENT": _text(settings.reddit_user_agent),
    }
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise NotConfigured(f"set {', '.join(missing)} (a Reddit app's id and secret, and a user agent naming it)")
    reddit = praw.Reddit(
        client_id=values["EARSHOT_REDDIT_CLIENT_ID"],
        client_secret=values["EARSHOT_REDDIT_CLIENT_SECRET"],
        user_agent=values["EARSHOT_REDDIT_USER_AGENT"],
        check_for_async=False,
        check_for_updates=False,
        requestor_class=PacedRequestor,
        requestor_kwargs={"per_minute": settings.reddit.requests_per_minute},
    )
    reddit.read_only = True
    return reddit


def _text(value: SecretStr | str | None) -> str:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return (value or "").strip()


@collectors.register
class RedditCollector(Collector):
    name = "reddit"
    target: RedditTarget

    def __init__(self, target: RedditTarget, settings: Settings, reddit: praw.Reddit) -> None:
        super().__init__(target, settings)
        self.reddit = reddit
        self.policy = RetryPolicy.from_settings(settings.collect)
        self.profiles: dict[str, dict[str, Any] | None] = {}
        self.profile_requests = 0
        self.profiles_off = not settings.reddit.fetch_profiles

    @classmethod
    def from_target(cls, target: RedditTarget, settings: Settings) -> "RedditCollector":
        return cls(target, settings, connect(settings))

    def streams(self) -> list[str]:
        if self.target.query is not None:
            return ["search"]
        return ["submissions", "comments"] if self.target.include_comments else ["submissions"]

    def batches(self, context: CollectContext) -> Iterator[CollectedBatch]:
        cursor = copy.deepcopy(context.cursor)
        seen: set[tuple[str, str]] = set()
        streams = self.streams()
        left = self.target.max_items_per_run
        for index, stream in enumerate(streams):
            share = -(-left // (len(streams) - index))  # rounded up: the first stream gets the odd item
            left -= yield from self._stream(stream, cursor, share, seen, context)
            if context.should_stop():
                return

    def _stream(
        self, stream: str, cursor: dict, allowance: int, seen: set, context: CollectContext
    ) -> Generator[CollectedBatch, None, int]:
        """Read one listing newest first down to the stream's cursor; returns how many things were read."""
        if allowance <= 0:
            return 0
        stop_at = cursor.get(stream)
        pending = cursor.get("pending", {}).get(stream) or {}
        after, newest = pending.get("after"), pending.get("newest")
        resuming, read = after is not None, 0
        while read < allowance:
            listing = self._page(stream, after, min(PAGE_MAX, allowance - read))
            if resuming and not listing.items:
                log.info("%s: %s: nothing listed after %s any more; reading again from the newest",
                         self.target.name, stream, after)
                after, newest, resuming = None, None, False
                continue
            resuming = False
            fresh, reached = [], False
            for data in listing.items:
                if stop_at and at_or_before(data, stop_at):
                    reached = True
                    break
                fresh.append(data)
            newest = newest or next(filter(None, map(position, fresh)), None)
            read += len(fresh)
            finished = reached or not listing.items or listing.after in (None, after)
            after = listing.after
            _advance(cursor, stream, newest, None if finished else after)
            yield self._batch(fresh, seen, cursor)
            if finished or context.should_stop():
                return read
        if stop_at is None:  # first run: the backfill ends here
            _advance(cursor, stream, newest, None)
            yield CollectedBatch([], copy.deepcopy(cursor))
        return read

    def _batch(self, things: list[dict[str, Any]], seen: set[tuple[str, str]], cursor: dict) -> CollectedBatch:
        records, problems, noise = [], [], 0
        for data in things:
            if is_noise(data):
                noise += 1
                continue
            try:
                record = map_item(data, self._profile(data["author"]))
            except ValueError as exc:
                problems.append(f"reddit {kind_of(data)} {fullname(data) or '?'}: {exc}")
                continue
            key = (record.author.external_id, " ".join(f"{record.title or ''} {record.text}".split()).lower())
            if key in seen:
                noise += 1  # the same author posting the same text again: one is enough
                continue
            seen.add(key)
            records.append(record)
        return CollectedBatch(records, copy.deepcopy(cursor), problems, fetched=len(things), noise=noise)

    def _page(self, stream: str, after: str | None, limit: int) -> Listing:
        params = {"after": after} if after else {}
        if stream == "search":
            generator = self.reddit.subreddit("all").search(self.target.query, sort="new", limit=limit, params=params)
        elif stream == "comments":
            generator = self.reddit.subreddit(self.target.subreddit).comments(limit=limit, params=params)
        else:
            generator = self.reddit.subreddit(self.target.subreddit).new(limit=limit, params=params)
        # praw's generator only builds the request; one page is one request, so a retry repeats exactly that page
        path, query = generator.url, dict(generator.params)
        return self._call(lambda: parse_listing(self.reddit.request(method="GET", path=path, params=query)),
                          f"{stream} listing")

    def _profile(self, name: str) -> dict[str, Any] | None:
        """The author's `/user/NAME/about` data, once per author per run, at most PROFILES_PER_RUN requests."""
        if name in self.profiles:
            return self.profiles[name]
        if self.profiles_off or self.profile_requests >= PROFILES_PER_RUN:
            return None
        self.profile_requests += 1
        path = API_PATH["user_about"].format(user=name)
        try:
            body = call_with_retries(lambda: self.reddit.request(method="GET", path=path), policy=self.policy,
                                     classify=classify, what=f"{self.target.name}: Reddit profile of u/{name}")
        except (prawcore.NotFound, prawcore.Forbidden, prawcore.Redirect):
            body = None  # deleted, suspended or shadow-banned: the author is stored without a profile
        except GaveUp as exc:
            log.warning("%s; authors are stored without profiles for the rest of this run", exc)
            self.profiles_off = True
            return None
        except (prawcore.PrawcoreException, praw.exceptions.PRAWException) as exc:
            raise self._explain(exc, f"the profile of u/{name}") from None
        self.profiles[name] = profile_data(body)
        return self.profiles[name]

    def _call(self, request: Callable[[], T], what: str) -> T:
        try:
            return call_with_retries(request, policy=self.policy, classify=classify,
                                     what=f"{self.target.name}: Reddit {what}")
        except (prawcore.PrawcoreException, praw.exceptions.PRAWException) as exc:
            raise self._explain(exc, what) from None

    def _explain(self, exc: Exception, what: str) -> EarshotError:
        """One line a user can act on, for an error that retrying does not help."""
        status = getattr(getattr(exc, "response", None), "status_code", None)
        subreddit = self.target.subreddit
        if isinstance(exc, prawcore.OAuthException) or status == 401:
            return EarshotError(f"Reddit refused the app's credentials ({status or exc}); {CREDENTIALS}")
        if isinstance(exc, (prawcore.NotFound, prawcore.Redirect)) and subreddit:
            return EarshotError(f"{self.target.name}: Reddit has no subreddit r/{subreddit} (or it is banned); "
                                "check `subreddit`")
        if status == 403:
            where = f"r/{subreddit} (private or quarantined?)" if subreddit else what
            return EarshotError(f"{self.target.name}: Reddit refused access to {where} (403); else {CREDENTIALS}")
        if status is not None:
            return EarshotError(f"{self.target.name}: Reddit answered HTTP {status} for the {what}")
        detail = (str(exc).splitlines() or [exc.__class__.__name__])[0][:300]
        return EarshotError(f"{self.target.name}: Reddit {what} failed: {detail}")

    def deleted(self, external_ids: list[str]) -> set[str]:
        """Fullnames that /api/info no longer returns, or returns deleted/removed. Ids that are not fullnames
        (not from Reddit) are never reported."""
        ids = [i for i in dict.fromkeys(external_ids) if FULLNAME.match(i)]
        gone: set[str] = set()
        for start in range(0, len(ids), INFO_CHUNK):
            chunk = ids[start : start + INFO_CHUNK]
            things = self._call(lambda chunk=chunk: list(self.reddit.info(fullnames=chunk)), "info lookup")
            found = {fullname(data): data for data in map(item_data, things)}
            gone |= {name for name in chunk if name not in found or is_gone(found[name])}
        return gone


def _advance(cursor: dict, stream: str, newest: dict | None, after: str | None) -> None:
    """More to read: remember where (pending). Done: the newest thing read becomes the stream's cursor."""
    pending = cursor.setdefault("pending", {})
    if after:
        pending[stream] = {"newest": newest, "after": after}
        return
    pending.pop(stream, None)
    if not pending:
        del cursor["pending"]
    if newest:
        cursor[stream] = newest
