"""Builds the Reddit recordings in this folder (praw's JSON cassette format), reproducibly: `python make_recordings.py`.

The things follow the field layout of Reddit's current listings (`author_fullname`, `permalink` on comments,
`removed_by_category`, `num_crossposts`), with fixed ids and times; tokens are placeholders as in praw's own
cassettes. Scenario data lives here, so the tests can rebuild the same things to compare against.
"""

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).parent
OAUTH = "https://oauth.reddit.com"
TOKEN_URI = "https://www.reddit.com/api/v1/access_token"
RECORDED_AT = "2026-11-20T12:00:00"
BASE = datetime(2026, 11, 20, 12, 0, tzinfo=UTC).timestamp()
SUBREDDIT = "nordvik"
AUTHORS = ["anna_lq", "fjord_fan", "kestrel_hater", "lena_b", "tech_oskar", "sven_repairs", "mia_photos"]
COMMENT_AUTHORS = ["lena_b", "tech_oskar", "sven_repairs", "mia_photos", "anna_lq"]
FIRST_SUBMISSIONS = 130  # two pages: 100, then 30
FIRST_COMMENTS = 20
SEARCH_QUERY = "nordvik aura"


def author_fullname(name: str) -> str:
    return f"t2_{sum(ord(c) * (i + 1) for i, c in enumerate(name)):06x}"


def submission(id: str, created: float, author: str, title: str, selftext: str = "", **extra) -> dict:
    subreddit = extra.pop("subreddit", SUBREDDIT)
    permalink = f"/r/{subreddit}/comments/{id}/{'_'.join(title.lower().split()[:5])}/"
    data = {
        "approved_at_utc": None, "subreddit": subreddit, "selftext": selftext,
        "author_fullname": author_fullname(author),
        "saved": False, "gilded": 0, "clicked": False, "title": title, "subreddit_name_prefixed": f"r/{subreddit}",
        "hidden": False, "pwls": 6, "link_flair_css_class": None, "downs": 0, "hide_score": False, "name": f"t3_{id}",
        "quarantine": False, "upvote_ratio": 0.9, "subreddit_type": "public", "ups": 3, "total_awards_received": 0,
        "score": 3, "edited": False, "is_self": bool(selftext), "created": created, "domain": f"self.{subreddit}",
        "removed_by_category": None, "num_comments": 2, "num_crossposts": 0, "id": id, "author": author,
        "permalink": permalink, "url": f"https://www.reddit.com{permalink}", "subreddit_id": "t5_2nrdvk",
        "created_utc": created, "over_18": False, "stickied": False, "locked": False, "send_replies": True,
    }
    data.update(extra)
    return data


def comment(id: str, created: float, author: str, body: str, link: str = "1nv000", parent: str | None = None,
            **extra) -> dict:
    data = {
        "subreddit_id": "t5_2nrdvk", "approved_at_utc": None, "author_is_blocked": False, "edited": False,
        "author_fullname": author_fullname(author), "link_id": f"t3_{link}", "replies": "", "saved": False,
        "id": id, "gilded": 0, "archived": False, "author": author, "parent_id": parent or f"t3_{link}",
        "score": 1, "subreddit": SUBREDDIT, "body": body, "link_title": "Aura 12 battery thread", "ups": 1,
        "name": f"t1_{id}", "downs": 0, "is_submitter": False, "collapsed": False, "stickied": False,
        "permalink": f"/r/{SUBREDDIT}/comments/{link}/aura_12_battery_thread/{id}/",
        "link_permalink": f"https://www.reddit.com/r/{SUBREDDIT}/comments/{link}/aura_12_battery_thread/",
        "created": created, "created_utc": created, "controversiality": 0,
    }
    data.update(extra)
    return data


