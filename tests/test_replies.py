"""Replies: dry-run by default; live through the real tweepy and praw code against recorded responses; a failed
send is kept to retry, and a reply is never sent twice."""

from pathlib import Path

import requests

from fastapi.testclient import TestClient

from earshot.api.app import create_app
from engage.router import route_pending
from enrich.pipeline import enrich_pending
from listener.run import collect
from tests.factories import add_user, replay_line, replay_settings, write_jsonl
from tests.recordings import SENT, play

RECORDINGS = Path(__file__).parent / "recordings"
X_KEYS = {"x_consumer_key": "ck", "x_consumer_secret": "cs", "x_access_token": "at", "x_access_token_secret": "as"}
REDDIT_KEYS = {"reddit_client_id": "<CLIENT_ID>", "reddit_client_secret": "<CLIENT_SECRET>",
               "reddit_user_agent": "earshot-tests:replies:1.0 (by u/nordvik_official)",
               "reddit_username": "nordvik_official", "reddit_password": "<PASSWORD>"}
TEXT = "Sorry to hear that! DM us your order number and we will sort it."


def start(tmp_path: Path, engine, *, platform: str = "x", **settings_overrides):
    line = replay_line(1, text="my aura 12 battery died again, so disappointed @nordvik_support",
                       author={"id": "m", "handle": "maja_h"})
    if platform == "reddit":
        line.update(platform="reddit", id="t3_1nu001", title="Aura 12 battery")
    settings = replay_settings(tmp_path, [write_jsonl(tmp_path / "posts.jsonl", [line])], **settings_overrides)
    collect(engine, settings)
    enrich_pending(engine, settings)
    route_pending(engine, settings)
    add_user(engine, "support", "support")
    client = TestClient(create_app(settings, engine))
    token = client.post("/api/token", data={"username": "support", "password": "correct horse battery"})
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    [item] = client.get("/api/queue").json()["items"]
    return client, item["id"]


def test_dry_run_reply_is_stored_and_shown_not_sent(tmp_path, engine) -> None:
    client, item = start(tmp_path, engine)
    refused = client.post(f"/api/items/{item}/replies", json={"text": TEXT})
    assert refused.status_code == 409 and "claim item" in refused.json()["detail"]
    client.post(f"/api/items/{item}/claim")
    assert client.post(f"/api/items/{item}/replies", json={"text": "x" * 281}).status_code == 422  # X's limit
    reply = client.post(f"/api/items/{item}/replies", json={"text": TEXT})
    assert reply.status_code == 201 and reply.json()["status"] == "dry_run" and reply.json()["mode"] == "dry-run"
    detail = client.get(f"/api/items/{item}").json()
    assert detail["item"]["state"] == "replied" and detail["replies"][0]["text"] == TEXT
    assert "not sent (dry-run): POST https://api.twitter.com/2/tweets" in detail["history"][-1]["note"]


def test_live_reply_on_x_through_tweepy(tmp_path, engine) -> None:
    client, item = start(tmp_path, engine, engage={"send_mode": "live"}, **X_KEYS)
    client.post(f"/api/items/{item}/claim")
    with play(RECORDINGS / "x" / "reply_refused.yaml") as recording:
        failed = client.post(f"/api/items/{item}/replies", json={"text": TEXT}).json()
    assert recording.play_count == 1
    assert failed["status"] == "failed" and "duplicate content" in failed["error"]
    assert client.get(f"/api/items/{item}").json()["item"]["state"] == "assigned"  # not replied yet
    with play(RECORDINGS / "x" / "reply_sent.yaml") as recording:
        sent = client.post(f"/api/replies/{failed['id']}/retry").json()
    assert recording.play_count == 1 and sent["status"] == "sent"
    assert sent["platform_reply_id"] == "1990000000000000777" and sent["attempts"] == 2
    body = SENT[-1].body.decode().replace('":"', '": "')
    assert '"in_reply_to_tweet_id": "1001"' in body and '"text": "Sorry to hear that!' in body
    again = client.post(f"/api/replies/{failed['id']}/retry")
    assert again.status_code == 409 and "only a failed or unconfirmed reply" in again.json()["detail"]  # never twice
    detail = client.get(f"/api/items/{item}").json()
    assert detail["item"]["state"] == "replied"
    assert [h["action"] for h in detail["history"]][-2:] == ["reply_failed", "reply"]


