"""Sending a reply through the platform it answers: X with tweepy (`create_tweet` in reply to the post), Reddit with
praw (a reply to the submission or comment). One small class per platform, registered by name; `dry-run` stands in
for all of them when `[engage] send_mode` is not `live`, and logs the request that would be made."""

import logging
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import praw
import prawcore
import requests
import tweepy

from config.errors import EarshotError
from config.registry import Registry
from config.settings import Settings
from listener.x import with_timeout

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """The reply to send: to which post (the platform's id), what text, with which idempotency key."""

    platform: str
    in_reply_to: str
    text: str
    key: str


@dataclass(frozen=True)
class Sent:
    platform_reply_id: str | None
    request: str  # what was (or would have been) asked of the platform, for the log and the item


class SendFailed(EarshotError):
    """The platform refused or failed the reply; the reply is kept with this message, to retry."""


class SendUncertain(SendFailed):
    """The request went out but no answer came back (a timeout, a dropped connection): the platform may have posted
    the reply. Before it is sent again, the sender looks for it on the platform (`find_sent`)."""


class ReplySender(ABC):
    name: ClassVar[str]

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: Settings) -> "ReplySender":
        """Built with the user credentials posting needs; a one-line EarshotError names what to set."""

    @abstractmethod
    def send(self, reply: Outgoing) -> Sent:
        """Post the reply; raise SendFailed with the platform's reason, SendUncertain when no answer came."""

    @abstractmethod
    def find_sent(self, reply: Outgoing) -> Sent | None:
        """The reply as already posted by our account in answer to `reply.in_reply_to` with the same text, or None;
        raise SendUncertain when the platform cannot be asked (whether it was posted is as unknown as before)."""


reply_senders: Registry[ReplySender] = Registry("reply sender")


def sender_for(settings: Settings, platform: str) -> ReplySender:
    if settings.engage.send_mode != "live":
        return DryRun()
    return reply_senders.get(platform).from_settings(settings)


class DryRun(ReplySender):
    name = "dry-run"

    @classmethod
    def from_settings(cls, settings: Settings) -> "DryRun":
        return cls()

    def send(self, reply: Outgoing) -> Sent:
        request = _describe(reply)
        log.info("dry-run, not sent: %s", request)
        return Sent(platform_reply_id=None, request=request)

    def find_sent(self, reply: Outgoing) -> Sent | None:
        return None


@reply_senders.register
class XReplySender(ReplySender):
    name = "x"

    def __init__(self, client: tweepy.Client) -> None:
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings) -> "XReplySender":
        keys = _required(settings, "X", ("x_consumer_key", "x_consumer_secret", "x_access_token",
                                         "x_access_token_secret"))
        return cls(with_timeout(tweepy.Client(consumer_key=keys[0], consumer_secret=keys[1], access_token=keys[2],
                                              access_token_secret=keys[3])))

    def send(self, reply: Outgoing) -> Sent:
        try:
            response = self.client.create_tweet(text=reply.text, in_reply_to_tweet_id=reply.in_reply_to,
                                                user_auth=True)
        except requests.RequestException as exc:
            raise _uncertain("X", exc) from exc
        except tweepy.TweepyException as exc:
            raise SendFailed(f"X refused the reply: {_one_line(exc)}") from exc
        return Sent(platform_reply_id=str(response.data["id"]), request=_describe(reply))

    def find_sent(self, reply: Outgoing) -> Sent | None:
        """Our account's recent posts (since the post answered): one replying to it with the same text."""
        try:
            me = self.client.get_me(user_auth=True).data.data  # tweepy's User, then its raw fields
            recent = [tweet.data for tweet in self.client.get_users_tweets(
                me["id"], since_id=reply.in_reply_to, max_results=100, tweet_fields=["referenced_tweets"],
                user_auth=True).data or ()]
        except (tweepy.TweepyException, requests.RequestException) as exc:
            raise SendUncertain(f"could not ask X whether the reply was posted: {_one_line(exc)}") from exc
        for tweet in recent:
            answers = any(ref["type"] == "replied_to" and str(ref["id"]) == reply.in_reply_to
                          for ref in tweet.get("referenced_tweets") or ())
            if answers and _without_mentions(tweet["text"]) == reply.text.strip():
                return Sent(platform_reply_id=str(tweet["id"]), request=_describe(reply))
        return None


