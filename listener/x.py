"""The X collector (tweepy, API v2): recent search or mentions, since_id cursors, read budgets, retries."""

import functools
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import requests
import tweepy

from config.errors import EarshotError, NotConfigured
from config.settings import Settings
from config.targets import XTarget
from listener.base import CollectContext, CollectedBatch, Collector, collectors
from listener.retry import Failure, RetryPolicy, call_with_retries
from listener.x_records import EXPANSIONS, TWEET_FIELDS, USER_FIELDS, MappedPage, map_page, missing_ids

log = logging.getLogger(__name__)
PAGE_MAX = 100
PAGE_MIN = {"search": 10, "mentions": 5}
LOOKUP_CHUNK = 100


def classify(exc: BaseException) -> Failure | None:
    """How to treat an error from tweepy: wait, back off, or stop (None)."""
    if isinstance(exc, tweepy.TooManyRequests):
        reset = exc.response.headers.get("x-rate-limit-reset") if exc.response is not None else None
        wait = max(0.0, int(reset) - time.time() + 1) if reset and reset.isdigit() else None
        return Failure("rate limited (429)", rate_limited=True, wait_seconds=wait)
    if isinstance(exc, tweepy.TwitterServerError):
        return Failure(f"server error {exc.response.status_code}" if exc.response is not None else "server error")
    if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
        return Failure(f"connection failed ({exc.__class__.__name__})")
    if isinstance(exc, (json.JSONDecodeError, requests.JSONDecodeError)):
        return Failure("malformed response (not JSON)")
    return None


HTTP_TIMEOUT_SECONDS = 30.0  # connect and read; tweepy sets none, so a stalled connection would hang forever


def with_timeout(client: tweepy.Client, seconds: float = HTTP_TIMEOUT_SECONDS) -> tweepy.Client:
    """`client` with a timeout on every request it makes (tweepy.Client takes no timeout of its own)."""
    client.session.request = functools.partial(client.session.request, timeout=seconds)
    return client


