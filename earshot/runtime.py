"""Process-wide settings for Earshot's long-running commands."""

import gc
import sys

GEN0_THRESHOLD = 10_000
SERVER_SWITCH_INTERVAL_SECONDS = 0.001


def tune_gc() -> None:
    """Stages hold batches of thousands of small objects (records, payload dicts); with Python's default
    generation-0 threshold of 700 the collector scans them over a thousand times per 100,000 posts, about a
    fifth of collection time (measured in bench/collect.py). Collect less often; memory stays bounded by batches."""
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)


def prepare_server_process() -> None:
    """For a server process, once its app is built.

    It holds about 160,000 long-lived objects by then (modules, routes, models, templates); a full collection scans
    them all, 150-175 ms here, and every request on that process waits for it. Collect once, then leave them out of
    every later collection (gc.freeze): full collections see only what requests made.

    Queue views are re-read in a background thread while the event loop answers requests. Python hands the GIL to a
    waiting thread only every switch interval (5 ms by default), and the event loop waits for it after every socket
    call: while a view was re-read, the requests on that process crawled. A 1 ms interval lets the loop back in
    sooner (the benchmark's mixed views: p99 52-88 ms with it, 79-97 ms without)."""
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(SERVER_SWITCH_INTERVAL_SECONDS)
