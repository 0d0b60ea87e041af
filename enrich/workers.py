"""Run the enrichers on every core: batches go to worker processes while the stage reads and writes the store.

The workers are forked from the stage after it opened the enrichers, so they share its loaded models and lexicons
(copy-on-write) instead of loading their own. A pool is used only where forking is safe: on a platform that forks,
from a process with no other Python threads (a web server or scheduler runs the stage in-process), and when no
enricher spreads its work over every core itself (a torch model).
"""

import gc
import multiprocessing
import os
import threading
from contextlib import contextmanager
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

from enrich.base import Enricher, EnrichItem, PostView
from enrich.batch import run_enrichers

BatchResult = tuple[dict[str, Any], dict[str, Any], list[str]]
_active: Sequence[Enricher] = ()  # the enrichers the stage opened, inherited by forked workers


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def worker_count(configured: int, active: Sequence[Enricher]) -> int:
    """How many worker processes to use: `configured` (0: one per core), or none where forking is unsafe."""
    wanted = configured or cores()
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if wanted <= 1 or not forkable or not all(enricher.worker_safe for enricher in active):
        return 0
    return wanted


class InProcess(Executor):
    """The same interface as the pool, running each batch at once in this process."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to whoever asks for the result, as a pool would
            future.set_exception(exc)
        return future


@contextmanager
def executor(active: Sequence[Enricher], workers: int) -> Iterator[Executor]:
    """A pool of `workers` forked processes that run `enrich_batch` with `active`, or `InProcess` when 0."""
    global _active
    _active = active
    if not workers:
        yield InProcess()
        return
    gc.freeze()  # else the collector touches (and so copies) the page of every inherited object in each worker
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            yield pool
    finally:
        gc.unfreeze()


def enrich_batch(posts: Sequence[PostView], stored: dict[int, dict[str, Any]]) -> list[BatchResult]:
    """Every active enricher over one batch (in a worker, with the enrichers it inherited): per post its result,
    details and errors (the posts and their tokens stay behind: the stage has the posts)."""
    return [(item.result, item.details, item.errors) for item in run_enrichers(_active, posts, stored)]


def items_of(posts: Sequence[PostView], results: list[BatchResult]) -> list[EnrichItem]:
    return [EnrichItem(post=post, result=result, details=details, errors=errors)
            for post, (result, details, errors) in zip(posts, results, strict=True)]
