"""Writing an export file whole or not at all: into a hidden temporary file beside it, renamed over the target only
when the last byte is written (a killed export leaves at most a `.NAME.*.part` file, never a half file named NAME)."""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from analytics.exports import ExportError


def check_target(path: Path) -> None:
    """Refuse, before any work, a target that cannot be written."""
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder; name a file")
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: the folder {path.parent} does not exist")


@contextmanager
def replacing(path: Path, *, private: bool = False) -> Iterator[BinaryIO]:
    """A binary file that becomes `path` when the block ends without an error (and is removed if it raises).
    `private`: readable by its owner only (exports with personal fields)."""
    check_target(path)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600 if private else 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
