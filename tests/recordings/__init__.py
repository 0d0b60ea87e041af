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


SENT: list = []  # the requests the client code actually made and a recording answered, newest last


def observe(actual, recorded) -> None:
    """Not a condition: keeps the actual request (body included) so tests can check what the client sent."""
    if not SENT or SENT[-1] is not actual:
        SENT.append(actual)


player = vcr.VCR(
    record_mode="none",
    match_on=["method", "scheme", "host", "path", "recorded_params", "observe"],
    decode_compressed_response=True,  # gzip bodies in recordings are served decoded (urllib3 2 does not decode them)
)
player.register_matcher("recorded_params", recorded_params_present)
player.register_matcher("observe", observe)


def play(path: Path, **options) -> AbstractContextManager:
    """Serve the exchanges in `path` (YAML as vcrpy writes it, or JSON as praw's test suite does), in order."""
    serializer = "json" if path.suffix == ".json" else "yaml"
    return player.use_cassette(str(path), serializer=serializer, **options)