def first_submissions() -> list[dict]:
    """The first run's /new listing, newest first: 130 self-posts a minute apart (one with a negative score)."""
    things = []
    for n in range(FIRST_SUBMISSIONS):
        author = AUTHORS[n % len(AUTHORS)]
        extra = {"score": -4, "ups": 0} if n == 7 else {}
        if n == 3:  # a link post: no self-text
            things.append(submission(f"1nu{n:03d}", BASE - 60 * n, author, f"Review of the Aura 12, part {n}",
                                     is_self=False, url="https://example.com/aura-12-review", domain="example.com"))
            continue
        things.append(submission(f"1nu{n:03d}", BASE - 60 * n, author, f"Aura 12 question number {n}",
                                 f"Has anyone else seen this on the Aura 12? Case {n}.", **extra))
    return things


def first_comments() -> list[dict]:
    """The first run's /comments listing: 20 comments, three of them noise (deleted, removed, repeated)."""
    things = []
    for n in range(FIRST_COMMENTS):
        author = COMMENT_AUTHORS[n % len(COMMENT_AUTHORS)]
        body = f"Comment {n}: the battery lasts about {n + 5} hours."
        parent = "t1_ncm003" if n == 2 else None
        things.append(comment(f"ncm{n:03d}", BASE - 45 * n + 10, author, body, parent=parent))
    things[4].update(author="[deleted]", body="[deleted]", author_fullname=None)  # deleted by its author
    things[6].update(body="[removed]")  # removed by a moderator: the author's name stays
    things[10].update(author=things[5]["author"], author_fullname=things[5]["author_fullname"],
                      body=things[5]["body"])  # the same text by the same author again
    return things


def second_submissions() -> list[dict]:
    """The second run's /new: five newer posts, one posted in the same second as the old newest, then old ones."""
    old = first_submissions()
    newer = [submission(f"1nw{n:03d}", BASE + 60 * (5 - n), AUTHORS[n], f"New Aura 12 post {n}", f"Fresh text {n}.")
             for n in range(5)]
    tie = submission("1nw900", BASE, "lena_b", "Same second as the old newest", "Posted in the same second.")
    return newer + [tie] + old[:20]


def backlog_submissions() -> list[dict]:
    """After the first run, 105 newer posts: more than a page, so the next run reads two pages down to the old."""
    return [submission(f"1nx{n:03d}", BASE + 60 * (105 - n), AUTHORS[n % len(AUTHORS)], f"Backlog post {n}",
                       f"Backlog text {n} about the Aura 12.") for n in range(105)]


def second_comments() -> list[dict]:
    old = first_comments()
    newer = [comment(f"ncn{n:03d}", BASE + 300 - 30 * n, COMMENT_AUTHORS[n], f"Newer comment {n} on the Aura 12.")
             for n in range(3)]
    return newer + old[:30]


def search_results() -> list[dict]:
    return [
        submission("1sr001", BASE - 100, "anna_lq", "Nordvik Aura 12 or Zentro?", "Which one would you buy?",
                   subreddit="gadgets"),
        submission("1sr002", BASE - 200, "sven_repairs", "Nordvik Aura 12 batteribyte", "Hur byter man batteriet?",
                   subreddit="sweden"),
        submission("1sr003", BASE - 300, "mia_photos", "Nordvik aura camera samples", "[removed]",
                   subreddit="photography", removed_by_category="moderator"),
        submission("1sr004", BASE - 400, "fjord_fan", "Nordvik Aura 12 in the wild", "", subreddit="pics",
                   is_self=False, url="https://i.example.com/aura.jpg"),
    ]


def profile_posts() -> list[dict]:
    return [
        submission("1pr001", BASE - 10, "anna_lq", "Aura 12 Pro arrived", "Loving it so far."),
        submission("1pr002", BASE - 20, "gone_user", "Aura 12 screen issue", "Dead pixels after a week."),
        submission("1pr003", BASE - 30, "anna_lq", "Aura 12 Pro case?", "Which case fits?"),
    ]


