"""The whole default enrichment pipeline against VADER alone over the same texts, in the same run.

Input: 50,000 posts made by cycling the demo's X and Reddit posts (English, Swedish, Indonesian) with new ids,
collected into a fresh SQLite store with the demo's catalog and 280 CRM customers. Figures: posts/s of the enrich stage (read from the store, every default
enricher, customer links, write back per batch), posts/s of VADER's polarity over the same texts, their ratio,
the peak memory of the stage and its worker processes (summed PSS, sampled after each batch), the same with the
enrichers in one process (`[enrich] workers = 1`), and each enricher's own posts/s in memory, in
pipeline order (the first phrase-matching enricher, `products`, pays for tokenising and `sentiment` for the
features the complaint and purchase models share; the others reuse them).
"""

import json
import resource
import tempfile
import time
from pathlib import Path

from config.settings import BrandSettings, load_settings, replay_target
from earshot.services.demo import CATALOG, CUSTOMERS, REPLAY_FILES
from earshot.services.evaluation import catalog_context
from enrich.base import EnrichItem, PostView
from enrich.batch import open_enrichers
from enrich.pipeline import enrich_pending
from listener.run import collect
from storage.engine import make_engine, session_scope
from storage.imports.catalog import import_catalog, read_catalog
from storage.imports.customers import import_customers
from storage.migrate import ensure_current


def write_posts(path: Path, count: int) -> list[str]:
    demo = [json.loads(line) for file in REPLAY_FILES for line in Path(file).read_text().splitlines() if line]
    texts = []
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            post = dict(demo[n % len(demo)])
            post["id"] = f"bench-{n}"
            post.pop("conversation_id", None)
            handle.write(json.dumps(post, ensure_ascii=False) + "\n")
            texts.append(f"{post.get('title') or ''}\n{post['text']}" if post.get("title") else post["text"])
    return texts


def per_enricher(settings, posts: list[PostView]) -> dict[str, int]:
    """Posts/s of each enricher over the same posts, in memory: each batch goes through every enricher in the
    configured order (as in the pipeline, so the shared tokens and features are reused), each one timed."""
    context = catalog_context(settings, CATALOG)
    enrichers = open_enrichers(settings.enrich.enrichers, context)
    seconds = dict.fromkeys((enricher.name for enricher in enrichers), 0.0)
    for start in range(0, len(posts), settings.enrich.batch_size):
        batch = [EnrichItem(post=post) for post in posts[start : start + settings.enrich.batch_size]]
        for enricher in enrichers:
            began = time.perf_counter()
            enricher.enrich(batch)
            seconds[enricher.name] += time.perf_counter() - began
    return {name: round(len(posts) / spent) for name, spent in seconds.items()}


def vader_alone(texts: list[str]) -> float:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    began = time.perf_counter()
    for text in texts:
        analyzer.polarity_scores(text)
    return time.perf_counter() - began


def stage(engine, settings, count: int, *, rerun: bool = False) -> dict:
    """One run of the enrich stage over every post; its time, and the peak memory of it and its workers."""
    peak = [memory_mb()]
    began = time.perf_counter()
    result = enrich_pending(engine, settings, rerun=rerun, on_batch=lambda _: peak.append(memory_mb()))
    seconds = time.perf_counter() - began
    assert result.counts["enriched"] == count, result.counts
    return {"seconds": seconds, "peak_memory_mb": round(max(peak)), "workers": result.workers}


def memory_mb() -> float:
    """This process and its children (the enrich workers): their summed PSS, in which pages the forked workers
    still share with this process count once, split between them (Linux; RSS of this process elsewhere)."""
    rollup = Path("/proc/self/smaps_rollup")
    if not rollup.exists():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = [pid for task in Path("/proc/self/task").iterdir()
                for pid in (task / "children").read_text().split()]
    total_kb = 0
    for pid in ["self", *children]:
        try:
            lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        except OSError:  # a worker that just ended
            continue
        total_kb += next(int(line.split()[1]) for line in lines if line.startswith("Pss:"))
    return total_kb / 1024


def run(quick: bool = False) -> dict:
    count = 5_000 if quick else 50_000
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        texts = write_posts(root / "posts.jsonl", count)
        config = root / "earshot.toml"
        config.write_text("")
        catalog = json.loads(CATALOG.read_text())
        settings = load_settings(
            config, database_url=f"sqlite:///{root / 'bench.db'}", listen=[replay_target("bench", [str(root / 'posts.jsonl')])],
            brand=BrandSettings(name=catalog["brand"], own_accounts=catalog["own_accounts"],
                                competitors=[c["name"] for c in catalog["competitors"]]),
        )
        engine = make_engine(settings.database_url)
        ensure_current(engine)
        with session_scope(engine) as session:
            import_catalog(session, entries=read_catalog(CATALOG))
        import_customers(engine, CUSTOMERS)  # so authors are looked up in a CRM, as in production
        collect(engine, settings)
        parallel = stage(engine, settings, count)
        single = stage(engine, settings.model_copy(update={"enrich": settings.enrich.model_copy(update={"workers": 1})}),
                       count, rerun=True)
        vader = vader_alone(texts)
        posts = [PostView(id=n, platform="x", author_id=0, text=text) for n, text in enumerate(texts)]
        rates = per_enricher(settings, posts)
        engine.dispose()
    return {
        "posts": count,
        "enrichers": list(settings.enrich.enrichers),
        "sentiment_backend": settings.enrich.sentiment,
        "purchase_reader": str(settings.enrich.purchases.model_path) if settings.enrich.purchases.model_path else None,
        "workers": parallel["workers"],
        "pipeline_posts_per_s": round(count / parallel["seconds"]),
        "vader_alone_posts_per_s": round(count / vader),
        "ratio_to_vader": round(parallel["seconds"] / vader, 2),
        "peak_memory_mb": parallel["peak_memory_mb"],
        "one_process_posts_per_s": round(count / single["seconds"]),
        "one_process_peak_memory_mb": single["peak_memory_mb"],
        "per_enricher_posts_per_s": rates,
    }
