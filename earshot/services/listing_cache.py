"""Queue views shared for a moment: fifty agents refreshing the same view read it from the store about once a
second, not fifty times. A view is re-read when it is `seconds` old (`[engage] listing_cache_seconds`, default 1;
0 turns sharing off) or, for a slow view, ten times as old as its last read took, and a change made through the
server (a claim, a reply, a transition: any request that is not a GET) drops every view when its transaction
commits, so whoever acted sees the change at once. The server's worker processes on one machine (`earshot serve
--workers N`) share a stamp file, one byte longer after each change, that each checks (one `stat`) before it serves
a view; and they share the API's pages they read (shared_views.py), so a page is read once for all of them. Changes
made elsewhere (the scheduler's routing, the CLI, a server on another machine) show when the view is next re-read.

Reads happen once: requests that ask for a view being read wait for that read instead of starting their own. A
view that is merely old (nothing changed through the server) can be re-read in the background while requests keep
getting the old one, for up to `STALE_SECONDS` more, so a slow view never makes anyone wait once it has been read.
A view read while a change committed is not kept."""

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


def stamp_file(database_url: str) -> Path:
    """The stamp the server processes using one database share on this machine."""
    name = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"earshot-queue-{name}.stamp"


class ListingCache:
    def __init__(self, seconds: float, *, stamp: Path | None = None, shared: SharedViews | None = None,
                 clock: Callable[[], float] = time.monotonic, max_views: int = MAX_VIEWS) -> None:
        """`stamp`: the file the processes serving one store share (`stamp_file`); `shared`: where they share the
        views they read (clock: one the processes share, as time.monotonic is on Linux)."""
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
        # key -> (read at, kept for (seconds), (generation, stamp) when the read began, value)
        self._views: OrderedDict[Hashable, tuple[float, float, tuple, Any]] = OrderedDict()
        self._reading: dict[Hashable, threading.Lock] = {}
        self._refreshing: set[Hashable] = set()
        self._lock = threading.Lock()
        self._generation = 0
        self._background: ThreadPoolExecutor | None = None  # made on first use (after a server worker forked)

    def kept(self, key: Hashable, *, refresh: Callable[[], Any] | None = None,
             shared: bool = False) -> tuple[Any] | None:
        """`(view,)` when a view is kept under `key`, else None; never waits (for the event loop). With `refresh`
        (a read that needs nothing of the request), an old but unchanged view is served while `refresh` re-reads it
        in the background. `shared`: the view is bytes that other server processes may have read (shared_views.py)."""
        if self.seconds <= 0:
            return None
        version = self._version()
        freshness, value = self._kept_here(key, version)
        if freshness != FRESH and shared:
            freshness, value = self._adopt(key, version) or (freshness, value)
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

    def get(self, key: Hashable, read: Callable[[], Value], *, shared: bool = False) -> Value:
        """The view under `key`: kept if fresh, else `read()` (once, however many ask at the same time)."""
        if self.seconds <= 0:
            return read()
        found = self.kept(key, shared=shared)
        if found is not None:
            return found[0]
        with self._lock:
            reading = self._reading.setdefault(key, threading.Lock())
        with reading:
            found = self.kept(key, shared=shared)  # read by the request this one waited for
            if found is not None:
                return found[0]
            try:
                return self._read(key, read, shared)
            finally:
                with self._lock:
                    self._reading.pop(key, None)

    def clear(self) -> None:
        """Forget every view (something in the queue changed), here and in the processes sharing the stamp."""
        with self._lock:
            self._generation += 1
            self._views.clear()
        if self._stamp_file is not None and self.seconds > 0:
            try:
                with self._stamp_file.open("ab") as stamp:  # appends are atomic: the size only grows
                    stamp.write(b".")
                if self._stamp_file.stat().st_size > STAMP_LIMIT:
                    _new_stamp(self._stamp_file)  # a new file (another inode) is a change too
            except OSError:
                pass  # the other processes see the change when they next re-read

    def _kept_here(self, key: Hashable, version: tuple) -> tuple[str | None, Any]:
        """(FRESH or OLD, the view) kept in this process, or (None, None)."""
        with self._lock:
            kept = self._views.get(key)
            if kept is None:
                return None, None
            read_at, fresh_for, read_version, value = kept
            if read_version != version:
                del self._views[key]
                return None, None
        age = self._clock() - read_at
        if age < fresh_for:
            return FRESH, value
        return (OLD, value) if age < fresh_for + STALE_SECONDS else (None, None)

    def _adopt(self, key: Hashable, version: tuple) -> tuple[str, Any] | None:
        """A view another process saved since this one last looked, if read under the current stamp: kept here too."""
        if self._shared is None or version[1:] == (None,):
            return None
        name = self._shared.name(key)
        identity = self._shared.changed_since(name, self._seen.get(key))
        if identity is None:
            return None
        view = self._shared.load(name)
        age = None if view is None or view.stamp != version[1:] else self._clock() - view.read_at
        with self._lock:
            if age is None or age >= view.fresh_for + STALE_SECONDS or version[0] != self._generation:
                self._seen[key] = identity  # never of use
                return None
            self._keep(key, (view.read_at, view.fresh_for, version, view.body))
            self._seen[key] = identity
        return (FRESH if age < view.fresh_for else OLD), view.body

    def _read(self, key: Hashable, read: Callable[[], Value], shared: bool = False) -> Value:
        if not shared or self._shared is None:
            return self._read_here(key, read)[0]
        name = self._shared.name(key)
        with self._shared.reading(name):  # another process reading the same view finishes first
            version = self._version()
            # its read, taken here by a request meanwhile if not by this thread (_adopt keeps a view before it
            # notes the file seen: so this order never misses one)
            freshness, value = self._adopt(key, version) or self._kept_here(key, version)
            if freshness == FRESH:
                return value
            value, kept = self._read_here(key, read)
            if kept is not None and isinstance(value, bytes) and kept[2][1:] != (None,):
                read_at, fresh_for, read_version = kept
                self._shared.save(name, SharedView(read_at, fresh_for, read_version[1:], value))
                if len(self._seen) > 4 * self._max_views:
                    self._seen.clear()  # only costs a file read each
                self._seen[key] = self._shared.changed_since(name, None)
            return value

    def _read_here(self, key: Hashable, read: Callable[[], Value]) -> tuple[Value, tuple[float, float, tuple] | None]:
        """The view, and (read at, fresh for, version) if it was kept (nothing changed here while it was read)."""
        version = self._version()
        began = time.perf_counter()
        value = read()
        fresh_for = max(self.seconds, READ_TIME_FACTOR * (time.perf_counter() - began))
        with self._lock:
            if version[0] != self._generation:
                return value, None
            read_at = self._clock()
            self._keep(key, (read_at, fresh_for, version, value))
        return value, (read_at, fresh_for, version)

    def _keep(self, key: Hashable, kept: tuple) -> None:
        """Under the lock."""
        self._views[key] = kept
        self._views.move_to_end(key)
        while len(self._views) > self._max_views:
            self._views.popitem(last=False)

    def _refresh(self, key: Hashable, read: Callable[[], Any], shared: bool) -> None:
        try:
            self._read(key, read, shared)
        except Exception:  # noqa: BLE001 - the old view ages out, and the next request reads it itself
            pass
        finally:
            with self._lock:
                self._refreshing.discard(key)

    def _version(self) -> tuple:
        """What a kept view must still match: this process's generation and the shared stamp."""
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