def test_live_reply_on_reddit_through_praw(tmp_path, engine) -> None:
    client, item = start(tmp_path, engine, platform="reddit", engage={"send_mode": "live"}, **REDDIT_KEYS)
    client.post(f"/api/items/{item}/claim")
    with play(RECORDINGS / "reddit" / "reply_locked.json") as recording:
        locked = client.post(f"/api/items/{item}/replies", json={"text": TEXT}).json()
    assert locked["status"] == "failed" and "THREAD_LOCKED" in locked["error"]
    with play(RECORDINGS / "reddit" / "reply_sent.json") as recording:
        sent = client.post(f"/api/replies/{locked['id']}/retry").json()
    assert recording.play_count == 2  # a user token, then the comment
    assert sent["status"] == "sent" and sent["platform_reply_id"] == "t1_ncr777"
    comment_request = SENT[-1]
    assert b"thing_id=t3_1nu001" in comment_request.body and b"Sorry+to+hear" in comment_request.body


def test_live_mode_without_credentials_is_one_clear_error_and_stores_nothing(tmp_path, engine) -> None:
    client, item = start(tmp_path, engine, engage={"send_mode": "live"})
    client.post(f"/api/items/{item}/claim")
    response = client.post(f"/api/items/{item}/replies", json={"text": TEXT})
    assert response.status_code == 422
    assert "EARSHOT_X_CONSUMER_KEY" in response.json()["detail"] and "dry-run" in response.json()["detail"]
    assert client.get(f"/api/items/{item}").json()["replies"] == []


def test_pr_replies_wait_for_a_second_persons_approval_then_go_out_through_tweepy(tmp_path, engine) -> None:
    line = replay_line(1, text="the aura 12 is a disaster, avoid", author={"id": "b", "handle": "big",
                                                                           "followers": 90_000})
    settings = replay_settings(tmp_path, [write_jsonl(tmp_path / "posts.jsonl", [line])],
                               rules=[{"name": "all-to-pr", "when": {}, "team": "pr"}],
                               engage={"send_mode": "live"}, **X_KEYS)
    collect(engine, settings)
    enrich_pending(engine, settings)
    route_pending(engine, settings)
    clients = {}
    for name, role in (("pia", "pr"), ("pat", "pr"), ("sam", "support")):
        add_user(engine, name, role)
        clients[name] = TestClient(create_app(settings, engine))
        token = clients[name].post("/api/token", data={"username": name, "password": "correct horse battery"})
        clients[name].headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    pia, pat, sam = clients["pia"], clients["pat"], clients["sam"]
    [item] = [i["id"] for i in pia.get("/api/queue", params={"team": "pr"}).json()["items"]]
    pia.post(f"/api/items/{item}/claim")
    sent_before = len(SENT)
    draft = pia.post(f"/api/items/{item}/replies", json={"text": "We hear you, and we are looking into it."})
    assert draft.status_code == 201 and draft.json()["status"] == "awaiting_approval"
    detail = pia.get(f"/api/items/{item}").json()
    assert detail["item"]["state"] == "assigned" and "awaiting-approval" in detail["item"]["tags"]
    assert len(SENT) == sent_before  # nothing left Earshot
    own = pia.post(f"/api/replies/{draft.json()['id']}/approve")
    assert own.status_code == 409 and "second person" in own.json()["detail"]
    other_team = sam.post(f"/api/replies/{draft.json()['id']}/approve")
    assert other_team.status_code == 409 and "pr team" in other_team.json()["detail"]
    second = pia.post(f"/api/items/{item}/replies", json={"text": "Another one"})
    assert second.status_code == 409 and "awaiting approval" in second.json()["detail"]
    rejected = pat.post(f"/api/replies/{draft.json()['id']}/reject", json={"note": "too vague, name the fix"})
    assert rejected.json()["status"] == "rejected" and rejected.json()["reviewed_by"] == "pat"
    assert "awaiting-approval" not in pia.get(f"/api/items/{item}").json()["item"]["tags"]
    redraft = pia.post(f"/api/items/{item}/replies", json={"text": TEXT}).json()
    with play(RECORDINGS / "x" / "reply_sent.yaml") as recording:
        approved = pat.post(f"/api/replies/{redraft['id']}/approve", json={"note": "good"})
    assert recording.play_count == 1 and approved.json()["status"] == "sent"
    assert '"text":"Sorry to hear that!' in SENT[-1].body.decode().replace('": "', '":"')
    again = pat.post(f"/api/replies/{redraft['id']}/approve")
    assert again.status_code == 409 and "not awaiting approval" in again.json()["detail"]
    detail = pia.get(f"/api/items/{item}").json()
    assert detail["item"]["state"] == "replied"
    assert [(h["actor"], h["action"]) for h in detail["history"]][-5:] == [
        ("pia", "reply_drafted"), ("pat", "reply_rejected"), ("pia", "reply_drafted"), ("pat", "reply_approved"),
        ("pat", "reply")]
    assert [r["status"] for r in detail["replies"]] == ["rejected", "sent"]


