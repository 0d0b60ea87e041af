"""Parse human durations such as "90s", "5m", "2h", "1d" (used for intervals and SLAs)."""

import re
from datetime import timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


def parse_duration(value: object) -> timedelta:
    """Accept a timedelta, a number of seconds, or a string like "5m"; reject anything else."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return timedelta(seconds=value)
    if isinstance(value, str):
        match = _PATTERN.match(value)
        if match and float(match.group(1)) > 0:
            return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
    raise ValueError(f"must be a duration like 30s, 5m, 2h or 1d (got {value!r})")
