"""Analytics over a million stored posts, against `SELECT COUNT(*) FROM post` over the same table in the same run.

Input: a fresh migrated SQLite store filled with bulk inserts (executemany, 50,000 rows a transaction): 1,000,000
posts (`--quick`: 100,000) over 180 days, roughly in id order of posting, from 50,000 authors (`--quick`: 5,000; X
and Reddit), each post with one enrichment row (sentiment label and score, 0-2 of 10 SKUs, purchase stage, channel,
language, country and city, complaint category, age band, now and then a competitor in `details`), and 2,000 CRM
customers (segment, lifecycle stage) linked to 2,000 of the authors. Figures: the baseline `SELECT COUNT(*) FROM
post` (median of 5); a full rebuild of the trend buckets (`refresh_trends(rebuild=True)`: seconds and posts/s, the
cost of keeping trends pre-aggregated); the daily trend grouped by product and the weekly trend ungrouped, as
`earshot trends` asks for them (median of 5; seconds and ratio to the baseline); a full CSV export of the posts
through the export service into a temporary file, in a fresh child process as `earshot export` runs, on every core
as it does by default (its rows cut into one share per core, each written by its own process; see
analytics/exports/shares.py) and again in one process (rows/s, ratio of its time to the baseline, the peak RSS of
the exporting process plus that of its share processes (summed, so the pages they share are counted twice) and its
RSS just before exporting, so the export's own share shows). Targets: the trend query under 1 s; the export at
least 100,000 rows/s in under 300 MB.
"""

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine

from analytics.rollup import refresh_trends
from analytics.trends import TrendQuery, trend
from config.settings import BrandSettings, load_settings
from earshot.runtime import tune_gc
from analytics.exports.formats import Csv
from analytics.exports.shares import share_count
from earshot.services.exports import export
from storage.engine import make_engine, session_scope
from storage.migrate import ensure_current

TARGET_TREND_S = 1.0
TARGET_EXPORT_ROWS_S = 100_000
TARGET_EXPORT_MB = 300
BRAND, COMPETITORS = "Nordvik", ["Zentro", "Kestrel"]
SKUS = ["NV-A12", "NV-A12P", "NV-PB2", "NV-H3", "NV-B1", "NV-S14", "NV-V65", "NV-N6", "NV-W2", "NV-T9"]
WORDS = ["aura", "halo", "battery", "love", "broken", "update", "screen", "great", "support", "order", "refund",
         "fast", "slow", "charger", "app", "phone", "buds", "sound", "camera", "price", "shop", "nordvik"]
STAGES = ["considering", "purchased", "returned", "recommending"]
CHANNELS = ["friend", "review", "store", "online", "ad", "social"]
CATEGORIES = ["battery", "defect", "software", "shipping", "billing", "service", "other"]
PLACES = [("SE", "Stockholm"), ("SE", "Gothenburg"), ("NO", "Oslo"), ("DK", "Copenhagen"), ("FI", "Helsinki"),
          ("DE", "Berlin"), ("GB", "London"), ("US", "New York"), ("ID", "Jakarta")]
LANGUAGES = ["en"] * 6 + ["sv", "id", "de", "no"]
AGE_BANDS = ["18-24", "25-34", "35-44", "45-54", "55-64"]
SEGMENTS, LIFECYCLE = ["consumer", "business", "vip"], ["customer", "repeat_customer", "advocate", "at_risk"]
DAYS = 180
CHUNK = 50_000


def _stamp(moment: datetime) -> str:
    """As SQLAlchemy stores a UTC datetime in SQLite (whole seconds here)."""
    return moment.replace(tzinfo=None).isoformat(" ") + ".000000"


def _insert(engine: Engine, table: str, columns: list[str], rows: Iterator[tuple]) -> None:
    """Bulk inserts of plain tuples, `CHUNK` rows per executemany and per transaction."""
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    while batch := list(islice(rows, CHUNK)):
        with engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA cache_size = -262144")  # 256 MB: the indexes' pages stay cached
            connection.exec_driver_sql(sql, batch)


