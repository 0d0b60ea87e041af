"""The replay collector: reads posts from JSON Lines files in the replay schema (see the README)."""

import glob
from collections.abc import Iterator
from pathlib import Path

import orjson
from pydantic import ValidationError

from config.targets import ReplayTarget
from listener.base import CollectContext, CollectedBatch, Collector, collectors
from listener.records import PostRecord


# Replay field -> PostRecord field, where the names differ (for error messages in the file's own terms).
_REPLAY_NAMES = {
    "external_id": "id", "language": "lang", "like_count": "metrics.likes", "share_count": "metrics.reposts",
    "reply_count": "metrics.replies", "author.external_id": "author.id", "author.display_name": "author.name",
}


def parse_line(line: bytes) -> PostRecord:
    """Parse one replay line (schema in the README) into a record, validated once; ValueError says why not."""
    try:
        raw = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise ValueError("a line must be a JSON object")
    author, metrics = raw.get("author"), raw.get("metrics") or {}
    if not isinstance(author, dict):
        raise ValueError("author: must be an object with at least an id" if author is not None else "author: Field required")
    if not isinstance(metrics, dict):
        raise ValueError("metrics: must be an object")
    platform = raw.get("platform")
    try:
        return PostRecord.model_validate({
            "platform": platform,
            "external_id": raw.get("id"),
            "author": {
                "platform": platform, "external_id": author.get("id"), "handle": author.get("handle"),
                "display_name": author.get("name"), "bio": author.get("bio"), "location": author.get("location"),
                "followers": author.get("followers", 0), "verified": author.get("verified", False),
            },
            "text": raw.get("text"),
            "title": raw.get("title"),
            "kind": raw.get("kind", "post"),
            "created_at": raw.get("created_at"),
            "url": raw.get("url"),
            "language": raw.get("lang"),
            "reply_to": raw.get("reply_to"),
            "conversation_id": raw.get("conversation_id") or raw.get("id"),
            "like_count": metrics.get("likes", 0),
            "share_count": metrics.get("reposts", 0),
            "reply_count": metrics.get("replies", 0),
            "raw": raw,
        })
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "(line)"
        message = "Field required" if error["type"] in {"string_type", "missing"} and error.get("input") is None else error["msg"]
        raise ValueError(f"{_REPLAY_NAMES.get(field, field)}: {message}") from None


@collectors.register
class ReplayCollector(Collector):
    """Reads each file from the byte offset the cursor remembers, so appended lines are picked up."""

    name = "replay"
    target: ReplayTarget

    def files(self) -> list[Path]:
        found: set[Path] = set()
        for pattern in self.target.path:
            matches = glob.glob(pattern) if glob.has_magic(pattern) else [pattern]
            found.update(Path(match) for match in matches if Path(match).is_file())
        return sorted(found)

    def missing_paths(self) -> list[str]:
        return [p for p in self.target.path if not glob.has_magic(p) and not Path(p).is_file()]

    def batches(self, context: CollectContext) -> Iterator[CollectedBatch]:
        offsets: dict[str, int] = dict(context.cursor.get("offsets", {}))
        batch_size = self.settings.collect.batch_size
        for missing in self.missing_paths():
            yield CollectedBatch([], {"offsets": offsets}, [f"{missing}: file not found; check the target's path"])
        for path in self.files():
            yield from self._read_file(path, offsets, batch_size)

    def _read_file(self, path: Path, offsets: dict[str, int], batch_size: int) -> Iterator[CollectedBatch]:
        key = str(path.resolve())
        start = offsets.get(key, 0)
        if start > path.stat().st_size:
            start = 0  # the file was replaced by a shorter one: read it again (duplicates are dropped)
        records: list[PostRecord] = []
        problems: list[str] = []
        fetched = 0
        with path.open("rb") as handle:
            handle.seek(start)
            line_number = _line_number_at(path, start) if start else 0
            for line in handle:
                line_number += 1
                if not line.strip():
                    start += len(line)
                    continue
                try:
                    record = parse_line(line)
                except ValueError as exc:
                    if not line.endswith(b"\n"):
                        break  # most likely a line still being written: read it next time
                    record = None
                    problems.append(f"{path}:{line_number}: {exc}")
                start += len(line)
                fetched += 1
                if record is not None:
                    records.append(record)
                if fetched >= batch_size:
                    offsets[key] = start
                    yield CollectedBatch(records, {"offsets": dict(offsets)}, problems, fetched)
                    records, problems, fetched = [], [], 0
        offsets[key] = start
        yield CollectedBatch(records, {"offsets": dict(offsets)}, problems, fetched)


def _line_number_at(path: Path, offset: int) -> int:
    with path.open("rb") as handle:
        return handle.read(offset).count(b"\n")
