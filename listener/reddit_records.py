"""Reddit things (submissions t3, comments t1, profiles t2) mapped to our records: the one place that knows Reddit.

Everything here works on the JSON `data` dict of a thing, exactly as Reddit sends it (praw objects are turned back
into such a dict by `item_data`). Ids are fullnames throughout: `t3_abc` for a submission, `t1_def` for a comment,
`t2_xyz` for an account.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from listener.records import AuthorRecord, PostRecord

PLATFORM = "reddit"
SITE = "https://www.reddit.com"
GONE_TEXT = frozenset({"[deleted]", "[removed]"})
FULLNAME = re.compile(r"^t[1-6]_[0-9a-z]+$")  # t1 comment, t2 account, t3 submission, ... t5 subreddit
_PRAW_ADDED = frozenset({"comment_limit", "comment_sort"})  # attributes praw adds to a Submission, not Reddit's


class UnexpectedListing(ValueError):
    """A response that is JSON but not a listing (e.g. an error page served with status 200)."""


@dataclass
class Listing:
    """One page of a listing: the things' data dicts, newest first, and the fullname to page on from."""

    items: list[dict[str, Any]] = field(default_factory=list)
    after: str | None = None


def parse_listing(body: Any) -> Listing:
    """Read `{"kind": "Listing", "data": {"children": [{"kind", "data"}], "after"}}`; anything else is unexpected."""
    if not isinstance(body, dict) or body.get("kind") != "Listing" or not isinstance(body.get("data"), dict):
        raise UnexpectedListing(f"expected a listing, got {_describe(body)}")
    children = body["data"].get("children")
    if not isinstance(children, list):
        raise UnexpectedListing("the listing has no children list")
    items = [child.get("data") for child in children if isinstance(child, dict)]
    return Listing([item for item in items if isinstance(item, dict)], body["data"].get("after") or None)


def _describe(body: Any) -> str:
    if isinstance(body, dict):
        return f"an object with keys {', '.join(sorted(map(str, body))[:5]) or 'none'}"
    return type(body).__name__


def item_data(thing: Any) -> dict[str, Any]:
    """The JSON data dict of a thing: as it is for a dict; rebuilt from a praw Submission/Comment's attributes."""
    if isinstance(thing, dict):
        return thing
    data: dict[str, Any] = {}
    for key, value in vars(thing).items():
        if key.startswith("_") or key in _PRAW_ADDED:
            continue
        if key in ("author", "subreddit"):  # praw turns these into Redditor / Subreddit objects
            value = None if value is None else str(value)
        elif hasattr(value, "_reddit"):  # other praw objects (poll data...) are not part of the JSON we keep
            continue
        data[key] = value
    return data


def kind_of(data: dict[str, Any]) -> str:
    """`post` for a submission, `comment` for a comment."""
    name = str(data.get("name") or "")
    if name.startswith("t1_") or (not name.startswith("t3_") and "body" in data):
        return "comment"
    return "post"


def fullname(data: dict[str, Any]) -> str | None:
    name = data.get("name")
    if isinstance(name, str) and name:
        return name
    if data.get("id"):
        return f"{'t1' if kind_of(data) == 'comment' else 't3'}_{data['id']}"
    return None


def body_text(data: dict[str, Any]) -> str:
    text = data.get("body") if kind_of(data) == "comment" else data.get("selftext")
    return text if isinstance(text, str) else ""


def position(data: dict[str, Any]) -> dict[str, Any] | None:
    """Where a thing sits in a newest-first listing: its fullname and creation time (None if either is unusable)."""
    name, created = fullname(data), data.get("created_utc")
    if name is None or isinstance(created, bool) or not isinstance(created, int | float):
        return None
    return {"fullname": name, "created_utc": float(created)}


def at_or_before(data: dict[str, Any], cursor: dict[str, Any]) -> bool:
    """True when the thing is the cursor's own or older: a newest-first listing can stop there.

    Several things share one created_utc second, so only an older second (or the same fullname) stops.
    """
    here = position(data)
    if here is None:
        return False
    return here["fullname"] == cursor.get("fullname") or here["created_utc"] < float(cursor.get("created_utc", 0))


def is_noise(data: dict[str, Any]) -> bool:
    """Deleted accounts and deleted/removed content: nothing to read or answer."""
    author = data.get("author")
    return author in (None, "", "[deleted]") or body_text(data) in GONE_TEXT or bool(data.get("removed_by_category"))


def is_gone(data: dict[str, Any]) -> bool:
    """Deleted by its author or removed by moderators/Reddit: its text is no longer public.

    A deleted account alone (author "[deleted]", text intact) is not gone. Moderator removals keep the author's
    name but replace the text with "[removed]" (seen in real /api/info answers), so the text decides.
    """
    return body_text(data) in GONE_TEXT or bool(data.get("removed_by_category"))