def fill(engine: Engine, posts: int, authors: int, customers: int, seed: int = 17) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    now = _stamp(start + timedelta(days=DAYS))
    _insert(engine, "author", ["id", "platform", "external_id", "handle", "display_name", "bio", "followers",
                               "verified", "updated_at"],
            ((n, "x" if n % 3 else "reddit", f"a{n}", f"user{n}", f"User {n}", "tech fan", rng.randrange(5000),
              n % 97 == 0, now) for n in range(1, authors + 1)))
    _insert(engine, "customer", ["id", "external_id", "name", "segment", "lifecycle_stage", "consent_marketing",
                                 "consent_share", "status", "updated_at", "churn_reasons"],
            ((n, f"C-{n:06}", f"Customer {n}", rng.choice(SEGMENTS), rng.choice(LIFECYCLE), False, False, "active",
              now, "[]") for n in range(1, customers + 1)))
    linked = rng.sample(range(1, authors + 1), customers)
    _insert(engine, "customer_link", ["author_id", "customer_id", "method", "confidence", "status", "evidence",
                                      "created_at"],
            ((author, customer, "exact_handle", 0.9, "auto" if customer % 5 else "proposed", "{}", now)
             for customer, author in enumerate(linked, 1)))
    step = DAYS * 86_400 / posts
    _insert(engine, "post", ["id", "platform", "external_id", "author_id", "kind", "title", "text", "created_at",
                             "url", "language", "conversation_id", "like_count", "share_count", "reply_count", "raw",
                             "target", "collected_at"], _posts(rng, posts, authors, start, step))
    _insert(engine, "enrichment", ["post_id", "language", "sentiment_label", "sentiment_score", "sentiment_backend",
                                   "sentiment_version", "products", "is_complaint", "complaint_category",
                                   "is_question", "purchase_stage", "channel", "is_churn", "competitor",
                                   "is_referral", "age", "age_band", "city", "region", "country", "details",
                                   "versions", "enriched_at"], _enrichments(rng, posts, start, step))


def _posts(rng: random.Random, count: int, authors: int, start: datetime, step: float) -> Iterator[tuple]:
    draw = rng.random
    texts = [rng.choices(WORDS, k=rng.randrange(6, 30)) for _ in range(20_000)]  # drawn from, to fill faster
    for n in range(1, count + 1):
        author = 1 + int(draw() * authors)
        platform = "x" if author % 3 else "reddit"
        created = _stamp(start + timedelta(seconds=int(n * step + draw() * 3600 - 1800)))
        words = texts[int(draw() * 20_000)]
        body = " ".join(words)
        raw = orjson.dumps({"platform": platform, "id": f"p{n}", "created_at": created, "text": body,
                            "author": {"id": f"a{author}", "handle": f"user{author}"},
                            "metrics": {"likes": n % 50, "reposts": 0, "replies": 0}}).decode()
        yield (n, platform, f"p{n}", author, "post" if n % 4 else "comment",
               f"About my {words[0]}" if platform == "reddit" and n % 4 else None, body, created,
               f"https://x.com/user{author}/status/{n}", "en", f"p{n}", n % 50, n % 7, n % 11, raw, "bench", created)


def _enrichments(rng: random.Random, count: int, start: datetime, step: float) -> Iterator[tuple]:
    versions = '{"language": "1", "sentiment": "1", "products": "1"}'
    draw, pick = rng.random, rng.choice
    for n in range(1, count + 1):
        roll = draw()
        sentiment, score = (("negative", -draw()) if roll < 0.3 else ("neutral", draw() * 0.4 - 0.2) if roll < 0.7
                            else ("positive", draw()))
        score = round(score, 3)
        roll = draw()
        products = [] if roll < 0.4 else [pick(SKUS)] if roll < 0.85 else rng.sample(SKUS, 2)
        competitors = [pick(COMPETITORS)] if draw() < 0.08 else []
        complaint = sentiment == "negative" and draw() < 0.6
        country, city = pick(PLACES) if draw() < 0.3 else (None, None)
        age = 18 + int(draw() * 47) if draw() < 0.1 else None
        details = orjson.dumps({"sentiment": {"score": score},
                                "products": {"competitors": competitors,
                                             "evidence": [{"sku": s, "span": [0, 6]} for s in products]}}).decode()
        yield (n, pick(LANGUAGES), sentiment, score, "linear", "1", orjson.dumps(products).decode(), complaint,
               pick(CATEGORIES) if complaint else None, draw() < 0.2,
               pick(STAGES) if products and draw() < 0.5 else None, pick(CHANNELS) if draw() < 0.15 else None,
               draw() < 0.02, competitors[0] if competitors else None, draw() < 0.05, age,
               AGE_BANDS[min((age - 18) // 10, 4)] if age else None, city, None, country, details, versions,
               _stamp(start + timedelta(seconds=int(n * step) + 3600)))


def median_seconds(action: Callable[[], Any], times: int = 5) -> tuple[float, Any]:
    """The median time of `times` runs, and what the last run returned."""
    seconds = []
    for _ in range(times):
        began = time.perf_counter()
        result = action()
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds), result


def count_posts(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT COUNT(*) FROM post").scalar_one()


def trend_points(engine: Engine, query: TrendQuery) -> int:
    with session_scope(engine) as session:
        return len(trend(session, query))


def export_in_child(config: Path, database_url: str, out: Path, shares: int | None = None) -> dict:
    """The CSV export of every post through the export service, in a fresh Python process (as `earshot export`
    runs), so that its peak RSS is the export's and not this benchmark's. `shares`: None for one per core."""
    code = "import sys; from bench.analytics import _export_here; _export_here(*sys.argv[1:])"
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code, str(config), database_url, str(out), str(shares or 0)],
                          cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _export_here(config: str, database_url: str, out: str, shares: str) -> None:
    tune_gc()  # as every earshot command does
    settings = load_settings(Path(config), database_url=database_url)
    engine = make_engine(database_url)
    count_posts(engine)  # the connection opened, as it is before an export starts
    rss_before_mb = _memory_mb("VmRSS")
    began = time.perf_counter()
    rows = export(engine, settings, kind="posts", fmt="csv", out=Path(out), shares=int(shares) or None)
    seconds = time.perf_counter() - began
    processes = share_count(Csv, rows, shares=int(shares) or None)
    largest_share_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 if processes > 1 else 0.0
    print(json.dumps({"rows": rows, "seconds": seconds, "processes": processes, "rss_before_mb": rss_before_mb,
                      "peak_rss_mb": _memory_mb("VmHWM") + largest_share_mb * (processes - 1)}))


def _same_file(one: Path, other: Path) -> bool:
    with one.open("rb") as a, other.open("rb") as b:
        while True:
            block = a.read(1 << 20)
            if block != b.read(1 << 20):
                return False
            if not block:
                return True


def _memory_mb(field: str) -> float:
    """This process's resident memory now (VmRSS) or at its peak (VmHWM), from /proc (Linux; elsewhere the peak
    from getrusage). Not getrusage on Linux: a process started by fork and exec inherits there the peak of the
    process it was forked from (here the benchmark, with its filled database cache)."""
    status = Path("/proc/self/status")
    if status.exists():
        line = next(line for line in status.read_text().splitlines() if line.startswith(f"{field}:"))
        return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 1024 * 1024)