@reply_senders.register
class RedditReplySender(ReplySender):
    name = "reddit"

    def __init__(self, reddit: praw.Reddit) -> None:
        self.reddit = reddit

    @classmethod
    def from_settings(cls, settings: Settings) -> "RedditReplySender":
        keys = _required(settings, "Reddit", ("reddit_client_id", "reddit_client_secret", "reddit_user_agent",
                                              "reddit_username", "reddit_password"))
        reddit = praw.Reddit(client_id=keys[0], client_secret=keys[1], user_agent=keys[2], username=keys[3],
                             password=keys[4], check_for_async=False, check_for_updates=False)
        # prawcore sends a request again after a read timeout or a 5xx: for a comment, that may post it twice
        reddit._authorized_core._retry_strategy_class = _SendOnce  # noqa: SLF001 - prawcore offers no option
        return cls(reddit)

    def send(self, reply: Outgoing) -> Sent:
        kind, _, base36 = reply.in_reply_to.partition("_")
        thing = self.reddit.comment(id=base36) if kind == "t1" else self.reddit.submission(id=base36)
        try:
            comment = thing.reply(body=reply.text)
        except prawcore.RequestException as exc:  # prawcore's wrapper of a timeout or a dropped connection
            raise _uncertain("Reddit", exc) from exc
        except (praw.exceptions.PRAWException, prawcore.PrawcoreException) as exc:
            raise SendFailed(f"Reddit refused the reply: {_one_line(exc)}") from exc
        if comment is None:
            raise SendFailed("Reddit accepted the request but returned no comment (the thread may be locked)")
        return Sent(platform_reply_id=f"t1_{comment.id}", request=_describe(reply))

    def find_sent(self, reply: Outgoing) -> Sent | None:
        """Our account's newest comments: one under the same post or comment with the same text."""
        try:
            for comment in self.reddit.user.me().comments.new(limit=100):
                if comment.parent_id == reply.in_reply_to and comment.body.strip() == reply.text.strip():
                    return Sent(platform_reply_id=f"t1_{comment.id}", request=_describe(reply))
        except (praw.exceptions.PRAWException, prawcore.PrawcoreException) as exc:
            raise SendUncertain(f"could not ask Reddit whether the reply was posted: {_one_line(exc)}") from exc
        return None


class _SendOnce(prawcore.sessions.FiniteRetryStrategy):
    """Never retried by prawcore: a reply that got no answer is `unconfirmed`, looked for before it is sent again."""

    def should_retry_on_failure(self) -> bool:
        return False


def _uncertain(platform: str, exc: BaseException) -> SendUncertain:
    return SendUncertain(f"{platform} did not answer ({type(getattr(exc, 'original_exception', exc)).__name__}): the "
                         "reply may have been posted; sending it again first checks the thread, so it never goes out "
                         "twice")


_LEADING_MENTIONS = re.compile(r"^(?:@\w+\s+)+")


def _without_mentions(text: str) -> str:
    """X puts the handles replied to in front of a reply's text."""
    return _LEADING_MENTIONS.sub("", text).strip()


def _required(settings: Settings, platform: str, names: tuple[str, ...]) -> list[str]:
    values = []
    for name in names:
        value = getattr(settings, name)
        value = value.get_secret_value() if hasattr(value, "get_secret_value") else value
        values.append((value or "").strip())
    missing = [f"EARSHOT_{name.upper()}" for name, value in zip(names, values) if not value]
    if missing:
        raise EarshotError(f"sending replies on {platform} needs {', '.join(missing)} (or set [engage] send_mode "
                           f"= 'dry-run')")
    return values


def _describe(reply: Outgoing) -> str:
    if reply.platform == "x":
        return f"POST https://api.twitter.com/2/tweets in reply to {reply.in_reply_to} ({len(reply.text)} characters)"
    return f"POST https://oauth.reddit.com/api/comment on {reply.in_reply_to} ({len(reply.text)} characters)"


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]
