"""Spike detection on synthetic count series: real spikes are caught at once and alert once, noise and trends stay
quiet, check_latest agrees with detect, and a long seasonal series reports detection delay and false alarms."""

import math
from dataclasses import dataclass

import numpy as np
import pytest

from analytics.spikes import Spike, SpikeRule, check_latest, detect

HOURLY_SEASONAL = SpikeRule(season_windows=24, baseline_windows=14)  # the same hour on the previous 14 days


def poisson(rate: float | np.ndarray, windows: int, seed: int) -> np.ndarray:
    """Counts drawn from a Poisson rate (a number, or one rate per window)."""
    return np.random.default_rng(seed).poisson(rate, windows)


def daily_rates(windows: int, base: float = 20.0) -> np.ndarray:
    """Hourly rates with a daily shape: base x (1 + 0.6 sin(hour)), so 8 in the trough and 32 at the peak for 20."""
    hours = np.arange(windows) % 24
    return base * (1 + 0.6 * np.sin(2 * np.pi * hours / 24))


def with_counts(series: np.ndarray, at: int, counts: list[int]) -> np.ndarray:
    spiked = series.copy()
    spiked[at: at + len(counts)] = counts
    return spiked


def replay_hourly(series: np.ndarray, rule: SpikeRule) -> list[Spike]:
    """What the hourly job raises: check_latest on every prefix, remembering its last alert."""
    alerts: list[Spike] = []
    for end in range(1, len(series) + 1):
        spike = check_latest(series[:end], rule, last_alert_index=alerts[-1].index if alerts else None)
        if spike:
            alerts.append(spike)
    return alerts


@pytest.mark.parametrize(("burst", "delay"), [([80], 0), ([80, 80, 80], 0), ([30, 80, 70], 1)],
                         ids=["one-window", "three-windows", "ramp"])
def test_a_real_spike_alerts_within_one_window_and_only_once(burst: list[int], delay: int) -> None:
    series = with_counts(poisson(20, 160, seed=2), 100, burst)
    spikes = detect(series, SpikeRule())
    # the ramp's first window (30, 1.5x) is below min_ratio, so its first spiking window is the second;
    # the later spiking windows fall inside the cooldown
    assert [spike.index for spike in spikes] == [100 + delay]
    assert spikes[0].count == 80 and 15 <= spikes[0].baseline <= 25


@pytest.mark.parametrize("rate", [2, 20, 200])
def test_steady_noise_stays_below_one_false_alarm_per_2000_windows(rate: float) -> None:
    series = poisson(rate, 5_000, seed=rate)
    # measured over 100 seeds: about 1 per 8,000 windows at rate 20, 1 per 70,000 at 2, none at 200
    assert len(detect(series, SpikeRule())) <= len(series) // 2_000


@pytest.mark.parametrize(("rule", "allowed"), [(SpikeRule(), 0), (HOURLY_SEASONAL, 1)], ids=["rolling", "seasonal"])
@pytest.mark.parametrize(("start", "end"), [(20, 60), (60, 20)], ids=["growth", "decline"])
def test_a_slow_trend_raises_no_alert(rule: SpikeRule, allowed: int, start: float, end: float) -> None:
    series = poisson(np.linspace(start, end, 2_000), 2_000, seed=3)
    # the rolling median follows the trend at once (measured: 9 alerts in 800,000 windows); the seasonal one lags
    # by a week, which on this 3x growth adds up to about 1 alert per 9,000 windows, so one is tolerated there
    assert len(detect(series, rule)) <= allowed


def test_a_quiet_series_never_alerts_because_of_min_volume() -> None:
    quiet = np.random.default_rng(4).choice([0, 1, 2], size=3_000, p=[0.6, 0.3, 0.1])
    for at in range(100, 3_000, 400):
        quiet[at] = 9  # many times the baseline, but under min_volume
    assert detect(quiet, SpikeRule()) == []
    held_back = {spike.index for spike in detect(quiet, SpikeRule(min_volume=0))} & set(range(100, 3_000, 400))
    assert len(held_back) >= 4  # without min_volume most of those 9s alert: min_volume is what held them


@pytest.mark.parametrize(("gap", "alerts"), [(4, 1), (6, 1), (7, 2), (10, 2)])
def test_cooldown_keeps_close_spikes_to_one_alert(gap: int, alerts: int) -> None:
    series = with_counts(with_counts(poisson(20, 200, seed=5), 100, [80]), 100 + gap, [80])
    rule = SpikeRule(cooldown_windows=6)
    assert [spike.index for spike in detect(series, rule)] == [100, 100 + gap][:alerts]


@pytest.mark.parametrize(("field", "value"), [
    ("sensitivity", 0), ("sensitivity", -1.0), ("sensitivity", math.nan), ("min_volume", -1),
    ("baseline_windows", 2), ("cooldown_windows", -1), ("min_ratio", 0.5), ("season_windows", 0),
])
def test_an_invalid_rule_names_its_field(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"SpikeRule.{field} "):
        SpikeRule(**{field: value})


@pytest.mark.parametrize("rule", [SpikeRule(), SpikeRule(season_windows=24, baseline_windows=7)],
                         ids=["rolling", "seasonal"])