def run(quick: bool = False) -> dict:
    posts = 100_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        database_url = f"sqlite:///{root / 'bench.db'}"
        config = root / "earshot.toml"
        config.write_text("", encoding="utf-8")
        settings = load_settings(config, database_url=database_url,
                                 brand=BrandSettings(name=BRAND, competitors=COMPETITORS))
        engine = make_engine(database_url)
        ensure_current(engine)
        began = time.perf_counter()
        fill(engine, posts, authors=posts // 20, customers=2_000)
        fill_seconds = time.perf_counter() - began
        count_posts(engine)  # warm: the baseline and the rest read the same cached pages
        count_seconds, counted = median_seconds(lambda: count_posts(engine))
        assert counted == posts, counted
        began = time.perf_counter()
        refresh_trends(engine, settings, rebuild=True)
        rollup_seconds = time.perf_counter() - began
        with engine.connect() as connection:
            buckets = connection.exec_driver_sql("SELECT COUNT(*) FROM trend_bucket").scalar_one()
        daily_seconds, daily_points = median_seconds(
            lambda: trend_points(engine, TrendQuery(interval="day", group_by="product")))
        weekly_seconds, weekly_points = median_seconds(lambda: trend_points(engine, TrendQuery(interval="week")))
        engine.dispose()
        exported = export_in_child(config, database_url, root / "posts.csv")
        assert exported["rows"] == posts, exported
        csv_mb = (root / "posts.csv").stat().st_size / 1e6
        alone = export_in_child(config, database_url, root / "posts-one-process.csv", shares=1)
        assert alone["rows"] == posts, alone
        assert _same_file(root / "posts.csv", root / "posts-one-process.csv")
    export_rows_per_s = posts / exported["seconds"]
    return {
        "posts": posts,
        "fill_s": round(fill_seconds, 1),
        "count_ms": round(count_seconds * 1000, 2),
        "rollup_rebuild_s": round(rollup_seconds, 1),
        "rollup_posts_per_s": round(posts / rollup_seconds),
        "trend_buckets": buckets,
        "daily_by_product_s": round(daily_seconds, 4),
        "daily_by_product_points": daily_points,
        "daily_by_product_ratio_to_count": round(daily_seconds / count_seconds, 1),
        "weekly_s": round(weekly_seconds, 4),
        "weekly_points": weekly_points,
        "weekly_ratio_to_count": round(weekly_seconds / count_seconds, 1),
        "export_csv_s": round(exported["seconds"], 2),
        "export_rows_per_s": round(export_rows_per_s),
        "export_ratio_to_count": round(exported["seconds"] / count_seconds),
        "export_processes": exported["processes"],
        "export_one_process_s": round(alone["seconds"], 2),
        "export_one_process_rows_per_s": round(posts / alone["seconds"]),
        "export_speedup_over_one_process": round(alone["seconds"] / exported["seconds"], 2),
        "export_one_process_peak_rss_mb": round(alone["peak_rss_mb"]),
        "export_csv_mb": round(csv_mb),
        "export_rss_before_mb": round(exported["rss_before_mb"]),
        "export_peak_rss_mb": round(exported["peak_rss_mb"]),
        "targets": {"trend_s": TARGET_TREND_S, "export_rows_per_s": TARGET_EXPORT_ROWS_S,
                    "export_memory_mb": TARGET_EXPORT_MB},
        "trend_under_1s": daily_seconds < TARGET_TREND_S,
        "export_at_least_100k_rows_s": export_rows_per_s >= TARGET_EXPORT_ROWS_S,
        "export_memory_under_300mb": exported["peak_rss_mb"] < TARGET_EXPORT_MB,
    }