def no_answer_to_posts(monkeypatch) -> None:
    """The transport under tweepy: a POST goes out and is answered (by the recording), but the answer never reaches
    the client, as when the response times out after X accepted the reply."""
    send = requests.Session.send

    def send_then_time_out(self, request, **kwargs):
        response = send(self, request, **kwargs)
        if request.method == "POST" and request.url.endswith("/2/tweets"):
            raise requests.exceptions.ReadTimeout("read timed out", request=request)
        return response

    monkeypatch.setattr(requests.Session, "send", send_then_time_out)


def test_a_reply_accepted_but_not_answered_is_found_not_sent_twice(tmp_path, engine, monkeypatch) -> None:
    client, item = start(tmp_path, engine, engage={"send_mode": "live"}, **X_KEYS)
    client.post(f"/api/items/{item}/claim")
    with monkeypatch.context() as patch, play(RECORDINGS / "x" / "reply_no_answer.yaml") as recording:
        no_answer_to_posts(patch)
        unknown = client.post(f"/api/items/{item}/replies", json={"text": TEXT}).json()
    assert recording.play_count == 1  # X got it
    assert unknown["status"] == "unconfirmed" and "may have been posted" in unknown["error"]
    assert client.get(f"/api/items/{item}").json()["item"]["state"] == "assigned"
    with play(RECORDINGS / "x" / "reply_found_posted.yaml", allow_playback_repeats=False) as recording:
        found = client.post(f"/api/replies/{unknown['id']}/retry").json()
    assert recording.play_count == 2  # looked (me, our recent posts); the recording has no POST to answer another
    assert found["status"] == "sent" and found["platform_reply_id"] == "1990000000000000777"
    detail = client.get(f"/api/items/{item}").json()
    assert detail["item"]["state"] == "replied" and "found already posted" in detail["history"][-1]["note"]
    again = client.post(f"/api/replies/{unknown['id']}/retry")
    assert again.status_code == 409


def test_an_unconfirmed_reply_that_was_not_posted_is_sent_on_retry(tmp_path, engine, monkeypatch) -> None:
    client, item = start(tmp_path, engine, engage={"send_mode": "live"}, **X_KEYS)
    client.post(f"/api/items/{item}/claim")
    with monkeypatch.context() as patch, play(RECORDINGS / "x" / "reply_no_answer.yaml"):
        no_answer_to_posts(patch)
        unknown = client.post(f"/api/items/{item}/replies", json={"text": TEXT}).json()
    with play(RECORDINGS / "x" / "reply_not_posted.yaml", allow_playback_repeats=False) as recording:
        sent = client.post(f"/api/replies/{unknown['id']}/retry").json()
    assert recording.all_played and recording.play_count == 3  # looked, found nothing, posted it once
    assert sent["status"] == "sent" and sent["attempts"] == 2


def test_a_reddit_reply_without_an_answer_is_not_resent_by_prawcore_and_is_found_on_retry(tmp_path, engine,
                                                                                          monkeypatch) -> None:
    client, item = start(tmp_path, engine, platform="reddit", engage={"send_mode": "live"}, **REDDIT_KEYS)
    client.post(f"/api/items/{item}/claim")
    send = requests.Session.send

    def send_then_time_out(self, request, **kwargs):
        response = send(self, request, **kwargs)
        if request.method == "POST" and "/api/comment" in request.url:
            raise requests.exceptions.ReadTimeout("read timed out", request=request)
        return response

    with monkeypatch.context() as patch, play(RECORDINGS / "reddit" / "reply_sent.json",
                                             allow_playback_repeats=False) as recording:
        patch.setattr(requests.Session, "send", send_then_time_out)
        unknown = client.post(f"/api/items/{item}/replies", json={"text": TEXT}).json()
    assert recording.play_count == 2  # a token, the comment: once (prawcore would have sent it again)
    assert unknown["status"] == "unconfirmed" and "Reddit did not answer (ReadTimeout)" in unknown["error"]
    with play(RECORDINGS / "reddit" / "reply_found_posted.json", allow_playback_repeats=False) as recording:
        found = client.post(f"/api/replies/{unknown['id']}/retry").json()
    assert recording.play_count == 3, found  # a token, who we are, our newest comments; no comment posted
    assert found["status"] == "sent" and found["platform_reply_id"] == "t1_ncr777"
