"""Retrying platform API calls: wait out rate limits (bounded), back off with jitter on transient errors.

Each platform says how to read its exceptions (`classify`); tenacity does the retrying. When the limit of
attempts or of waiting is reached, `GaveUp` ends this run for the target and its cursor stays where it was.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import tenacity

from config.errors import EarshotError
from config.settings import CollectSettings

T = TypeVar("T")


def _sleep(seconds: float) -> None:
    time.sleep(seconds)  # looked up at call time, so tests can patch time.sleep


@dataclass(frozen=True)
class Failure:
    """How a platform error should be treated: rate limited (wait `wait_seconds`) or transient."""

    reason: str
    rate_limited: bool = False
    wait_seconds: float | None = None


class GaveUp(EarshotError):
    """Retries or the allowed wait ran out; collection for this target stops until the next run."""


@dataclass(frozen=True)
class RetryPolicy:
    retries: int
    backoff_seconds: float
    max_rate_limit_wait: float

    @classmethod
    def from_settings(cls, collect: CollectSettings) -> "RetryPolicy":
        return cls(collect.retries, collect.backoff_seconds, collect.max_rate_limit_wait.total_seconds())


def call_with_retries(
    call: Callable[[], T],
    *,
    policy: RetryPolicy,
    classify: Callable[[BaseException], Failure | None],
    what: str,
    sleep: Callable[[float], None] | None = None,
) -> T:
    """Run `call`; retry what `classify` recognises, re-raise anything else."""
    backoff = tenacity.wait_random_exponential(multiplier=policy.backoff_seconds, max=policy.backoff_seconds * 32)

    def wait(state: tenacity.RetryCallState) -> float:
        failure = classify(state.outcome.exception())
        if failure and failure.rate_limited and failure.wait_seconds is not None:
            return max(0.0, failure.wait_seconds)
        return backoff(state)

    def retryable(exc: BaseException) -> bool:
        failure = classify(exc)
        if failure is None:
            return False
        if failure.rate_limited and (failure.wait_seconds or 0) > policy.max_rate_limit_wait:
            return False
        return True

    try:
        return tenacity.Retrying(
            stop=tenacity.stop_after_attempt(policy.retries + 1),
            wait=wait,
            retry=tenacity.retry_if_exception(retryable),
            sleep=sleep or _sleep,
            reraise=True,
        )(call)
    except Exception as exc:
        failure = classify(exc)
        if failure is None:
            raise
        if failure.rate_limited and (failure.wait_seconds or 0) > policy.max_rate_limit_wait:
            raise GaveUp(
                f"{what}: rate limited for {failure.wait_seconds:.0f}s more, beyond the "
                f"{policy.max_rate_limit_wait:.0f}s allowed; the next run continues from the same cursor"
            ) from exc
        raise GaveUp(
            f"{what}: {failure.reason} after {policy.retries + 1} attempts; "
            "the next run continues from the same cursor"
        ) from exc
