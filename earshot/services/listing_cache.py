"""Queue views shared for a moment: fifty agents refreshing the same view read it from the store about once a
second, not fifty times. A view is re-read when it is `seconds` old (`[engage] listing_cache_seconds`, default 1;
0 turns sharing off) or, for a slow view, ten times as old as its last read took.

A change made through the server (a claim, a reply, a transition: any request that is not a GET) supersedes every
view read before its transaction committed. Whoever made it sees it at once: their next view is one read after
their change (`reader`). Everyone else is served the view they would have had, for its seconds like any other change
to the store, while it is re-read: so at ten claims a second fifty agents are not all waiting for views that every
claim would otherwise drop (bench/soak). Lookups without a reader (a sign-in) never get a superseded view.

The server's worker processes on one machine (`earshot serve --workers N`) share a stamp file, one byte longer after
each change, that each checks (one `stat`) before it serves a view; they share the API's pages they read and who
changed the queue when (shared_views.py), so a page is read once for all of them and an agent's change shows at once
whichever worker answers next. Changes made elsewhere (the scheduler's routing, the CLI, a server on another
machine) show when the view is next re-read.

Reads happen once: requests that ask for a view being read wait for that read instead of starting their own. A
view that is merely old (nothing changed through the server) can be re-read in the background while requests keep
getting the old one, for up to `STALE_SECONDS` more, so a slow view never makes anyone wait once it has been read.
A view read while a change committed is superseded from the start."""

import hashlib
import os
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from earshot.services.shared_views import SharedView, SharedViews

Value = TypeVar("Value")
MAX_VIEWS = 256
READ_TIME_FACTOR = 10  # a view is kept at least this many times as long as its last read took, so re-reading a
# slow view costs a server at most a tenth of a core
STALE_SECONDS = 5.0  # how much longer an old view may be served while it is being re-read
STAMP_LIMIT = 1 << 20  # bytes; then the stamp starts over
FRESH, OLD = "fresh", "old"  # old: past its time, but still served while it is re-read
MAX_CHANGERS = 4096  # whose last change this process remembers
NEVER = float("-inf")


def stamp_file(database_url: str) -> Path:
    """The stamp the server processes using one database share on this machine."""
    name = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"earshot-queue-{name}.stamp"


