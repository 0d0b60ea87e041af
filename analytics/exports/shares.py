"""A large export written on every core: its rows are cut into consecutive shares by key; this process writes the
first share into the export's file while forked processes write the others, each into a hidden file beside it; the
files are then appended in order. Only for formats whose files join end to end (CSV, JSON Lines), for a file target,
and where forking is safe (a platform that forks, no other threads in this process: the CLI, not the web server).

A share's process that fails or is killed fails the export (one line saying so); its hidden files are removed, and
the target is left as it was (see files.py)."""

import multiprocessing
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from analytics.exports import ExportError
from analytics.exports.formats import Format
from analytics.exports.sources import Source

MIN_ROWS = 200_000  # below this the forking and joining cost more than a second core gains
MAX_SHARES = 4
POLL_SECONDS = 0.2
Progress = Callable[[int], None]


def share_count(writer_class: type[Format], total: int, *, shares: int | None = None) -> int:
    """How many shares to write side by side: 1 unless the export is large, its format joins and forking is safe;
    `shares` overrides the count of cores (still 1 where it cannot be done)."""
    if not writer_class.joinable or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if threading.active_count() > 1:
        return 1
    if shares is None:
        shares = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
                     MAX_SHARES)
        if total < MIN_ROWS:
            return 1
    return max(1, shares)


def write_rows(source: Source, writer_class: type[Format], out: BinaryIO, *, continuation: bool = False,
               on_rows: Progress | None = None) -> int:
    """Every row of `source` through one writer into `out`; the row count."""
    writer = writer_class(out, source.selected(), continuation=continuation)
    rows = 0
    for batch in source.batches():
        writer.write(batch)
        rows += len(batch)
        if on_rows:
            on_rows(len(batch))
    writer.close()
    return rows


def write_shares(shares: list[Source], writer_class: type[Format], out: BinaryIO, folder: Path, *,
                 on_rows: Progress | None = None) -> int:
    """The first share into `out` here, the others in forked processes, appended to `out` in order; the row count."""
    if len(shares) == 1:
        return write_rows(shares[0], writer_class, out, on_rows=on_rows)
    context = multiprocessing.get_context("fork")
    written_elsewhere = context.Value("q", 0)  # rows the other processes have written so far
    results = context.SimpleQueue()
    parts: list[Path] = []
    processes = []
    try:
        for index, share in enumerate(shares[1:], start=1):
            descriptor, part = tempfile.mkstemp(dir=folder, prefix=f".share{index}.", suffix=".part")
            os.close(descriptor)
            parts.append(Path(part))
            process = context.Process(target=_write_share, name=f"export share {index}", daemon=True,
                                      args=(index, share, writer_class, Path(part), written_elsewhere, results))
            process.start()
            processes.append(process)
        reported = 0

        def progress_here(rows: int) -> None:
            nonlocal reported
            elsewhere = written_elsewhere.value
            if on_rows:
                on_rows(rows + elsewhere - reported)
            reported = elsewhere

        rows = write_rows(shares[0], writer_class, out, on_rows=progress_here)
        for process in processes:
            while process.is_alive():
                process.join(POLL_SECONDS)
                progress_here(0)
        progress_here(0)
        outcomes = {}
        while not results.empty():  # one per process that ended on its own (a killed one sent none)
            index, outcome = results.get()
            outcomes[index] = outcome
        for index, process in enumerate(processes, start=1):
            if process.exitcode != 0 or index not in outcomes:
                raise ExportError(f"the process writing share {index} of {len(shares)} of the export stopped "
                                  f"(exit code {process.exitcode}); nothing was written; run the export again")
            if isinstance(outcomes[index], str):
                raise ExportError(outcomes[index])
            rows += outcomes[index]
        out.flush()
        for part in parts:
            with part.open("rb") as handle:
                shutil.copyfileobj(handle, out, 1 << 20)
        return rows
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join()
        for part in parts:
            part.unlink(missing_ok=True)


def _write_share(index: int, share: Source, writer_class: type[Format], part: Path, written, results) -> None:
    """In a forked process: one share into its hidden file; sends (index, rows), or (index, the error's line)."""
    share.job.engine.dispose(close=False)  # the parent's pooled connections are not this process's to use

    def count(rows: int) -> None:
        with written.get_lock():
            written.value += rows

    try:
        with part.open("wb") as handle:
            rows = write_rows(share, writer_class, handle, continuation=True, on_rows=count)
        results.put((index, rows))
    except Exception as error:  # noqa: BLE001 - sent to the parent as its one line
        results.put((index, f"share {index} of the export failed: {error}"))