@collectors.register
class XCollector(Collector):
    name = "x"
    paid_reads = True
    target: XTarget

    def __init__(self, target: XTarget, settings: Settings, client: tweepy.Client) -> None:
        super().__init__(target, settings)
        self.client = client
        self.policy = RetryPolicy.from_settings(settings.collect)

    @classmethod
    def from_target(cls, target: XTarget, settings: Settings) -> "XCollector":
        if settings.x_bearer_token is None or not settings.x_bearer_token.get_secret_value().strip():
            raise NotConfigured("no bearer token; set EARSHOT_X_BEARER_TOKEN (an X app token with read access)")
        client = tweepy.Client(bearer_token=settings.x_bearer_token.get_secret_value(), return_type=dict)
        return cls(target, settings, with_timeout(client))

    @property
    def endpoint(self) -> str:
        return "search" if self.target.query else "mentions"

    def query(self) -> str:
        query = self.target.query or ""
        if not self.target.include_retweets and "is:retweet" not in query:
            query = f"{query} -is:retweet"
        return query

    def batches(self, context: CollectContext) -> Iterator[CollectedBatch]:
        cursor = dict(context.cursor)
        if self.endpoint == "mentions" and not cursor.get("user_id"):
            cursor["user_id"] = self._user_id()
        pending = cursor.get("pending") or {}
        since_id = pending.get("since_id", cursor.get("since_id"))
        token, newest = pending.get("next_token"), pending.get("newest_id")
        budget = context.read_budget
        seen_texts: set[tuple[str, str]] = set()
        for page_number in range(1, self.target.max_pages_per_run + 1):
            if budget is not None and budget <= 0:
                yield self._budget_spent(cursor)
                return
            body = self._page(cursor.get("user_id"), since_id, token, budget)
            if body is None:  # the saved pagination token expired: start again from since_id
                token, newest = None, None
                body = self._page(cursor.get("user_id"), since_id, None, budget)
            meta = body.get("meta", {})
            newest = newest or meta.get("newest_id")
            token = meta.get("next_token")
            mapped = map_page(body)
            records, noise = self._without_noise(mapped, seen_texts)
            cursor = self._advance(cursor, since_id, newest, token)
            if budget is not None:
                budget -= mapped.fetched
            yield CollectedBatch(records, dict(cursor), mapped.problems, fetched=mapped.fetched, noise=noise)
            if token is None or context.should_stop():
                return
            if since_id is None and page_number == self.target.max_pages_per_run:
                cursor = self._advance(cursor, since_id, newest, None)  # first run: backfill ends here
                yield CollectedBatch([], dict(cursor))
                return

    def _advance(self, cursor: dict, since_id: str | None, newest: str | None, token: str | None) -> dict:
        """More pages to read: remember where (pending). Done: the newest id seen becomes since_id."""
        updated = {key: value for key, value in cursor.items() if key != "pending"}
        if token:
            updated["pending"] = {"since_id": since_id, "next_token": token, "newest_id": newest}
        elif newest:
            updated["since_id"] = max(newest, since_id or "0", key=int)
        return updated

    def _without_noise(self, mapped: MappedPage, seen: set[tuple[str, str]]) -> tuple[list, int]:
        records = list(mapped.records) + (list(mapped.retweets) if self.target.include_retweets else [])
        noise = 0 if self.target.include_retweets else len(mapped.retweets)
        kept = []
        for record in records:
            key = (record.author.external_id, " ".join(record.text.split()).lower())
            if key in seen:
                noise += 1  # the same author posting the same text again: one is enough
                continue
            seen.add(key)
            kept.append(record)
        return kept, noise

    def _budget_spent(self, cursor: dict) -> CollectedBatch:
        message = f"{self.target.name}: monthly read budget spent; collection stops until it is raised or the month turns"
        log.warning(message)
        return CollectedBatch([], dict(cursor), [message])

    def _page(self, user_id: str | None, since_id: str | None, token: str | None, budget: int | None) -> dict | None:
        size = PAGE_MAX if budget is None else max(PAGE_MIN[self.endpoint], min(PAGE_MAX, budget))
        params: dict[str, Any] = {
            "max_results": size, "expansions": EXPANSIONS, "tweet_fields": TWEET_FIELDS, "user_fields": USER_FIELDS,
        }
        if since_id:
            params["since_id"] = since_id
        if self.endpoint == "search":
            if token:
                params["next_token"] = token
            request = lambda: self.client.search_recent_tweets(self.query(), **params)  # noqa: E731
        else:
            if token:
                params["pagination_token"] = token
            request = lambda: self.client.get_users_mentions(user_id, **params)  # noqa: E731
        try:
            return self._call(request, stale_token_possible=bool(token))
        except tweepy.BadRequest:
            log.info("%s: pagination token no longer accepted; starting again from since_id", self.target.name)
            return None

    def _user_id(self) -> str:
        body = self._call(lambda: self.client.get_user(username=self.target.mentions_of.lstrip("@")))
        if "data" not in body:
            raise EarshotError(f"{self.target.name}: X has no account @{self.target.mentions_of}; check mentions_of")
        return str(body["data"]["id"])

    def _call(self, request, *, stale_token_possible: bool = False) -> dict:
        try:
            return call_with_retries(request, policy=self.policy, classify=classify, what=f"{self.target.name}: X API")
        except tweepy.Unauthorized:
            raise EarshotError("X rejected the bearer token (401); check EARSHOT_X_BEARER_TOKEN") from None
        except tweepy.Forbidden as exc:
            raise EarshotError(f"{self.target.name}: X refused access (403): {_api_message(exc)}") from None
        except tweepy.BadRequest as exc:
            if stale_token_possible:
                raise
            raise EarshotError(f"{self.target.name}: X rejected the request (400): {_api_message(exc)}") from None

    def deleted(self, external_ids: list[str]) -> set[str]:
        gone: set[str] = set()
        for start in range(0, len(external_ids), LOOKUP_CHUNK):
            chunk = external_ids[start : start + LOOKUP_CHUNK]
            body = self._call(lambda chunk=chunk: self.client.get_tweets(chunk, tweet_fields=["id"]))
            gone |= missing_ids(body) & set(chunk)
        return gone


def _api_message(exc: tweepy.HTTPException) -> str:
    messages = list(getattr(exc, "api_messages", []) or []) or [str(exc)]
    return "; ".join(messages)[:300]