class ListingCache:
    def __init__(self, seconds: float, *, stamp: Path | None = None, shared: SharedViews | None = None,
                 clock: Callable[[], float] = time.monotonic, max_views: int = MAX_VIEWS) -> None:
        """`stamp`: the file the processes serving one store share (`stamp_file`); `shared`: where they share the
        views they read and who changed the queue when (clock: one the processes share, as time.monotonic is on
        Linux)."""
        self.seconds = seconds
        self._stamp_file = stamp
        self._shared = shared if stamp is not None and seconds > 0 else None
        self._seen: dict[Hashable, tuple] = {}  # key -> the shared file last looked at
        if stamp is not None and seconds > 0:
            try:
                stamp.open("ab").close()  # there from the start: views are shared under it
            except OSError:
                self._shared = None
        self._clock = clock
        self._max_views = max_views
        # key -> (read at, kept for (seconds), (generation, stamp) when the read began, value, read began at)
        self._views: OrderedDict[Hashable, tuple[float, float, tuple, Any, float]] = OrderedDict()
        self._changes: OrderedDict[Hashable, float] = OrderedDict()  # reader -> their last change here (clock)
        self._reading: dict[Hashable, threading.Lock] = {}
        self._refreshing: set[Hashable] = set()
        self._lock = threading.Lock()
        self._generation = 0
        self._background: ThreadPoolExecutor | None = None  # made on first use (after a server worker forked)

    def kept(self, key: Hashable, *, refresh: Callable[[], Any] | None = None, shared: bool = False,
             reader: Hashable | None = None) -> tuple[Any] | None:
        """`(view,)` when a view is kept under `key`, else None; never waits (for the event loop). With `refresh`
        (a read that needs nothing of the request), an old but unchanged view is served while `refresh` re-reads it
        in the background. `shared`: the view is bytes that other server processes may have read (shared_views.py).
        `reader`: who asks (a user's id); they may be served a view superseded by others' changes, never by theirs."""
        if self.seconds <= 0:
            return None
        return self._lookup(key, reader, refresh, shared)

    def get(self, key: Hashable, read: Callable[[], Value], *, shared: bool = False,
            reader: Hashable | None = None) -> Value:
        """The view under `key`: kept if fresh, else `read()` (once, however many ask at the same time)."""
        if self.seconds <= 0:
            return read()
        found = self._lookup(key, reader, None, shared)
        if found is not None:
            return found[0]
        with self._lock:
            reading = self._reading.setdefault(key, threading.Lock())
        with reading:
            found = self._lookup(key, reader, None, shared)  # read by the request this one waited for
            if found is not None:
                return found[0]
            try:
                return self._read(key, read, shared, reader)
            finally:
                with self._lock:
                    self._reading.pop(key, None)

    def changed(self, by: Hashable | None = None) -> None:
        """Something in the queue changed through this server, by `by` (a user's id) if known: every view read
        before now is superseded, here and in the processes sharing the stamp, and `by` is never served one."""
        with self._lock:
            self._generation += 1
        if self._stamp_file is not None and self.seconds > 0:
            try:
                with self._stamp_file.open("ab") as stamp:  # appends are atomic: the size only grows
                    stamp.write(b".")
                if self._stamp_file.stat().st_size > STAMP_LIMIT:
                    _new_stamp(self._stamp_file)  # a new file (another inode) is a change too
            except OSError:
                pass  # the other processes see the change when they next re-read
        if by is None or self.seconds <= 0:
            return
        at = self._clock()  # after the commit and the stamp: a read that begins later sees the change
        with self._lock:
            self._changes[by] = at
            self._changes.move_to_end(by)
            while len(self._changes) > MAX_CHANGERS:
                self._changes.popitem(last=False)
        if self._shared is not None:
            self._shared.note_change(by, at)

    def _may_serve_superseded(self, reader: Hashable | None, began: float) -> bool:
        """Whether a view whose read began at `began`, superseded since, may be served to `reader`: only if the read
        began after their last change through a server sharing these views. Never without a reader, nor where
        other processes' changes cannot be seen (a stamp but no shared folder). Asked only of superseded views: a
        current one needs no look at who changed what."""
        if reader is None or (self._stamp_file is not None and self._shared is None):
            return False
        with self._lock:
            here = self._changes.get(reader, NEVER)
        return began > here and (self._shared is None or began > self._shared.change_of(reader))

    def _lookup(self, key: Hashable, reader: Hashable | None, refresh: Callable[[], Any] | None,
                shared: bool) -> tuple[Any] | None:
        version = self._version()
        freshness, value = self._kept_here(key, version, reader)
        if freshness != FRESH and shared:
            freshness, value = self._adopt(key, version, reader) or (freshness, value)
        if freshness == FRESH:
            return (value,)
        if freshness != OLD or refresh is None:
            return None
        with self._lock:
            if key in self._refreshing:
                return (value,)
            self._refreshing.add(key)
            if self._background is None:
                self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="view-refresh")
        self._background.submit(self._refresh, key, refresh, shared)
        return (value,)

    def _kept_here(self, key: Hashable, version: tuple, reader: Hashable | None) -> tuple[str | None, Any]:
        """(FRESH or OLD, the view) kept in this process that may be served to `reader`, or (None, None)."""
        with self._lock:
            kept = self._views.get(key)
            if kept is None:
                return None, None
            read_at, fresh_for, read_version, value, began = kept
        if read_version != version and not self._may_serve_superseded(reader, began):
            return None, None
        age = self._clock() - read_at
        if age < fresh_for:
            return FRESH, value
        return (OLD, value) if age < fresh_for + STALE_SECONDS else (None, None)

    def _adopt(self, key: Hashable, version: tuple, reader: Hashable | None) -> tuple[str, Any] | None:
        """A view another process saved since this one last looked: kept here too (unless this one's is newer),
        and returned when it may be served (see `_kept_here`)."""
        if self._shared is None or version[1:] == (None,):
            return None
        name = self._shared.name(key)
        identity = self._shared.changed_since(name, self._seen.get(key))
        if identity is None:
            return None
        view = self._shared.load(name)
        with self._lock:
            self._seen[key] = identity
            if view is None or self._clock() - view.read_at >= view.fresh_for + STALE_SECONDS:
                return None
            here = self._views.get(key)
            if here is not None and here[4] >= view.began:
                return None  # this process's read is as new
            current = view.stamp == version[1:] and version[0] == self._generation
            self._keep(key, (view.read_at, view.fresh_for, version if current else (-1, *view.stamp), view.body,
                             view.began))
        freshness, value = self._kept_here(key, version, reader)
        return (freshness, value) if freshness is not None else None

    def _read(self, key: Hashable, read: Callable[[], Value], shared: bool, reader: Hashable | None) -> Value:
        if not shared or self._shared is None:
            return self._read_here(key, read)[0]
        name = self._shared.name(key)
        with self._shared.reading(name):  # another process reading the same view finishes first
            version = self._version()
            # its read, taken here by a request meanwhile if not by this thread
            freshness, value = self._adopt(key, version, reader) or self._kept_here(key, version, reader)
            if freshness == FRESH:
                return value
            value, (read_at, fresh_for, read_version, began) = self._read_here(key, read)
            if isinstance(value, bytes) and read_version[1:] != (None,):
                self._shared.save(name, SharedView(read_at, fresh_for, read_version[1:], value, began))
                if len(self._seen) > 4 * self._max_views:
                    self._seen.clear()  # only costs a file read each
                self._seen[key] = self._shared.changed_since(name, None)
            return value

    def _read_here(self, key: Hashable, read: Callable[[], Value]) -> tuple[Value, tuple[float, float, tuple, float]]:
        """The view, and (read at, fresh for, version when the read began, began at), as kept: a view read while a
        change committed is kept superseded (its version is the one before the change)."""
        version = self._version()
        began, started = self._clock(), time.perf_counter()
        value = read()
        fresh_for = max(self.seconds, READ_TIME_FACTOR * (time.perf_counter() - started))
        with self._lock:
            read_at = self._clock()
            here = self._views.get(key)
            if here is None or here[4] <= began:  # a read that began later (a reader's own) stays
                self._keep(key, (read_at, fresh_for, version, value, began))
        return value, (read_at, fresh_for, version, began)

    def _keep(self, key: Hashable, kept: tuple) -> None:
        """Under the lock."""
        self._views[key] = kept
        self._views.move_to_end(key)
        while len(self._views) > self._max_views:
            self._views.popitem(last=False)

    def _refresh(self, key: Hashable, read: Callable[[], Any], shared: bool) -> None:
        try:
            self._read(key, read, shared, None)
        except Exception:  # noqa: BLE001 - the old view ages out, and the next request reads it itself
            pass
        finally:
            with self._lock:
                self._refreshing.discard(key)

    def _version(self) -> tuple:
        """What a view kept must still match to be current: this process's generation and the shared stamp."""
        if self._stamp_file is None:
            return (self._generation,)
        try:
            found = os.stat(self._stamp_file)
        except OSError:
            return (self._generation, None)
        return (self._generation, found.st_ino, found.st_size)


def _new_stamp(path: Path) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name)
    os.close(handle)
    os.replace(temporary, path)
