"""Collectors that pull public posts into the store: replay (JSONL files), X and Reddit."""
