"""Build the X API v2 recordings the shared tweepy cassettes lack (richer fields, paging, errors).

Same cassette format as tweepy's own test suite (vcrpy YAML); bodies follow the field layout of X's API v2
documentation. Run `python tests/recordings/x/make_recordings.py` to rebuild them; the output is committed.
"""

import json
from pathlib import Path
from urllib.parse import urlencode

import yaml

HERE = Path(__file__).parent
API = "https://api.twitter.com/2"
RESET_AT = 1_795_000_000  # the epoch second a 429 says the window resets (tests pin the clock near it)
QUERY = "nordvik -is:retweet"


def user(uid: str, username: str, name: str, followers: int, bio: str = "", location: str = "") -> dict:
    return {
        "id": uid, "username": username, "name": name, "description": bio, "location": location,
        "verified": False,
        "public_metrics": {"followers_count": followers, "following_count": 10, "tweet_count": 500, "listed_count": 1},
    }


ANNA = user("2001", "anna_lq", "Anna Lindqvist", 312, "she/her · 29 · Uppsala", "Uppsala, Sverige")
GURU = user("2002", "techguru", "Tech Guru", 250_000, "Gadget reviews. Opinions mine.", "Austin, TX")
SUPPORT = user("1001", "nordvik_support", "Nordvik Support", 40_000, "We're here to help, 8-20 CET")
BUDI = user("2003", "budi_s", "Budi Santoso", 88, "umur 24 | Bandung", "Bandung")


def tweet(tid: str, author: dict, text: str, created: str, *, lang: str = "en", conversation: str | None = None,
          replied_to: tuple[str, str] | None = None, retweet_of: str | None = None, likes: int = 0) -> dict:
    body = {
        "id": tid, "text": text, "author_id": author["id"], "created_at": created, "lang": lang,
        "conversation_id": conversation or tid, "edit_history_tweet_ids": [tid],
        "public_metrics": {"retweet_count": 1, "reply_count": 2, "like_count": likes, "quote_count": 3,
                           "bookmark_count": 0, "impression_count": 100},
    }
    if replied_to:
        body["referenced_tweets"] = [{"type": "replied_to", "id": replied_to[0]}]
        body["in_reply_to_user_id"] = replied_to[1]
    if retweet_of:
        body["referenced_tweets"] = [{"type": "retweeted", "id": retweet_of}]
    return body


def page(tweets: list[dict], users: list[dict], next_token: str | None = None) -> dict:
    meta = {"result_count": len(tweets)}
    if tweets:
        meta |= {"newest_id": max((t["id"] for t in tweets), key=int), "oldest_id": min((t["id"] for t in tweets), key=int)}
    if next_token:
        meta["next_token"] = next_token
    body = {"meta": meta}
    if tweets:
        body |= {"data": tweets, "includes": {"users": users}}
    return body


def exchange(path: str, params: dict, status: int = 200, body=None, headers: dict | None = None) -> dict:
    query = f"?{urlencode(params)}" if params else ""
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    response_headers = {"content-type": ["application/json; charset=utf-8"]}
    for key, value in (headers or {}).items():
        response_headers[key] = [str(value)]
    return {
        "request": {"body": None, "headers": {}, "method": "GET", "uri": f"{API}{path}{query}"},
        "response": {"body": {"string": text}, "headers": response_headers,
                     "status": {"code": status, "message": {200: "OK", 400: "Bad Request", 401: "Unauthorized",
                                                            429: "Too Many Requests", 503: "Service Unavailable"}[status]}},
    }


def write(name: str, exchanges: list[dict]) -> None:
    text = yaml.safe_dump({"interactions": exchanges, "version": 1}, allow_unicode=True, sort_keys=False, width=120)
    (HERE / name).write_text(text, encoding="utf-8")


T1 = tweet("1858000000000000101", ANNA, "My Aura 12 battery drains overnight since 4.2 😤 @nordvik", "2026-11-20T08:00:00.000Z", likes=4)
T2 = tweet("1858000000000000102", GURU, "RT @anna_lq: My Aura 12 battery drains overnight", "2026-11-20T08:05:00.000Z", retweet_of=T1["id"])
T3 = tweet("1858000000000000103", SUPPORT, "@anna_lq Sorry to hear that! Please DM us your order number.",
           "2026-11-20T08:10:00.000Z", conversation=T1["id"], replied_to=(T1["id"], ANNA["id"]))