def map_item(data: dict[str, Any], profile: dict[str, Any] | None = None) -> PostRecord:
    """A submission or comment as a PostRecord; raises ValueError naming what is wrong with it."""
    try:
        return _map_comment(data, profile) if kind_of(data) == "comment" else _map_submission(data, profile)
    except KeyError as exc:
        raise ValueError(f"field {exc.args[0]} is missing") from None
    except (TypeError, OverflowError) as exc:
        raise ValueError(str(exc)) from None
    except ValidationError as exc:
        error = exc.errors()[0]
        raise ValueError(f"{'.'.join(map(str, error['loc']))}: {error['msg']}") from None


def _map_submission(data: dict[str, Any], profile: dict[str, Any] | None) -> PostRecord:
    name = _required_fullname(data)
    return PostRecord(
        platform=PLATFORM,
        external_id=name,
        author=map_author(data, profile),
        kind="post",
        title=data["title"],
        text=body_text(data),
        created_at=_created(data),
        url=SITE + data["permalink"] if data.get("permalink") else f"{SITE}/comments/{name.removeprefix('t3_')}/",
        language=None,  # Reddit does not report a language; the language enricher detects it
        conversation_id=name,
        like_count=max(0, int(data.get("score") or 0)),  # scores can be negative; we count likes from zero
        share_count=max(0, int(data.get("num_crossposts") or 0)),
        reply_count=max(0, int(data.get("num_comments") or 0)),
        raw=_raw(data, profile),
    )


def _map_comment(data: dict[str, Any], profile: dict[str, Any] | None) -> PostRecord:
    name, link_id = _required_fullname(data), data["link_id"]
    if data.get("permalink"):
        url = SITE + data["permalink"]
    else:  # comment listings recorded before 2017 carry no permalink
        url = f"{SITE}/comments/{link_id.removeprefix('t3_')}/_/{name.removeprefix('t1_')}/"
    return PostRecord(
        platform=PLATFORM,
        external_id=name,
        author=map_author(data, profile),
        kind="comment",
        text=body_text(data),
        created_at=_created(data),
        url=url,
        language=None,
        reply_to=data["parent_id"],
        conversation_id=link_id,
        like_count=max(0, int(data.get("score") or 0)),
        raw=_raw(data, profile),
    )


def map_author(data: dict[str, Any], profile: dict[str, Any] | None = None) -> AuthorRecord:
    """The author as listings name them; with the profile (`/user/NAME/about` data) when it was fetched.

    `author_fullname` (t2_...) exists in listings since 2018; older things only carry the name, which then serves
    as the id. Reddit's `verified` means a verified e-mail address, not a public badge, so `verified` stays False.
    """
    handle = data["author"]
    if not isinstance(handle, str) or not handle:
        raise ValueError("author: missing")
    profile = profile or {}
    page = profile.get("subreddit") if isinstance(profile.get("subreddit"), dict) else {}
    return AuthorRecord(
        platform=PLATFORM,
        external_id=data.get("author_fullname") or handle,
        handle=handle,
        display_name=page.get("title") or None,
        bio=page.get("public_description") or None,
        followers=_followers(page),
    )


def _followers(page: dict[str, Any]) -> int | None:
    """Reddit publishes no follower count in listings or in a profile's own fields; a profile's personal `u_`
    subreddit counts its subscribers, who are the account's followers (0 when hidden; None when not fetched)."""
    if not page:
        return None
    subscribers = page.get("subscribers")
    return subscribers if isinstance(subscribers, int) and not isinstance(subscribers, bool) and subscribers > 0 else 0


PROFILE_FIELDS = (
    "id", "name", "created_utc", "link_karma", "comment_karma", "total_karma", "awardee_karma", "awarder_karma",
    "is_employee", "is_mod", "is_gold", "verified", "has_verified_email", "is_suspended",
)


def profile_summary(profile: dict[str, Any]) -> dict[str, Any]:
    """What we keep of a profile in each post's raw payload: karma, age and flags (not icons and styling)."""
    summary = {key: profile[key] for key in PROFILE_FIELDS if key in profile}
    page = profile.get("subreddit")
    if isinstance(page, dict):
        summary["subreddit"] = {key: page.get(key) for key in ("title", "public_description", "subscribers")}
    return summary


def _raw(data: dict[str, Any], profile: dict[str, Any] | None) -> dict[str, Any]:
    return {**data, "author_profile": profile_summary(profile)} if profile else dict(data)


def _required_fullname(data: dict[str, Any]) -> str:
    name = fullname(data)
    if name is None:
        raise ValueError("field name is missing")
    return name


def _created(data: dict[str, Any]) -> datetime:
    created = data["created_utc"]
    if isinstance(created, bool) or not isinstance(created, int | float):
        raise ValueError(f"created_utc: not a timestamp ({created!r})")
    return datetime.fromtimestamp(created, tz=UTC)


def profile_data(body: Any) -> dict[str, Any] | None:
    """The `data` of a `/user/NAME/about` answer (`{"kind": "t2", "data": {...}}`), or None."""
    if isinstance(body, dict) and body.get("kind") == "t2" and isinstance(body.get("data"), dict):
        return body["data"]
    return None
