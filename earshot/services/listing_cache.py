"""Queue views shared for a moment: fifty agents refreshing the same view read it from the store about once a
second, not fifty times. A view is re-read when it is `seconds` old (`[engage] listing_cache_seconds`, default 1;
0 turns sharing off) or, for a slow view, ten times as old as its last read took, and a change made through the server (a claim, a reply, a transition: any request that is not
a GET) drops every view when its transaction commits, so whoever acted sees the change at once. The server's worker
processes on one machine (`earshot serve --workers N`) share a stamp file, one byte longer after each change, that
each checks (one `stat`) before it serves a view. Changes made elsewhere (the scheduler's routing, the CLI, a server
on another machine) show when the view is next re-read.

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

Value = TypeVar("Value")
MAX_VIEWS = 256
READ_TIME_FACTOR = 10  # a view is kept at least this many times as long as its last read took, so re-reading a
# slow view costs a server at most a tenth of a core
STALE_SECONDS = 5.0  # how much longer an old view may be served while it is being re-read
STAMP_LIMIT = 1 << 20  # bytes; then the stamp starts over


def stamp_file(database_url: str) -> Path:
    """The stamp the server processes using one database share on this machine."""
    name = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"earshot-queue-{name}.stamp"


class ListingCache:
    def __init__(self, seconds: float, *, stamp: Path | None = None, clock: Callable[[], float] = time.monotonic,
                 max_views: int = MAX_VIEWS) -> None:
        self.seconds = seconds
        self._stamp_file = stamp
        self._clock = clock
        self._max_views = max_views
        # key -> (read at, kept for (seconds), (generation, stamp) when the read began, value)
        self._views: OrderedDict[Hashable, tuple[float, float, tuple, Any]] = OrderedDict()
        self._reading: dict[Hashable, threading.Lock] = {}
        self._refreshing: set[Hashable] = set()
        self._lock = threading.Lock()
        self._generation = 0
        self._background: ThreadPoolExecutor | None = None  # made on first use (after a server worker forked)

    def kept(self, key: Hashable, *, refresh: Callable[[], Any] | None = None) -> tuple[Any] | None:
        """`(view,)` when a view is kept under `key`, else None; never waits (for the event loop). With `refresh`
        (a read that needs nothing of the request), an old but unchanged view is served while `refresh` re-reads it
        in the background."""
        if self.seconds <= 0:
            return None
        version = self._version()
        with self._lock:
            kept = self._views.get(key)
            if kept is None:
                return None
            read_at, fresh_for, read_version, value = kept
            if read_version != version:
                del self._views[key]
                return None
            age = self._clock() - read_at
            if age < fresh_for:
                return (value,)
            if refresh is None or age >= fresh_for + STALE_SECONDS:
                return None
            if key not in self._refreshing:
                self._refreshing.add(key)
                if self._background is None:
                    self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="view-refresh")
                self._background.submit(self._refresh, key, refresh)
            return (value,)

    def get(self, key: Hashable, read: Callable[[], Value]) -> Value:
        """The view under `key`: kept if fresh, else `read()` (once, however many ask at the same time)."""
        if self.seconds <= 0:
            return read()
        found = self.kept(key)
        if found is not None:
            return found[0]
        with self._lock:
            reading = self._reading.setdefault(key, threading.Lock())
        with reading:
            found = self.kept(key)  # read by the request this one waited for
            if found is not None:
                return found[0]
            try:
                return self._read(key, read)
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
                    self._stamp_file.unlink(missing_ok=True)  # gone is a change too
            except OSError:
                pass  # the other processes see the change when they next re-read

    def _read(self, key: Hashable, read: Callable[[], Value]) -> Value:
        version = self._version()
        began = time.perf_counter()
        value = read()
        fresh_for = max(self.seconds, READ_TIME_FACTOR * (time.perf_counter() - began))
        with self._lock:
            if version[0] == self._generation:
                self._views[key] = (self._clock(), fresh_for, version, value)
                self._views.move_to_end(key)
                while len(self._views) > self._max_views:
                    self._views.popitem(last=False)
        return value

    def _refresh(self, key: Hashable, read: Callable[[], Any]) -> None:
        try:
            self._read(key, read)
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
