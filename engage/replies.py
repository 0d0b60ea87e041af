"""Sending a reply through the platform it answers: X with tweepy (`create_tweet` in reply to the post), Reddit with
praw (a reply to the submission or comment). One small class per platform, registered by name; `dry-run` stands in
for all of them when `[engage] send_mode` is not `live`, and logs the request that would be made."""

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import praw
import prawcore
import tweepy

from config.errors import EarshotError
from config.registry import Registry
from config.settings import Settings

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


class ReplySender(ABC):
    name: ClassVar[str]

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: Settings) -> "ReplySender":
        """Built with the user credentials posting needs; a one-line EarshotError names what to set."""

    @abstractmethod
    def send(self, reply: Outgoing) -> Sent:
        """Post the reply; raise SendFailed with the platform's reason."""


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


@reply_senders.register
class XReplySender(ReplySender):
    name = "x"

    def __init__(self, client: tweepy.Client) -> None:
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings) -> "XReplySender":
        keys = _required(settings, "X", ("x_consumer_key", "x_consumer_secret", "x_access_token",
                                         "x_access_token_secret"))
        return cls(tweepy.Client(consumer_key=keys[0], consumer_secret=keys[1], access_token=keys[2],
                                 access_token_secret=keys[3]))

    def send(self, reply: Outgoing) -> Sent:
        try:
            response = self.client.create_tweet(text=reply.text, in_reply_to_tweet_id=reply.in_reply_to,
                                                user_auth=True)
        except tweepy.TweepyException as exc:
            raise SendFailed(f"X refused the reply: {_one_line(exc)}") from exc
        return Sent(platform_reply_id=str(response.data["id"]), request=_describe(reply))


@reply_senders.register
class RedditReplySender(ReplySender):
    name = "reddit"

    def __init__(self, reddit: praw.Reddit) -> None:
        self.reddit = reddit

    @classmethod
    def from_settings(cls, settings: Settings) -> "RedditReplySender":
        keys = _required(settings, "Reddit", ("reddit_client_id", "reddit_client_secret", "reddit_user_agent",
                                              "reddit_username", "reddit_password"))
        return cls(praw.Reddit(client_id=keys[0], client_secret=keys[1], user_agent=keys[2], username=keys[3],
                               password=keys[4], check_for_async=False, check_for_updates=False))

    def send(self, reply: Outgoing) -> Sent:
        kind, _, base36 = reply.in_reply_to.partition("_")
        thing = self.reddit.comment(id=base36) if kind == "t1" else self.reddit.submission(id=base36)
        try:
            comment = thing.reply(body=reply.text)
        except (praw.exceptions.PRAWException, prawcore.PrawcoreException) as exc:
            raise SendFailed(f"Reddit refused the reply: {_one_line(exc)}") from exc
        if comment is None:
            raise SendFailed("Reddit accepted the request but returned no comment (the thread may be locked)")
        return Sent(platform_reply_id=f"t1_{comment.id}", request=_describe(reply))


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
