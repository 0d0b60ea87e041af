"""Process-wide settings for Earshot's long-running commands."""

import gc

GEN0_THRESHOLD = 10_000


def tune_gc() -> None:
    """Stages hold batches of thousands of small objects (records, payload dicts); with Python's default
    generation-0 threshold of 700 the collector scans them over a thousand times per 100,000 posts, about a
    fifth of collection time (measured in bench/collect.py). Collect less often; memory stays bounded by batches."""
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
