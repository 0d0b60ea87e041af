"""The shared queue views: fresh for a moment, read once however many ask, emptied by a change through the server."""

import threading
import time
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from earshot.api.app import create_app
from earshot.services.listing_cache import ListingCache
from earshot.services.shared_views import SharedViews
from storage.engine import session_scope
from storage.models import QueueItem, StaffUser
from tests.factories import web_sign_in
from tests.test_queue_work import api, first_item, store  # noqa: F401 - the fixture


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def counting_read(clock: Clock) -> tuple[list[float], Callable[[], int]]:
    """`(reads, read)`: a read that notes when it ran in `reads` and answers how many reads there have been."""
    reads: list[float] = []

    def read() -> int:
        reads.append(clock.now)
        return len(reads)

    return reads, read


def page_reader(reads: list[str]):
    """`read(name)`: a read by the server worker `name` that notes itself in `reads` and says which read it was."""
    def read(name: str):
        def reader() -> bytes:
            reads.append(name)
            return f"page {len(reads)} read by {name}".encode()
        return reader
    return read


def test_a_view_is_kept_for_its_seconds_then_read_again() -> None:
    clock = Clock()
    cache = ListingCache(1.0, clock=clock)
    reads, read = counting_read(clock)

    assert cache.get("a", read) == 1 and cache.get("a", read) == 1
    clock.now += 0.99
    assert cache.get("a", read) == 1
    clock.now += 0.01
    assert cache.get("a", read) == 2 and cache.get("b", read) == 3
    cache.changed()
    assert cache.get("a", read) == 4 and reads == [100.0, 101.0, 101.0, 101.0]


def test_off_at_zero_seconds_and_bounded_in_views() -> None:
    reads = []
    off = ListingCache(0)
    assert [off.get("a", lambda: reads.append(1) or len(reads)) for _ in range(3)] == [1, 2, 3]
    small = ListingCache(60, max_views=2)
    for key in ("a", "b", "c"):
        small.get(key, lambda key=key: key)
    assert small.get("a", lambda: "read again") == "read again"  # the oldest view made room
    assert small.get("c", lambda: "read again") == "c"


