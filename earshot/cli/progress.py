"""Progress bars for long CLI work (rich), written to stderr so --json output stays clean."""

from contextlib import contextmanager
from collections.abc import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


@contextmanager
def progress_bar(*, refresh_thread: bool = True) -> Iterator[Progress]:
    """`refresh_thread=False`: redrawn only on `advance_and_draw`, with no thread of its own (the enrich stage forks
    worker processes, which is only safe from a process without other threads)."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
        auto_refresh=refresh_thread,
    ) as progress:
        yield progress


def advance_and_draw(progress: Progress, task, steps: int) -> None:
    progress.advance(task, steps)
    progress.refresh()
