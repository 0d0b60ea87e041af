"""Alerts: a spike in posts per window (negative and total volume, per product and overall) or a single post gone
viral becomes an `alert` row and a PR queue item carrying the window, the baseline, the figure that crossed it and
the posts driving it. Every window of every series is judged once (`alert_check`), so a rerun raises nothing twice;
the first run judges all history, which is how a replayed file's spikes surface too."""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from analytics.rollup import refresh_trends
from analytics.spikes import Spike, SpikeRule, detect
from config.settings import AlertSettings, Settings
from engage.sla import due_time, hours_of
from storage.engine import session_scope
from storage.models import Alert
from storage.models.analytics import ALL
from storage.repo.alerts import (alert_exists, driving_posts, first_hour, hourly_counts, judged_through,
                                 mark_judged, raise_alert, recent_spikes, series_products, viral_candidates)
from storage.types import utcnow

HOUR = timedelta(hours=1)


def spike_rule(config: AlertSettings) -> SpikeRule:
    return SpikeRule(sensitivity=config.sensitivity, min_volume=config.min_volume,
                     baseline_windows=config.baseline_windows,
                     cooldown_windows=int(config.cooldown / config.window),
                     min_ratio=config.min_ratio,
                     season_windows=int(timedelta(days=1) / config.window) if config.baseline == "seasonal" else 1)


def check_alerts(engine: Engine, settings: Settings, *, now: datetime | None = None) -> Counter:
    """Judge every window completed since the last check, in every series; raise each spike and viral post once.

    One event, one alert: when several series spike in the same window, a product's series wins over the overall
    one, and negative volume over total volume (the others are judged, not raised)."""
    config = settings.alerts
    counts: Counter = Counter()
    if not config.enabled:
        return counts
    refresh_trends(engine, settings)
    now = now or utcnow()
    with session_scope(engine) as session:
        products = [ALL] + (sorted(series_products(session)) if config.per_product else [])
        found: list[Found] = []
        judged: list[tuple[str, datetime]] = []
        for product in products:
            for measure in config.measures:
                spikes, through, windows = _judge_series(session, settings, product=product, measure=measure,
                                                         now=now)
                found += spikes
                counts["windows"] += windows
                if through is not None:
                    judged.append((f"{measure}:{product}", through))
        earlier = recent_spikes(session, since=min((f.window_start for f in found), default=now) - config.cooldown)
        for spike in _one_per_event(found, earlier=earlier, cooldown=config.cooldown):
            _raise_spike(session, settings, spike, now=now)
            counts["spikes"] += 1
        for series, through in judged:
            mark_judged(session, series=series, through=through)
    counts += _check_viral(engine, settings, now=now)
    return counts


@dataclass(frozen=True)
class Found:
    spike: Spike
    product: str
    measure: str
    window_start: datetime

    @property
    def series(self) -> str:
        return f"{self.measure}:{self.product}"


def _one_per_event(found: list[Found], *, earlier: list[tuple[str, datetime]], cooldown: timedelta) -> list[Found]:
    """In each window a product's series wins over the overall one and negative over total volume; and within the
    cooldown after an alert, the same product, or anything when either is the overall series, stays quiet."""
    raised = list(earlier)  # (product or '*', window start)
    chosen = []
    for window_start in sorted({f.window_start for f in found}):
        here = [f for f in found if f.window_start == window_start]
        specific = [f for f in here if f.product != ALL] or here
        for product in sorted({f.product for f in specific}):
            quiet = any(window_start - at < cooldown and (other == product or ALL in (product, other))
                        for other, at in raised if at <= window_start)
            if quiet:
                continue
            of_product = [f for f in specific if f.product == product]
            chosen.append(next((f for f in of_product if f.measure == "negative"), of_product[0]))
            raised.append((product, window_start))
    return chosen


def _judge_series(session, settings: Settings, *, product: str, measure: str, now: datetime
                  ) -> tuple[list[Found], datetime | None, int]:
    """The spikes in the windows of one series not judged yet, how far that reaches, and how many windows."""
    config, rule = settings.alerts, spike_rule(settings.alerts)
    window = config.window
    series = f"{measure}:{product}"
    start = judged_through(session, series=series) or _floor(first_hour(session, product=product), window)
    end = _floor(now, window)  # the last complete window ends here
    if start is None or start >= end:
        return [], None, 0
    history = start - rule.history_windows * window
    values = [0] * int((end - history) / window)
    for hour, count in hourly_counts(session, product=product, measure=measure, start=history, end=end).items():
        values[int((hour - history) / window)] += count
    first_new = int((start - history) / window)
    spikes = [Found(spike, product, measure, history + spike.index * window) for spike in detect(values, rule)
              if spike.index >= first_new]
    return ([f for f in spikes if not alert_exists(session, series=f.series, window_start=f.window_start)],
            end, len(values) - first_new)


def _raise_spike(session, settings: Settings, found: Found, *, now: datetime) -> None:
    config, spike, product, measure = settings.alerts, found.spike, found.product, found.measure
    window_start = found.window_start
    window_end = window_start + config.window
    what = "negative posts" if measure == "negative" else "posts"
    about = "about " + product if product != ALL else "in total"
    hours = int(config.window / HOUR)
    summary = (f"Spike in {what} {about}: {spike.count} in {hours} h from {window_start:%Y-%m-%d %H:%M} UTC against a "
               f"baseline of {spike.baseline:.1f} (score {spike.score:.1f})")
    top = driving_posts(session, product=product, negative_only=measure == "negative", start=window_start,
                        end=window_end)
    alert = Alert(kind="spike", series=found.series, product=None if product == ALL else product, measure=measure,
                  window_start=window_start, window_end=window_end, count=spike.count, baseline=spike.baseline,
                  score=spike.score, top_posts=top, summary=summary, created_at=now)
    raise_alert(session, alert=alert, team=config.team, priority=config.priority,
                due_at=due_time(now, config.sla, hours_of(settings, config.team)),
                reasons=[summary, f"window {window_start:%Y-%m-%d %H:%M}–{window_end:%H:%M} UTC",
                         f"baseline {spike.baseline:.1f} {what} per window, threshold score {config.sensitivity}"],
                tags=["alert", "spike", measure], now=now)


def _check_viral(engine: Engine, settings: Settings, *, now: datetime) -> Counter:
    config = settings.alerts
    counts: Counter = Counter()
    with session_scope(engine) as session:
        for post_id, engagement, created_at in viral_candidates(session, threshold=config.viral_engagement):
            summary = (f"Viral post: {engagement:,} likes, reposts and replies (threshold "
                       f"{config.viral_engagement:,})")
            alert = Alert(kind="viral", series=f"post:{post_id}", window_start=created_at, window_end=now,
                          count=engagement, baseline=float(config.viral_engagement), top_posts=[post_id],
                          summary=summary, created_at=now)
            raise_alert(session, alert=alert, team=config.team, priority=config.priority,
                        due_at=due_time(now, config.sla, hours_of(settings, config.team)),
                        reasons=[summary], tags=["alert", "viral"], now=now)
            counts["viral"] += 1
    return counts


def _floor(moment: datetime | None, window: timedelta) -> datetime | None:
    if moment is None:
        return None
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((moment - epoch) // window) * window
