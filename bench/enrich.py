"""The whole default enrichment pipeline against VADER alone over the same texts, in the same run.

Input: 50,000 posts made by cycling the demo's X and Reddit posts (English, Swedish, Indonesian) with new ids,
collected into a fresh SQLite store. Figures: posts/s of the enrich stage (read from the store, every default
enricher, customer links, write back per batch), posts/s of VADER's polarity over the same texts, their ratio,
the process's peak memory (RSS) up to the end of the stage, and each enricher's own posts/s in memory, in
pipeline order (the first phrase-matching enricher, `products`, pays for tokenising; the others reuse it).
"""

import json
import resource
import tempfile
import time
from pathlib import Path

from config.settings import BrandSettings, load_settings, replay_target
from earshot.services.demo import CATALOG, REPLAY_FILES
from earshot.services.evaluation import catalog_context
from enrich.base import EnrichItem, PostView
from enrich.pipeline import enrich_pending, open_enrichers
from listener.run import collect
from storage.engine import make_engine, session_scope
from storage.imports.catalog import import_catalog, read_catalog
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
    """Posts/s of each enricher alone over the same posts, in memory (after the ones before it in the config)."""
    context = catalog_context(settings, CATALOG)
    items = [EnrichItem(post=post) for post in posts]
    rates = {}
    for enricher in open_enrichers(settings.enrich.enrichers, context):
        began = time.perf_counter()
        for start in range(0, len(items), settings.enrich.batch_size):
            enricher.enrich(items[start : start + settings.enrich.batch_size])
        rates[enricher.name] = round(len(items) / (time.perf_counter() - began))
    return rates


def vader_alone(texts: list[str]) -> float:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    began = time.perf_counter()
    for text in texts:
        analyzer.polarity_scores(text)
    return time.perf_counter() - began


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
        collect(engine, settings)
        began = time.perf_counter()
        result = enrich_pending(engine, settings)
        pipeline = time.perf_counter() - began
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the stage's peak, before the extras
        assert result.counts["enriched"] == count, result.counts
        vader = vader_alone(texts)
        posts = [PostView(id=n, platform="x", author_id=0, text=text) for n, text in enumerate(texts)]
        rates = per_enricher(settings, posts)
        engine.dispose()
    return {
        "posts": count,
        "enrichers": list(settings.enrich.enrichers),
        "sentiment_backend": settings.enrich.sentiment,
        "pipeline_posts_per_s": round(count / pipeline),
        "vader_alone_posts_per_s": round(count / vader),
        "ratio_to_vader": round(pipeline / vader, 2),
        "peak_rss_mb": round(peak_mb),
        "per_enricher_posts_per_s": rates,
    }
