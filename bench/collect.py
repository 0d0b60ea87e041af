"""Collection into storage with the replay collector, against a bare executemany of the same rows.

Figures: posts/s through the collect stage (read, parse, validate, deduplicate, upsert authors, insert posts,
save the cursor, per batch) and the ratio of its time to inserting the already-parsed rows with one
executemany into the same migrated `post` table of a fresh SQLite database, in the same run.
"""

import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from config.settings import load_settings, replay_target
from listener.run import collect
from storage.engine import make_engine
from storage.migrate import ensure_current


def write_posts(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    words = "aura halo battery love broken update screen great support order refund fast slow".split()
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            author = rng.randrange(count // 10 + 1)
            handle.write(json.dumps({
                "platform": "x", "id": str(10**17 + n),
                "created_at": (start + timedelta(seconds=n)).isoformat().replace("+00:00", "Z"),
                "text": " ".join(rng.choices(words, k=14)), "lang": "en",
                "author": {"id": f"a{author}", "handle": f"user{author}", "name": f"User {author}",
                           "bio": "tech fan", "followers": (author * 7919) % 10_000},  # profiles change rarely
                "metrics": {"likes": rng.randrange(50), "reposts": 0, "replies": 0},
            }) + "\n")


def bare_insert(path: Path, database_url: str) -> float:
    """The baseline: one executemany of already-parsed rows into the same migrated `post` table, one transaction."""
    rows = []
    with path.open("rb") as handle:
        for line in handle:
            raw = json.loads(line)
            rows.append(("x", raw["id"], 1, "post", raw["text"], raw["created_at"].replace("T", " ").rstrip("Z"),
                         raw["lang"], 0, 0, 0, line.decode(), "bench", raw["created_at"]))
    engine = make_engine(database_url)
    ensure_current(engine)
    connection = engine.raw_connection()
    try:
        connection.execute("INSERT INTO author (platform, external_id, followers, verified, updated_at) VALUES ('x', 'a', 0, 0, '2026-01-01')")
        began = time.perf_counter()
        connection.executemany(
            "INSERT INTO post (platform, external_id, author_id, kind, text, created_at, language, like_count,"
            " share_count, reply_count, raw, target, collected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        connection.commit()
        elapsed = time.perf_counter() - began
    finally:
        connection.close()
        engine.dispose()
    return elapsed


def run(quick: bool = False) -> dict:
    count = 10_000 if quick else 100_000
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        data = root / "posts.jsonl"
        write_posts(data, count)
        config = root / "earshot.toml"
        config.write_text("")
        settings = load_settings(config, database_url=f"sqlite:///{root / 'earshot.db'}",
                                 listen=[replay_target("bench", [str(data)])])
        engine = make_engine(settings.database_url)
        ensure_current(engine)
        began = time.perf_counter()
        [result] = collect(engine, settings)
        elapsed = time.perf_counter() - began
        assert result.counts["new"] == count, result.counts
        baseline = bare_insert(data, f"sqlite:///{root / 'bare.db'}")
        engine.dispose()
    return {
        "posts": count,
        "collect_posts_per_s": round(count / elapsed),
        "bare_executemany_posts_per_s": round(count / baseline),
        "ratio_to_bare": round(elapsed / baseline, 2),
    }