T4 = tweet("1858000000000000097", BUDI, "Baterai Aura 12 boros banget sejak update 😩", "2026-11-20T07:00:00.000Z", lang="in")
T5 = tweet("1858000000000000098", BUDI, "Baterai Aura 12 boros banget sejak update 😩", "2026-11-20T07:01:00.000Z", lang="in")
T6 = tweet("1858000000000000201", GURU, "Nordvik's 4.2 update is a disaster. Avoid the Aura 12 for now.", "2026-11-21T09:00:00.000Z", likes=900)
FIRST_PAGE = page([T3, T2, T1], [ANNA, GURU, SUPPORT], next_token="b26v89c19zqg8o3fo7gesq314yb9l2l4ptqy")
SECOND_PAGE = page([T5, T4], [BUDI])


def main() -> None:
    search = "/tweets/search/recent"
    write("search_first_run.yaml", [
        exchange(search, {"query": QUERY}, body=FIRST_PAGE),
        exchange(search, {"query": QUERY, "next_token": FIRST_PAGE["meta"]["next_token"]}, body=SECOND_PAGE),
    ])
    write("search_second_run.yaml", [
        exchange(search, {"query": QUERY, "since_id": T3["id"]}, body=page([T6], [GURU])),
    ])
    write("search_nothing_new.yaml", [exchange(search, {"query": QUERY, "since_id": T6["id"]}, body=page([], []))])
    rate = {"x-rate-limit-limit": 450, "x-rate-limit-remaining": 0, "x-rate-limit-reset": RESET_AT}
    too_many = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
    write("search_rate_limited.yaml", [
        exchange(search, {"query": QUERY}, status=429, body=too_many, headers=rate),
        exchange(search, {"query": QUERY}, body=page([T6], [GURU])),
    ])
    unavailable = {"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank", "status": 503}
    write("search_server_errors.yaml", [
        exchange(search, {"query": QUERY}, status=503, body=unavailable),
        exchange(search, {"query": QUERY}, status=503, body=unavailable),
        exchange(search, {"query": QUERY}, body=page([T6], [GURU])),
    ])
    write("search_server_down.yaml", [exchange(search, {"query": QUERY}, status=503, body=unavailable) for _ in range(3)])
    write("search_malformed.yaml", [
        exchange(search, {"query": QUERY}, body='{"data": [{"id": "18580000'),
        exchange(search, {"query": QUERY}, body=page([T6], [GURU])),
    ])
    write("search_no_author.yaml", [exchange(search, {"query": QUERY}, body={"data": [T6], "meta": {"result_count": 1, "newest_id": T6["id"]}})])
    write("search_unauthorized.yaml", [exchange(search, {"query": QUERY}, status=401, body={
        "title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})])
    write("search_stale_token.yaml", [
        exchange(search, {"query": QUERY, "since_id": T1["id"], "next_token": "expired"}, status=400, body={
            "errors": [{"parameters": {"next_token": ["expired"]}, "message": "The `next_token` query parameter value [expired] is not valid"}],
            "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request"}),
        exchange(search, {"query": QUERY, "since_id": T1["id"]}, body=page([T6], [GURU])),
    ])
    write("mentions.yaml", [
        exchange("/users/by/username/nordvik", {}, body={"data": {"id": "1000", "name": "Nordvik", "username": "nordvik"}}),
        exchange("/users/1000/mentions", {}, body=page([T1, T4], [ANNA, BUDI])),
    ])
    write("mentions_unknown_account.yaml", [
        exchange("/users/by/username/nordvikk", {}, body={"errors": [{
            "value": "nordvikk", "detail": "Could not find user with username: [nordvikk].", "title": "Not Found Error",
            "resource_type": "user", "parameter": "username", "resource_id": "nordvikk",
            "type": "https://api.twitter.com/2/problems/resource-not-found"}]}),
    ])
    write("lookup_deleted.yaml", [
        exchange("/tweets", {"ids": f"{T1['id']},{T6['id']}"}, body={
            "data": [{"id": T6["id"], "text": T6["text"], "edit_history_tweet_ids": [T6["id"]]}],
            "errors": [{"value": T1["id"], "detail": f"Could not find tweet with ids: [{T1['id']}].",
                        "title": "Not Found Error", "resource_type": "tweet", "parameter": "ids",
                        "resource_id": T1["id"], "type": "https://api.twitter.com/2/problems/resource-not-found"}]}),
    ])


if __name__ == "__main__":
    main()