def test_many_asking_at_once_wait_for_one_read() -> None:
    cache, reads, started = ListingCache(60), [], threading.Event()

    def slow_read():
        reads.append(1)
        started.set()
        time.sleep(0.2)
        return "the view"

    answers: list[str] = []
    threads = [threading.Thread(target=lambda: answers.append(cache.get("a", slow_read))) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == ["the view"] * 20 and len(reads) == 1


def test_an_old_view_is_served_while_it_is_re_read_in_the_background() -> None:
    clock, release = Clock(), threading.Event()
    cache = ListingCache(1.0, clock=clock)
    assert cache.get("a", lambda: "first") == "first"
    clock.now += 1.5

    def slow_read():
        release.wait(5)
        return "second"

    assert cache.kept("a") is None  # without a way to re-read it, an old view is not served
    assert cache.kept("a", refresh=slow_read) == ("first",)
    assert cache.kept("a", refresh=slow_read) == ("first",)  # one re-read at a time
    release.set()
    deadline = time.monotonic() + 5
    while cache.kept("a") != ("second",):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    clock.now += 7.0  # past the grace: not served
    assert cache.kept("a", refresh=slow_read) is None
    cache.changed()
    assert cache.kept("a", refresh=slow_read) is None


def test_a_view_read_while_a_change_committed_is_not_kept() -> None:
    cache = ListingCache(60)
    assert cache.get("a", lambda: (cache.changed(), "before the change")[1]) == "before the change"
    assert cache.get("a", lambda: "after the change") == "after the change"


def test_whoever_changed_the_queue_sees_it_at_once_others_within_the_seconds() -> None:
    clock = Clock()
    cache = ListingCache(1.0, clock=clock)
    reads, read = counting_read(clock)

    assert cache.get("a", read, reader="ann") == 1
    clock.now += 0.1
    cache.changed(by="ann")  # ann claims an item
    clock.now += 0.1
    assert cache.get("a", read, reader="bo") == 1  # bo: the view from before, for its second
    assert cache.kept("a") is None  # a lookup without a reader (a sign-in) never gets a superseded view
    assert cache.get("a", read, reader="ann") == 2  # ann: read after her change
    assert cache.get("a", read, reader="bo") == 2  # and that newer read for everyone
    cache.changed(by="bo")
    clock.now += 0.5
    assert cache.get("a", read, reader="ann") == 2 and cache.get("a", read, reader="bo") == 3
    cache.changed(by="cy")
    clock.now += 1.0  # past its second: read again, as after any change to the store
    assert cache.get("a", read, reader="ann") == 4 and len(reads) == 4


def test_an_agents_change_shows_at_once_whichever_server_worker_answers(tmp_path) -> None:
    clock, reads = Clock(), []
    here, there = shared_caches(tmp_path, clock)
    read = page_reader(reads)

    assert here.get("a", read("here"), shared=True, reader="bo") == b"page 1 read by here"
    clock.now += 0.1
    there.changed(by="ann")  # ann claims through the other worker
    clock.now += 0.1
    assert here.get("a", read("here"), shared=True, reader="bo") == b"page 1 read by here"
    assert here.get("a", read("here"), shared=True, reader="ann") == b"page 2 read by here"
    assert there.get("a", read("there"), shared=True, reader="ann") == b"page 2 read by here"  # shared
    assert reads == ["here", "here"]
    (tmp_path / "views" / next(p.name for p in (tmp_path / "views").iterdir()
                               if p.name.startswith("changed-"))).write_bytes(b"torn")  # ann's, half written
    clock.now += 0.1
    there.changed(by="cy")
    assert here.get("a", read("here"), shared=True, reader="bo") == b"page 2 read by here"
    assert here.get("a", read("here"), shared=True, reader="ann") == b"page 3 read by here"  # unsure of her: read


def test_a_change_through_the_server_shows_at_once_others_within_the_seconds(store, engine) -> None:  # noqa: F811
    clock = Clock()
    support = api(store, engine, "support")
    support.app.state.listing_cache = ListingCache(1.0, clock=clock)
    pr = TestClient(support.app)  # another user of the same server
    token = pr.post("/api/token", data={"username": "pr", "password": "correct horse battery"}).json()
    pr.headers["Authorization"] = f"Bearer {token['access_token']}"
    item = first_item(support)

    def state_listed(client: TestClient = support) -> str:
        items = client.get("/api/queue", params={"team": "support"}).json()["items"]
        return next(i["state"] for i in items if i["id"] == item)

    assert state_listed() == "new" and state_listed(pr) == "new"
    assert support.post(f"/api/items/{item}/claim").status_code == 200
    assert state_listed() == "assigned"  # the claimer's change: at once
    assert state_listed(pr) == "assigned"  # that read is the newest: everyone's
    clock.now += 0.5
    assert support.post(f"/api/items/{item}/transition", json={"action": "release"}).status_code == 200
    assert state_listed(pr) == "assigned"  # someone else's change: within the second
    assert state_listed() == "new" and state_listed(pr) == "new"  # the claimer's read: then everyone's
    assert support.post(f"/api/items/{item}/claim").status_code == 200
    assert state_listed() == "assigned"
    assert support.post(f"/api/items/{item}/replies", json={"text": "sorry, DM us"}).status_code == 201
    assert state_listed() == "replied"  # a reply changes the item in a session of its own: at once too
    with session_scope(engine) as session:  # another process (the scheduler, a second server) changes it
        session.execute(update(QueueItem).where(QueueItem.id == item).values(state="escalated"))
    assert state_listed() == "replied"
    clock.now += 1.0  # the view is old: served once more while it is re-read in the background, then new
    assert state_listed() == "replied"
    deadline = time.monotonic() + 10
    while state_listed() != "escalated":
        assert time.monotonic() < deadline, "the old view was never re-read"
        time.sleep(0.05)
    clock.now += 10.0  # too old to serve while re-reading: read before answering
    with session_scope(engine) as session:
        session.execute(update(QueueItem).where(QueueItem.id == item).values(state="snoozed"))
    assert state_listed() == "snoozed"


def test_the_web_queue_page_shares_the_views(store, engine) -> None:  # noqa: F811
    app = create_app(store, engine)
    app.state.listing_cache = ListingCache(60)
    client = TestClient(app)
    web_sign_in(client, engine)
    assert "battery died" in client.get("/queue", params={"team": "support"}).text
    with session_scope(engine) as session:
        session.execute(update(QueueItem).values(team="pr"))
    assert "battery died" in client.get("/queue", params={"team": "support"}).text  # shared: up to a minute old here
    with session_scope(engine) as session:
        admin = session.scalar(select(StaffUser.id).where(StaffUser.name == "admin"))
    app.state.listing_cache.changed(by=admin + 1)  # someone else's change through the server: the shared page still
    assert "battery died" in client.get("/queue", params={"team": "support"}).text
    app.state.listing_cache.changed(by=admin)  # their own: read again for them
    assert "battery died" not in client.get("/queue", params={"team": "support"}).text


def test_processes_sharing_a_stamp_drop_their_views_on_each_others_changes(tmp_path) -> None:
    stamp = tmp_path / "queue.stamp"
    here, there = ListingCache(60, stamp=stamp), ListingCache(60, stamp=stamp)  # two server workers
    assert there.get("a", lambda: "before") == "before"
    assert there.get("a", lambda: "read again") == "before"
    here.changed()  # a claim through the other worker
    assert there.get("a", lambda: "after") == "after" and stamp.stat().st_size == 1
    for n in range(3):
        here.changed()
        assert there.get("a", lambda n=n: n) == n  # each change seen, however close together


def test_a_slow_view_is_kept_ten_times_as_long_as_its_read_took() -> None:
    cache = ListingCache(0.01)

    def slow():
        time.sleep(0.05)
        return "slow"

    assert cache.get("slow", slow) == "slow" and cache.get("fast", lambda: "fast") == "fast"
    time.sleep(0.05)
    assert cache.kept("slow") == ("slow",)  # kept about half a second
    assert cache.kept("fast") is None  # kept its 0.01 s


def test_a_shared_sign_in_is_checked_for_expiry_and_read_again_after_its_second(
        store, engine, monkeypatch) -> None:  # noqa: F811
    from datetime import timedelta

    import earshot.api.access as access
    from storage.repo.staff import disable_user

    clock = Clock()
    support = api(store, engine, "support")
    support.app.state.listing_cache = ListingCache(1.0, clock=clock)
    assert support.get("/api/queue").status_code == 200
    with session_scope(engine) as session:  # disabled from the CLI: another process
        disable_user(session, name="support")
    assert support.get("/api/queue").status_code == 200  # the shared sign-in, for its second
    clock.now += 1.0
    assert support.get("/api/queue").status_code == 401
    pr = api(store, engine, "pr")
    pr.app.state.listing_cache = ListingCache(60)
    assert pr.get("/api/queue").status_code == 200
    later = access.utcnow() + timedelta(days=400)  # past any token's lifetime
    monkeypatch.setattr(access, "utcnow", lambda: later)
    assert pr.get("/api/queue").status_code == 401  # shared, but expired


def shared_caches(tmp_path, clock, seconds: float = 1.0) -> tuple[ListingCache, ListingCache]:
    """Two server workers' caches over one store: one stamp, one folder of shared views, one clock."""
    stamp = tmp_path / "queue.stamp"
    return tuple(ListingCache(seconds, stamp=stamp, shared=SharedViews.open(tmp_path / "views"), clock=clock)
                 for _ in range(2))


def test_workers_answer_from_views_another_worker_read(tmp_path) -> None:
    clock, reads = Clock(), []
    here, there = shared_caches(tmp_path, clock)
    read = page_reader(reads)

    assert here.get("a", read("here"), shared=True) == b"page 1 read by here"
    assert there.get("a", read("there"), shared=True) == b"page 1 read by here" and reads == ["here"]
    clock.now += 1.0  # old: served while one worker re-reads it, and the other takes that read
    assert there.kept("a", refresh=read("there"), shared=True) == (b"page 1 read by here",)
    deadline = time.monotonic() + 10
    while reads != ["here", "there"]:
        assert time.monotonic() < deadline, "the old view was never re-read"
        time.sleep(0.01)
    while here.kept("a", shared=True) != (b"page 2 read by there",):
        assert time.monotonic() < deadline, "the other worker never took the new read"
        time.sleep(0.01)
    assert reads == ["here", "there"]
    here.changed()  # a change through one worker: neither serves a view read before it
    assert there.get("a", read("there"), shared=True) == b"page 3 read by there"
    assert reads == ["here", "there", "there"]


def test_a_worker_waits_for_the_read_another_is_making(tmp_path) -> None:
    here, there = shared_caches(tmp_path, time.monotonic, seconds=60)
    reads, started = [], threading.Event()

    def slow_read() -> bytes:
        reads.append("here")
        started.set()
        time.sleep(0.3)
        return b"the view"

    reading = threading.Thread(target=here.get, args=("a", slow_read), kwargs={"shared": True})
    reading.start()
    started.wait(5)
    assert there.get("a", lambda: reads.append("there") or b"read twice", shared=True) == b"the view"
    reading.join()
    assert reads == ["here"]


def test_only_pages_are_shared_and_only_through_a_private_folder(tmp_path) -> None:
    clock = Clock()
    here, there = shared_caches(tmp_path, clock, seconds=60)
    assert (tmp_path / "views").stat().st_mode & 0o777 == 0o700
    here.get("sign-in", lambda: ("a user", "a session"), shared=True)  # not bytes: stays in its process
    assert there.get("sign-in", lambda: "read here", shared=True) == "read here"
    here.get("page", lambda: b"page")  # not asked to share
    assert there.get("page", lambda: b"read here", shared=True) == b"read here"
    (tmp_path / "open").mkdir(mode=0o755)
    (tmp_path / "open").chmod(0o755)
    assert SharedViews.open(tmp_path / "open") is None  # others could read what customers wrote: not used
    folder = SharedViews.open(tmp_path / "views")
    folder.prune(now=time.time() + 3600)
    assert list((tmp_path / "views").iterdir()) == []


def test_two_server_workers_share_a_listing(store, engine, tmp_path) -> None:  # noqa: F811
    first, second = api(store, engine, "support"), api(store, engine, "support")
    for client, cache in zip((first, second), shared_caches(tmp_path, Clock(), seconds=60)):
        client.app.state.listing_cache = cache
    listed = first.get("/api/queue", params={"team": "support"}).json()
    assert listed["total"] > 0
    with session_scope(engine) as session:  # changed by another process: shown once the view is re-read
        session.execute(update(QueueItem).values(team="pr"))
    assert second.get("/api/queue", params={"team": "support"}).json() == listed  # the first worker's read
    item = listed["items"][0]["id"]
    assert second.post(f"/api/items/{item}/claim").status_code == 200  # a change through one worker: the other
    assert first.get("/api/queue", params={"team": "support"}).json()["total"] == 0  # reads anew at once
