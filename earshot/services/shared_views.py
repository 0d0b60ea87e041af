"""Queue views as files that the server's worker processes on one machine share (see listing_cache.py): a view that
one worker read from the store the others answer from, so the store is read once a second per view, not once per
worker; and a worker that needs a view another is reading waits for that read (a lock file per view) instead of
starting its own.

A file holds the view's JSON, when its read began and ended, how long it stays fresh and the stamp (listing_cache.py)
it was read under; a view read before a change committed has an older stamp and is served only to those who did not
make the change. Who changed the queue when is a small file per user, beside the views. The folder is private to the
server's user (mode 700; a folder that is not is left alone and nothing is shared), because views hold what
customers wrote. Files unused for ten minutes are removed."""

import hashlib
import os
import stat
import struct
import tempfile
import time
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

try:
    import fcntl
except ImportError:  # not on Windows: there each worker reads its own views
    fcntl = None

HEADER = struct.Struct("<dddQQ")  # read at, fresh for (seconds), began at, the stamp's inode and size when it began
CHANGE = struct.Struct("<d")  # when a user last changed the queue (the clock views are read by)
FORMAT = "2"  # in every file's name: files of an earlier format are never read
UNUSED_SECONDS = 600  # files older than this are removed
PRUNE_EVERY = 200  # saves


class SharedView(NamedTuple):
    read_at: float
    fresh_for: float
    stamp: tuple[int, int]
    body: bytes
    began: float


class SharedViews:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._saves = 0

    @classmethod
    def open(cls, folder: Path) -> "SharedViews | None":
        """The folder, made private if new; None (nothing shared) where it cannot be trusted or locks are missing."""
        if fcntl is None:
            return None
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            found = os.lstat(folder)
        except OSError:
            return None
        if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
            return None
        return cls(folder)

    @staticmethod
    def name(key: Hashable) -> str:
        return hashlib.sha256(repr((FORMAT, key)).encode()).hexdigest()[:32]

    def note_change(self, who: Hashable, at: float) -> None:
        """`who` changed the queue at `at`: the processes sharing this folder serve them no view read before."""
        self._write(_change_name(who), CHANGE.pack(at))

    def change_of(self, who: Hashable) -> float:
        """When `who` last changed the queue: -inf if never (or over ten minutes ago), +inf if the file is unreadable
        (so they are served only views read from now on)."""
        try:
            data = (self.folder / _change_name(who)).read_bytes()
        except FileNotFoundError:
            return float("-inf")
        except OSError:
            return float("inf")
        return CHANGE.unpack(data)[0] if len(data) == CHANGE.size else float("inf")

    def changed_since(self, name: str, seen: tuple | None) -> tuple | None:
        """The file's identity when it differs from `seen` (each save makes a new file), else None."""
        try:
            found = os.stat(self.folder / name)
        except OSError:
            return None
        identity = (found.st_ino, found.st_mtime_ns)
        return None if identity == seen else identity

    def load(self, name: str) -> SharedView | None:
        try:
            data = (self.folder / name).read_bytes()
        except OSError:
            return None
        if len(data) < HEADER.size:
            return None
        read_at, fresh_for, began, inode, size = HEADER.unpack_from(data)
        return SharedView(read_at, fresh_for, (inode, size), data[HEADER.size:], began)

    def save(self, name: str, view: SharedView) -> None:
        if not self._write(name, HEADER.pack(view.read_at, view.fresh_for, view.began, *view.stamp) + view.body):
            return  # the others read the view themselves
        self._saves += 1
        if self._saves % PRUNE_EVERY == 0:
            self.prune()

    def _write(self, name: str, data: bytes) -> bool:
        """Written beside, then renamed into place: a reader sees the old file or the new one, never half."""
        try:
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".part")
            with os.fdopen(handle, "wb") as written:
                written.write(data)
            os.replace(temporary, self.folder / name)
        except OSError:
            return False
        return True

    @contextmanager
    def reading(self, name: str) -> Iterator[None]:
        """Held while this process reads the view from the store; others wait for it here."""
        try:
            descriptor = os.open(self.folder / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            yield
            return
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # releases the lock

    def prune(self, now: float | None = None) -> None:
        oldest = (time.time() if now is None else now) - UNUSED_SECONDS
        for path in self.folder.iterdir():
            try:
                if path.stat().st_mtime < oldest:
                    path.unlink()
            except OSError:
                pass


def _change_name(who: Hashable) -> str:
    return "changed-" + SharedViews.name(who)
