"""Collection into storage with the replay collector, against a bare executemany of the same rows.

Figures: posts/s through `earshot collect` (parse, validate, deduplicate, upsert authors, insert posts, save the
cursor) and the ratio to inserting the already-parsed rows with one executemany into the same kind of database.
"""

import json
import random
import sqlite3
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
                           "bio": "tech fan", "followers": rng.randrange(10_000)},
                "metrics": {"likes": rng.randrange(50), "reposts": 0, "replies": 0},
            }) + "\n")


def bare_insert(path: Path, database: Path) -> float:
    """The baseline: one executemany of parsed rows into a table shaped like ours, in one transaction."""
    rows = []
    with path.open("rb") as handle:
        for line in handle:
            raw = json.loads(line)
            rows.append(("x", raw["id"], raw["author"]["id"], raw["text"], raw["created_at"], line))
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(
        "CREATE TABLE post (id INTEGER PRIMARY KEY, platform TEXT, external_id TEXT, author TEXT, text TEXT,"
        " created_at TEXT, raw TEXT, UNIQUE (platform, external_id))"
    )
    began = time.perf_counter()
    with connection:
        connection.executemany(
            "INSERT INTO post (platform, external_id, author, text, created_at, raw) VALUES (?, ?, ?, ?, ?, ?)", rows
        )
    elapsed = time.perf_counter() - began
    connection.close()
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
        baseline = bare_insert(data, root / "bare.db")
        engine.dispose()
    return {
        "posts": count,
        "collect_posts_per_s": round(count / elapsed),
        "bare_executemany_posts_per_s": round(count / baseline),
        "ratio_to_bare": round(elapsed / baseline, 2),
    }
