"""Recorded platform API traffic, played to the real tweepy and praw client code (vcrpy, never recording)."""

from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import vcr

HERE = Path(__file__).parent


def recorded_params_present(actual, recorded) -> None:
    """Every query parameter of the recording must be in the request (extra request parameters are fine)."""
    wanted = dict(parse_qsl(urlsplit(recorded.uri).query, keep_blank_values=True))
    sent = dict(parse_qsl(urlsplit(actual.uri).query, keep_blank_values=True))
    different = {key: (sent.get(key), value) for key, value in wanted.items() if sent.get(key) != value}
    assert not different, f"query parameters differ (sent, recorded): {different}"


player = vcr.VCR(
    record_mode="none",
    match_on=["method", "scheme", "host", "path", "recorded_params"],
    decode_compressed_response=True,  # gzip bodies in recordings are served decoded (urllib3 2 does not decode them)
)
player.register_matcher("recorded_params", recorded_params_present)


def play(path: Path, **options) -> AbstractContextManager:
    """Serve the exchanges in `path` (YAML as vcrpy writes it, or JSON as praw's test suite does), in order."""
    serializer = "json" if path.suffix == ".json" else "yaml"
    return player.use_cassette(str(path), serializer=serializer, **options)
