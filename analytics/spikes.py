"""Spike detection over a count series (posts per window, e.g. negative posts per hour for one product): pure
arithmetic, no store and no I/O, so the scheduled job, the CLI and the tests judge windows the same way.

How a window is judged. Its baseline is the median of the `baseline_windows` windows before it. Its score is measured
on the square-root scale, a(x) = 2 * sqrt(x + 3/8) (Anscombe's transform), where Poisson counts have a standard
deviation of about 1 whatever their rate:

    score = (a(count) - a(baseline)) / scale,  scale = max(1, 1.4826 * median |a(window) - a(baseline)|)

The floor of 1 is the Poisson noise itself (the same thing as a floor of sqrt(mean) on the count scale), so a quiet
series (0, 0, 1, 0, 2) is not judged by its tiny spread; the MAD term takes over for series burstier than Poisson.
The window is a spike when its count is at least `min_volume`, at least `min_ratio` x the baseline, and its score is
at least `sensitivity`.

Why these choices (measured on 200,000 windows of Poisson noise per rate, default rule otherwise):
- The square-root scale rather than (count - baseline) / max(MAD, sqrt(baseline)): low counts have a long right tail,
  and the count-scale score raised about 1 false alarm per 150-200 windows at rates 5-10; this one about 1 per
  10,000.
- Median and MAD rather than mean and standard deviation: a spike a few windows back moves neither, so a three-window
  spike neither hides the next one nor needs "exclude the flagged windows" state; and a slow trend moves the median
  along with it, so a trend raises no alert.
- Sensitivity 3.5 rather than 3: at 3 steady noise alerts about once per 1,500-2,000 windows at rates 3-15 (several
  false alarms a year per hourly series); at 3.5 about once per 8,000-12,000, while a clean 3x window still scores
  4.5 on a rate of 10 and 6.5 on a rate of 20. `min_ratio` cuts the rest at higher rates (none at rates 50 and 200).

Seasonality. With `season_windows` = 1 the baseline is the windows immediately before. Hourly traffic has a daily
shape, and against the last 24 hours the MAD swells with the daily swing, so a 3x spike in a trough hour goes unseen.
`season_windows` = 24 (or 168 for hour-of-week) compares a window with the same hour on the previous
`baseline_windows` days instead (14 works well: 7 raised twice the false alarms); tests/test_spikes.py prints both
baselines side by side on a seasonal series. It needs `baseline_windows` x `season_windows` windows of history, and
windows before a full baseline exists are never judged: a median of a handful of windows is too noisy to trust.

Cooldown. After an alert at window a, windows a+1 .. a+cooldown_windows never alert, so one spike raises one alert.
A level shift that outlasts the cooldown can alert again until the rolling median catches up (after about half of
`baseline_windows`); that is deliberate, a step change that lasts is news again.

`detect` judges a whole series; `check_latest` judges only its last window, which is what an hourly job calls. Both go
through `_judge`, so check_latest on every prefix reproduces detect exactly. Negative and total volume, per product
and overall, are simply different series: the caller builds them and keeps `last_alert_index` per series.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

MAD_TO_SIGMA = 1.4826  # MAD x this estimates the standard deviation of normal-ish data


class _Judged(NamedTuple):
    """What `_judge` found for a run of windows, one array entry per window."""

    baseline: np.ndarray
    scale: np.ndarray
    score: np.ndarray
    spike: np.ndarray


@dataclass(frozen=True)
class SpikeRule:
    """How unusual a window must be to alert; one rule per series kind, read from config."""

    sensitivity: float = 3.5  # how many standard deviations (square-root scale) above the baseline is a spike
    min_volume: int = 10  # a window with fewer posts never alerts
    baseline_windows: int = 24  # how many earlier windows (at the same phase of the season) form the baseline
    cooldown_windows: int = 6  # after an alert the series stays quiet this many windows: one spike, one alert
    min_ratio: float = 2.0  # the window must also be at least this multiple of the baseline
    season_windows: int = 1  # 1: the windows just before; 24: the same hour of previous days; 168: of previous weeks

    def __post_init__(self) -> None:
        bounds = (
            ("sensitivity", self.sensitivity > 0, "> 0"),
            ("min_volume", self.min_volume >= 0, ">= 0"),
            ("baseline_windows", self.baseline_windows >= 3, ">= 3"),
            ("cooldown_windows", self.cooldown_windows >= 0, ">= 0"),
            ("min_ratio", self.min_ratio >= 1, ">= 1"),
            ("season_windows", self.season_windows >= 1, ">= 1"),
        )
        for field, ok, bound in bounds:  # a comparison that must hold, so NaN fails too
            if not ok:
                raise ValueError(f"SpikeRule.{field} must be {bound}, got {getattr(self, field)!r}")

    @property
    def history_windows(self) -> int:
        """How many windows must come before a window for it to be judged."""
        return self.baseline_windows * self.season_windows


@dataclass(frozen=True)
class Spike:
    """One alerting window: where it is, what it held, and what was expected."""

    index: int  # position of the window in the series
    count: int
    baseline: float  # the expected count (median of the baseline windows)
    scale: float  # the baseline's spread on the square-root scale: 1 for Poisson noise, more for a burstier series
    score: float  # (a(count) - a(baseline)) / scale, a(x) = 2 * sqrt(x + 3/8)

    def describe(self) -> str:
        """One line for an alert, e.g. '42 posts in the window against a baseline of 8.5 (score 6.1)'."""
        posts = "post" if self.count == 1 else "posts"
        return f"{self.count} {posts} in the window against a baseline of {self.baseline:.1f} (score {self.score:.1f})"


def detect(series: Sequence[int], rule: SpikeRule) -> list[Spike]:
    """Every spike in a whole series, oldest first, with the cooldown applied."""
    counts = _as_counts(series)
    first = rule.history_windows
    if len(counts) <= first:
        return []
    span = (rule.baseline_windows - 1) * rule.season_windows + 1
    histories = sliding_window_view(counts, span)[: len(counts) - first, :: rule.season_windows]
    judged = _judge(histories, counts[first:], rule)
    spikes: list[Spike] = []
    for offset in np.flatnonzero(judged.spike):
        index = first + int(offset)
        if not spikes or index - spikes[-1].index > rule.cooldown_windows:
            spikes.append(_spike(index, counts, judged, int(offset)))
    return spikes


def check_latest(series: Sequence[int], rule: SpikeRule, *, last_alert_index: int | None = None) -> Spike | None:
    """Judge only the last window (the hourly job's call); `last_alert_index` is this series' last alert, if any.
    A rerun for a window that already alerted (last_alert_index == its index) returns None, so reruns are harmless."""
    counts = _as_counts(series)
    index = len(counts) - 1
    if index < rule.history_windows:
        return None
    if last_alert_index is not None and index - last_alert_index <= rule.cooldown_windows:
        return None
    step = rule.season_windows
    history = counts[index - rule.history_windows: index - step + 1: step]
    judged = _judge(history[np.newaxis, :], counts[index:], rule)
    return _spike(index, counts, judged, 0) if judged.spike[0] else None


def _as_counts(series: Sequence[int]) -> np.ndarray:
    counts = np.asarray(series, dtype=np.int64)
    if counts.ndim != 1:
        raise ValueError(f"a count series must be one-dimensional, got shape {counts.shape}")
    if counts.size and counts.min() < 0:
        raise ValueError(f"a count series cannot hold negative counts, got {int(counts.min())}")
    return counts


def _judge(histories: np.ndarray, counts: np.ndarray, rule: SpikeRule) -> _Judged:
    """Baseline, scale, score and is-spike for each row of `histories` (its baseline windows) against `counts`."""
    baseline = np.median(histories.astype(np.float64), axis=1)
    centre = _root(baseline)
    mad = np.median(np.abs(_root(histories) - centre[:, np.newaxis]), axis=1)
    scale = np.maximum(MAD_TO_SIGMA * mad, 1.0)
    score = (_root(counts) - centre) / scale
    spike = (counts >= rule.min_volume) & (counts >= rule.min_ratio * baseline) & (score >= rule.sensitivity)
    return _Judged(baseline, scale, score, spike)


def _root(counts: np.ndarray) -> np.ndarray:
    """Anscombe's transform: Poisson counts come out with a standard deviation of about 1 at any rate."""
    return 2.0 * np.sqrt(counts + 0.375)


def _spike(index: int, counts: np.ndarray, judged: _Judged, row: int) -> Spike:
    return Spike(index=index, count=int(counts[index]), baseline=float(judged.baseline[row]),
                 scale=float(judged.scale[row]), score=float(judged.score[row]))