def test_check_latest_on_every_prefix_reproduces_detect(rule: SpikeRule) -> None:
    series = poisson(daily_rates(700), 700, seed=6)
    for at, burst in [(200, [90]), (204, [90]), (300, [70, 90, 60]), (450, [100]), (460, [100]), (699, [120])]:
        series = with_counts(series, at, burst)
    expected = detect(series, rule)
    assert len(expected) >= 4
    assert replay_hourly(series, rule) == expected  # same windows, same floats


def test_check_latest_ignores_a_rerun_and_respects_the_cooldown() -> None:
    series = with_counts(poisson(20, 60, seed=7), 59, [90])
    rule = SpikeRule(cooldown_windows=6)
    assert check_latest(series, rule).index == 59
    assert check_latest(series, rule, last_alert_index=59) is None  # the same hour judged twice
    assert check_latest(series, rule, last_alert_index=53) is None  # 6 windows after an alert: still cooling down
    assert check_latest(series, rule, last_alert_index=52).index == 59


def test_windows_without_a_full_baseline_are_not_judged() -> None:
    rule = SpikeRule(baseline_windows=24)
    assert detect([0] * 23 + [500], rule) == [] and check_latest([0] * 23 + [500], rule) is None
    assert [spike.index for spike in detect([0] * 24 + [500], rule)] == [24]
    assert detect([], rule) == [] and check_latest([], rule) is None


@pytest.mark.parametrize("series", [[1, 2, -1], [[1, 2], [3, 4]]], ids=["negative", "two-dimensional"])
def test_a_malformed_series_is_refused(series: list) -> None:
    with pytest.raises(ValueError, match="series"):
        detect(series, SpikeRule())


def test_describe_is_one_human_line() -> None:
    spike = Spike(index=5, count=42, baseline=8.5, scale=1.0, score=6.14)
    assert spike.describe() == "42 posts in the window against a baseline of 8.5 (score 6.1)"


@dataclass
class Injected:
    start: int
    size: float  # multiple of the hour's expected rate
    windows: int


@dataclass
class Scorecard:
    """How a rule did on a series with known injected spikes."""

    delays: dict[int, int]  # injected start -> windows from injection to alert, for the caught ones
    missed: list[Injected]
    false_alarms: int

    def line(self, name: str, injected: list[Injected], windows: int) -> str:
        by_size = ", ".join(f"{size:g}x {sum(i.start in self.delays for i in injected if i.size == size)}/"
                            f"{sum(i.size == size for i in injected)}" for size in sorted({i.size for i in injected}))
        delays = list(self.delays.values())
        return (f"{name}: caught {len(delays)}/{len(injected)} ({by_size}), delay 0 for {delays.count(0)}, "
                f"max {max(delays, default=0)} windows; false alarms {self.false_alarms} in {windows:,} windows")


def score(spikes: list[Spike], injected: list[Injected]) -> Scorecard:
    delays: dict[int, int] = {}
    false_alarms = 0
    for spike in spikes:
        hit = next((i for i in injected if i.start <= spike.index < i.start + i.windows), None)
        if hit is None:
            false_alarms += 1
        else:
            delays.setdefault(hit.start, spike.index - hit.start)
    return Scorecard(delays, [i for i in injected if i.start not in delays], false_alarms)


def test_long_seasonal_series_report(capsys: pytest.CaptureFixture[str]) -> None:
    """20 spikes of 2x-6x the hour's rate, 1-3 windows long, in 10,000 hours of daily-seasonal Poisson noise."""
    windows, rng = 10_000, np.random.default_rng(9)
    rates = daily_rates(windows)
    series = rng.poisson(rates)
    sizes = rng.permutation(np.repeat([2.0, 3.0, 4.0, 5.0, 6.0], 4))
    starts = 500 + np.arange(20) * 470 + rng.integers(0, 24, 20)  # every hour of day gets its turn
    injected = [Injected(int(start), float(size), 1 + n % 3) for n, (start, size) in enumerate(zip(starts, sizes))]
    for spike in injected:
        span = slice(spike.start, spike.start + spike.windows)
        series[span] = rng.poisson(spike.size * rates[span])

    seasonal = score(detect(series, HOURLY_SEASONAL), injected)
    rolling = score(detect(series, SpikeRule()), injected)
    with capsys.disabled():
        print(f"\nspike report, {windows:,} hourly windows, daily shape 8-32 posts/h, 20 injected spikes 2x-6x:")
        print("  " + seasonal.line("seasonal baseline (same hour, 14 days)", injected, windows))
        print("  " + rolling.line("rolling baseline (last 24 windows)    ", injected, windows))

    # Bounds that hold for ~99% of seeds (measured over 100): 5x and 6x are always caught at once, 4x 99%, 3x 90%
    # (a 3x trough hour is 24 posts against 8, and Poisson noise sometimes lands it under the threshold), 2x about
    # half; steady noise alerts about 0.8 times per 10,000 windows.
    big = [i for i in injected if i.size >= 3]
    assert all(seasonal.delays.get(i.start, 99) <= 1 for i in big if i.size >= 4)  # 4x+ within one window
    assert sum(seasonal.delays.get(i.start) == 0 for i in big) >= len(big) - 2  # 3x+ nearly all at once
    assert seasonal.false_alarms <= 3
    assert len(seasonal.delays) > len(rolling.delays)  # why hourly series want the seasonal baseline
