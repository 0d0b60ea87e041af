"""The trend buckets kept current: after enrichment, the hours whose posts were (re-)enriched are counted again.

Run by the scheduler's drain job and by `earshot trends` before it answers; `earshot trends --rebuild` counts every
hour again (after changing the brand's name or competitors, or to pick up customers' current segment and lifecycle
stage in old hours: a customer dimension holds the values as of when its hour was last counted)."""

from collections import Counter
from datetime import timedelta

from sqlalchemy import Engine

from config.settings import Settings
from storage.engine import session_scope
from storage.repo.trend_buckets import hours_enriched_since, latest_enrichment, rebuild_span, spans, watermark
from storage.types import utcnow

SPAN_HOURS = 24 * 7  # hours counted per transaction (each span is replaced whole, so a rerun is always safe)


def refresh_trends(engine: Engine, settings: Settings, *, rebuild: bool = False, on_span=None) -> Counter:
    counts: Counter = Counter()
    with session_scope(engine) as session:
        mark = watermark(session)
        since = None if rebuild else mark.enriched_through
        through = latest_enrichment(session)
        hours = hours_enriched_since(session, since=since)
    if through is None or not hours:
        return counts
    for start, end in spans(hours, longest=timedelta(hours=SPAN_HOURS)):
        with session_scope(engine) as session:
            rebuild_span(session, start=start, end=end, brand=settings.brand.name)
        counts["hours"] += int((end - start).total_seconds() // 3600)
        if on_span:
            on_span(start, end)
    with session_scope(engine) as session:
        mark = watermark(session)
        mark.enriched_through, mark.refreshed_at = through, utcnow()
        session.add(mark)
    return counts
