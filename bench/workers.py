"""Enrich workers sharing one store: four `earshot worker enrich --concurrency 1` processes against one, over the
same posts, on a throwaway PostgreSQL server (Debian's binaries, as the tests use; SQLite when none is installed).

Input: posts made by cycling the demo's X and Reddit posts (as bench/enrich.py), collected once; each run starts
from no enrichments. The workers are started while every post is claimed by a "gate" holder, so they start up (a
CLI process takes seconds to import its libraries) with nothing to do; once all say they have started, the gate's
claims are dropped and the clock runs until every post is enriched. Figures: posts/s of each setup, each worker's
share of the posts, and the ratio of four workers to one. The machine has two cores: four single-process
workers cannot be four times one; what this shows is that they add no overhead and share the work evenly.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, func, select

from bench.enrich import write_posts
from config.settings import load_settings, replay_target
from listener.run import collect
from storage.engine import make_engine, session_scope
from storage.migrate import ensure_current
from storage.models import Enrichment, Post, RunStat
from storage.repo.claims import add_work_from, claim_posts, release_all

ROOT = Path(__file__).resolve().parent.parent
SETUPS = (("one worker", 1), ("four workers", 4))


def run(quick: bool = False) -> dict:
    count = 4_000 if quick else 50_000
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        server = _postgres()
        try:
            url = server.database_for("bench") if server else f"sqlite:///{root / 'bench.db'}"
            config = root / "earshot.toml"
            config.write_text("")
            write_posts(root / "posts.jsonl", count)
            settings = load_settings(config, database_url=url, listen=[replay_target("bench", [str(root / "posts.jsonl")])])
            engine = make_engine(url)
            ensure_current(engine)
            collect(engine, settings)
            results = {"posts": count, "database": "postgresql" if server else "sqlite"}
            for name, workers in SETUPS:
                results[name] = _enrich_with(engine, url, config, workers, count)
            one, four = results["one worker"]["posts_per_s"], results["four workers"]["posts_per_s"]
            results["four_to_one"] = round(four / one, 2)
            engine.dispose()
            return results
        finally:
            if server:
                server.stop()


def _enrich_with(engine, url: str, config: Path, workers: int, count: int) -> dict:
    with session_scope(engine) as session:
        session.execute(delete(Enrichment))
        session.execute(delete(RunStat).where(RunStat.stage == "enrich"))
        add_work_from(session, stage="enrich", post_ids=select(Post.id))
        claim_posts(session, stage="enrich", holder="gate", limit=count, lease=timedelta(hours=1))
    env = {**os.environ, "EARSHOT_DATABASE_URL": url, "EARSHOT_CONFIG": str(config),
           "EARSHOT_WORKERS__POLL_EVERY": "0.1s"}
    processes = [subprocess.Popen([sys.executable, "-m", "earshot", "worker", "enrich", "--concurrency", "1"],
                                  cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for _ in range(workers)]
    for process in processes:  # each says so once its store is open
        while "started as" not in (line := process.stdout.readline()):
            if not line:
                raise SystemExit("an enrich worker failed to start; run one by hand to see why")
    began = time.perf_counter()
    with session_scope(engine) as session:
        release_all(session, stage="enrich", holder="gate")
    while _enriched(engine) < count:
        time.sleep(0.05)
    seconds = time.perf_counter() - began
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        process.communicate(timeout=120)
    with session_scope(engine) as session:
        shares = sorted((r.counts.get("enriched", 0) for r in session.scalars(
            select(RunStat).where(RunStat.stage == "enrich"))), reverse=True)
    assert sum(shares) == count == _enriched(engine), (shares, count)
    return {"posts_per_s": round(count / seconds), "seconds": round(seconds, 1), "runs": [s for s in shares if s]}


def _enriched(engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(Enrichment))


def _postgres():
    sys.path.insert(0, str(ROOT))
    from tests.postgres_server import PostgresServer

    try:
        return PostgresServer().start()
    except (RuntimeError, OSError, subprocess.CalledProcessError):
        return None