PROFILE = {
    "is_employee": False, "has_visited_new_profile": False, "is_friend": False, "pref_no_profanity": True,
    "has_external_account": False, "is_sponsor": False, "is_gold": False, "is_mod": True, "awarder_karma": 0,
    "id": "9x1abc", "verified": True, "is_suspended": False, "has_verified_email": True, "is_blocked": False,
    "hide_from_robots": False, "name": "anna_lq", "created": 1536000000.0, "created_utc": 1536000000.0,
    "link_karma": 1520, "comment_karma": 8311, "total_karma": 9831, "awardee_karma": 0, "accept_followers": True,
    "icon_img": "https://styles.redditmedia.com/t5_abc/styles/profileIcon.png",
    "subreddit": {
        "default_set": True, "user_is_contributor": False, "banner_img": "", "restrict_posting": True,
        "free_form_reports": True, "community_icon": None, "show_media": True, "display_name": "u_anna_lq",
        "header_img": None, "title": "Anna L.", "over_18": False, "icon_size": [256, 256], "primary_color": "",
        "description": "", "subscribers": 12850, "name": "t5_9x1abd", "is_default_banner": True,
        "url": "/user/anna_lq/", "public_description": "Tech journalist in Malmö. Phones, cameras, batteries.",
        "subreddit_type": "user", "user_is_subscriber": False, "display_name_prefixed": "u/anna_lq",
    },
}


def info_things() -> list[dict]:
    """/api/info answer for t3_1nu000, t1_ncm000, t1_ncm001: the first as it is, the second deleted, the third
    missing (Reddit leaves out what it no longer has)."""
    present = first_submissions()[0]
    deleted = {**first_comments()[0], "author": "[deleted]", "author_fullname": None, "body": "[deleted]"}
    return [present, deleted]


INFO_IDS = ["t3_1nu000", "t1_ncm000", "t1_ncm001"]


# ---------------------------------------------------------------------------------------------------------------
# HTTP exchanges


def token() -> dict:
    return exchange("POST", TOKEN_URI, 200, {"access_token": "<ACCESS_TOKEN>", "token_type": "bearer",
                                            "expires_in": 86400, "scope": "*"},
                    body="grant_type=client_credentials", ratelimit=None)


def listing(things: list[dict], after: str | None) -> dict:
    """A listing page; each child's kind (t1 comment, t3 submission) is its fullname's prefix."""
    children = [{"kind": t["name"][:2], "data": t} for t in things]
    return {"kind": "Listing", "data": {"after": after, "dist": len(things), "modhash": None, "geo_filter": "",
                                       "children": children, "before": None}}


def page(path: str, things: list[dict], *, after_param: str | None = None,
         after: str | None = None, limit: int = 100, extra: dict | None = None, used: int = 2) -> dict:
    params = {**(extra or {}), "limit": limit, "raw_json": 1}
    if after_param:
        params["after"] = after_param
    return exchange("GET", f"{OAUTH}{path}?{urlencode(params)}", 200, listing(things, after), used=used)


def new_uri(after: str | None = None, limit: int = 100) -> str:
    params = {"limit": limit, "raw_json": 1, **({"after": after} if after else {})}
    return f"{OAUTH}/r/{SUBREDDIT}/new?{urlencode(params)}"


