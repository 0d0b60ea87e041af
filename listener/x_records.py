"""X API v2 responses mapped to our records: the one place that knows X's field layout."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from listener.records import AuthorRecord, PostRecord

TWEET_FIELDS = [
    "author_id", "conversation_id", "created_at", "in_reply_to_user_id", "lang", "public_metrics",
    "referenced_tweets", "entities",
]
USER_FIELDS = ["description", "location", "public_metrics", "verified", "name", "username"]
EXPANSIONS = ["author_id", "in_reply_to_user_id"]
TWITTER_EPOCH_MS = 1288834974657


@dataclass
class MappedPage:
    records: list[PostRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    retweets: list[PostRecord] = field(default_factory=list)

    @property
    def fetched(self) -> int:
        return len(self.records) + len(self.problems) + len(self.retweets)


def map_page(body: dict[str, Any]) -> MappedPage:
    """Map one page of tweets (with `includes.users`); unusable tweets become problems, retweets are set apart."""
    users = {user.get("id"): user for user in body.get("includes", {}).get("users", [])}
    page = MappedPage()
    for tweet in body.get("data", []) or []:
        try:
            record = map_tweet(tweet, users.get(tweet.get("author_id")))
        except ValueError as exc:
            page.problems.append(f"tweet {tweet.get('id', '?')}: {exc}")
            continue
        (page.retweets if is_retweet(tweet) else page.records).append(record)
    return page


def map_tweet(tweet: dict[str, Any], author: dict[str, Any] | None) -> PostRecord:
    if author is None:
        raise ValueError("its author is missing from includes.users (request the author_id expansion)")
    metrics = tweet.get("public_metrics") or {}
    author_metrics = author.get("public_metrics") or {}
    try:
        return PostRecord(
            platform="x",
            external_id=str(tweet["id"]),
            author=AuthorRecord(
                platform="x",
                external_id=str(author["id"]),
                handle=author.get("username"),
                display_name=author.get("name"),
                bio=author.get("description"),
                location=author.get("location"),
                followers=author_metrics.get("followers_count", 0),
                verified=bool(author.get("verified", False)),
            ),
            text=tweet.get("text", ""),
            created_at=tweet.get("created_at") or created_from_snowflake(str(tweet["id"])),
            url=f"https://x.com/{author.get('username') or 'i'}/status/{tweet['id']}",
            language=tweet.get("lang"),
            reply_to=next(iter(referenced(tweet, "replied_to")), None),
            conversation_id=tweet.get("conversation_id") or str(tweet["id"]),
            like_count=metrics.get("like_count", 0),
            share_count=metrics.get("retweet_count", 0) + metrics.get("quote_count", 0),
            reply_count=metrics.get("reply_count", 0),
            raw={"tweet": tweet, "author": author},
        )
    except KeyError as exc:
        raise ValueError(f"field {exc.args[0]} is missing") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        raise ValueError(f"{'.'.join(map(str, error['loc']))}: {error['msg']}") from None


def referenced(tweet: dict[str, Any], kind: str) -> Iterator[str]:
    for reference in tweet.get("referenced_tweets") or []:
        if reference.get("type") == kind:
            yield str(reference.get("id"))


def is_retweet(tweet: dict[str, Any]) -> bool:
    return any(True for _ in referenced(tweet, "retweeted"))


def created_from_snowflake(tweet_id: str) -> datetime:
    """X ids carry their creation time (ms since X's epoch, in the top bits)."""
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + TWITTER_EPOCH_MS) / 1000, tz=UTC)


def missing_ids(body: dict[str, Any]) -> set[str]:
    """Ids that a lookup reports as not found, or no longer visible (suspended, protected)."""
    gone = set()
    for error in body.get("errors", []) or []:
        kind = f"{error.get('type', '')} {error.get('title', '')}".lower()
        if any(word in kind for word in ("not-found", "not found", "authorization", "forbidden")):
            gone.add(str(error.get("resource_id") or error.get("value")))
    return gone - {"None"}