def exchange(method: str, uri: str, status: int, payload, *, body: str | None = None, ratelimit: tuple | None = (),
             used: int = 2, headers: dict | None = None) -> dict:
    messages = {200: "OK", 302: "Found", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests",
                503: "Service Unavailable"}
    text = payload if isinstance(payload, str) else json.dumps(payload)
    response_headers = {
        "Connection": ["keep-alive"], "Date": ["Fri, 20 Nov 2026 12:00:00 GMT"], "Server": ["snooserv"],
        "Content-Type": ["application/json; charset=UTF-8"], "Content-Length": [str(len(text.encode()))],
        "Vary": ["accept-encoding"], "cache-control": ["private, s-maxage=0, max-age=0, must-revalidate, no-store"],
        "x-content-type-options": ["nosniff"], "x-ua-compatible": ["IE=edge"],
    }
    if ratelimit == ():  # the usual: plenty left in the 600 s window
        ratelimit = (str(1000.0 - used), str(used), "540")
    if ratelimit:
        remaining, used_now, reset = ratelimit
        response_headers.update({"x-ratelimit-remaining": [remaining], "x-ratelimit-used": [used_now],
                                 "x-ratelimit-reset": [reset]})
    response_headers.update(headers or {})
    request_headers = {
        "Accept": ["*/*"], "Accept-Encoding": ["gzip, deflate"], "Connection": ["keep-alive"],
        "User-Agent": ["<USER_AGENT> PRAW/8.0.3 prawcore/4.0.0"],
        "Authorization": ["Basic <BASIC_AUTH>" if uri == TOKEN_URI else "bearer <ACCESS_TOKEN>"],
    }
    return {
        "recorded_at": RECORDED_AT,
        "request": {"body": body, "headers": request_headers, "method": method, "uri": uri},
        "response": {"body": {"string": text}, "headers": response_headers,
                     "status": {"code": status, "message": messages[status]}, "url": uri},
    }


def failure(uri: str, status: int, payload, **options) -> dict:
    return exchange("GET", uri, status, payload, **options)


def server_error(uri: str) -> dict:
    html = "<html><body><h1>503 Service Unavailable</h1>No server is available to handle this request.</body></html>"
    return failure(uri, 503, html, ratelimit=None, headers={"Content-Type": ["text/html"]})


def rate_limited(uri: str, reset: int) -> dict:
    return failure(uri, 429, {"message": "Too Many Requests", "error": 429}, ratelimit=("0.0", "1000", str(reset)))


def user_token() -> dict:
    """A script app's token for its own account (password grant): what posting a reply needs."""
    return exchange("POST", TOKEN_URI, 200, {"access_token": "<ACCESS_TOKEN>", "token_type": "bearer",
                                            "expires_in": 86400, "scope": "*"},
                    body="grant_type=password&password=<PASSWORD>&username=nordvik_official", ratelimit=None)


def reply_posted() -> dict:
    """/api/comment's answer: the new comment under t3_1nu001."""
    made = comment("ncr777", BASE + 3600, "nordvik_official",
                   "Sorry to hear that! DM us your order number and we will sort it.", link="1nu001",
                   parent="t3_1nu001")
    return exchange("POST", f"{OAUTH}/api/comment/?raw_json=1", 200,
                    {"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": made}]}}})


def who_we_are() -> dict:
    return exchange("GET", f"{OAUTH}/api/v1/me?raw_json=1", 200,
                    {"name": "nordvik_official", "id": "003740", "created_utc": 1700000000.0, "comment_karma": 10})


def our_newest_comments() -> dict:
    """Our account's newest comments: one elsewhere, then the reply whose answer never came (found on retry)."""
    ours = comment("ncr777", BASE + 3600, "nordvik_official",
                   "Sorry to hear that! DM us your order number and we will sort it.", link="1nu001",
                   parent="t3_1nu001")
    other = comment("ncr801", BASE + 7200, "nordvik_official", "Thanks, glad it works!", link="1nu002",
                    parent="t3_1nu002")
    params = urlencode({"sort": "new", "limit": 100, "raw_json": 1})
    return exchange("GET", f"{OAUTH}/user/nordvik_official/comments?{params}", 200, listing([other, ours], None))


def reply_locked() -> dict:
    return exchange("POST", f"{OAUTH}/api/comment/?raw_json=1", 200,
                    {"json": {"errors": [["THREAD_LOCKED", "that thread is locked", "parent"]]}})


# ---------------------------------------------------------------------------------------------------------------
# Cassettes


def cassettes() -> dict[str, list[dict]]:
    subs, comments = first_submissions(), first_comments()
    page_one = page(f"/r/{SUBREDDIT}/new", subs[:100], after=subs[99]["name"])
    page_two = page(f"/r/{SUBREDDIT}/new", subs[100:], after_param=subs[99]["name"], used=3)
    comment_page = page(f"/r/{SUBREDDIT}/comments/", comments, used=4)
    short_page = page(f"/r/{SUBREDDIT}/new", subs[:10])
    page_two_uri = new_uri(subs[99]["name"])
    search_params = {"q": SEARCH_QUERY, "restrict_sr": False, "sort": "new", "syntax": "lucene", "t": "all"}
    malformed = {**subs[1], "created_utc": "yesterday"}
    backlog = backlog_submissions()
    return {
        "first_run": [token(), page_one, page_two, comment_page],
        "second_run": [token(), page(f"/r/{SUBREDDIT}/new", second_submissions(), after="t3_1nu019"),
                       page(f"/r/{SUBREDDIT}/comments/", second_comments(), after="t1_ncm019")],
        "search": [token(), page("/r/all/search/", search_results(), extra=search_params)],
        "rate_limited": [token(), rate_limited(new_uri(), 30), short_page],
        "rate_limited_long": [token(), rate_limited(new_uri(), 3600)],
        "server_errors": [token()] + [server_error(new_uri())] * 4 + [short_page],
        "server_down": [token()] + [server_error(new_uri())] * 6,
        "page_two_down": [token(), page_one] + [server_error(page_two_uri)] * 6,
        "resume": [token(), page_two, comment_page],
        "resume_after_vanished": [token(), page(f"/r/{SUBREDDIT}/new", [], after_param=subs[99]["name"]),
                                  page_one, page_two, comment_page],
        "backlog_page_two_down": [token(), page(f"/r/{SUBREDDIT}/new", backlog[:100], after=backlog[99]["name"])]
        + [server_error(new_uri(backlog[99]["name"]))] * 6,
        "backlog_resume": [token(), page(f"/r/{SUBREDDIT}/new", backlog[100:] + subs[:95], after="t3_1nu094",
                                         after_param=backlog[99]["name"]),
                           page(f"/r/{SUBREDDIT}/comments/", comments, after="t1_ncm019")],
        "malformed": [
            token(),
            exchange("GET", new_uri(), 200, "<html><body>upstream connect error</body></html>",
                     headers={"Content-Type": ["text/html; charset=UTF-8"]}),
            page(f"/r/{SUBREDDIT}/new", [subs[0], malformed, subs[2]]),
        ],
        "profiles": [
            token(),
            page(f"/r/{SUBREDDIT}/new", profile_posts()),
            exchange("GET", f"{OAUTH}/user/anna_lq/about/?raw_json=1", 200, {"kind": "t2", "data": PROFILE}),
            failure(f"{OAUTH}/user/gone_user/about/?raw_json=1", 404, {"message": "Not Found", "error": 404}),
        ],
        "info": [token(), exchange("GET", f"{OAUTH}/api/info/?{urlencode({'id': ','.join(INFO_IDS), 'raw_json': 1})}",
                                   200, listing(info_things(), None))],
        "no_such_subreddit": [token(), exchange(
            "GET", f"{OAUTH}/r/nosuchsub/new?limit=100&raw_json=1", 302, "",
            headers={"location": ["https://www.reddit.com/subreddits/search.json?q=nosuchsub"],
                     "Content-Length": ["0"]})],
        "bad_credentials": [exchange("POST", TOKEN_URI, 401, {"message": "Unauthorized", "error": 401},
                                     body="grant_type=client_credentials", ratelimit=None)],
        "reply_sent": [user_token(), reply_posted()],
        "reply_locked": [user_token(), reply_locked()],
        "reply_found_posted": [user_token(), who_we_are(), our_newest_comments()],
    }


def main() -> None:
    for name, interactions in cassettes().items():
        cassette = {"interactions": interactions, "recorded_at": RECORDED_AT, "version": 1}
        (HERE / f"{name}.json").write_text(json.dumps(cassette, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
