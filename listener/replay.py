"""The replay collector: reads posts from JSON Lines files in the replay schema (see the README)."""

import glob
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from config.targets import ReplayTarget
from listener.base import CollectContext, CollectedBatch, Collector, collectors
from listener.records import AuthorRecord, PostRecord


class ReplayAuthor(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=64)
    handle: str | None = Field(default=None, max_length=64)
    name: str | None = None
    bio: str | None = None
    location: str | None = None
    followers: int = Field(default=0, ge=0, le=2**53)
    verified: bool = False


class ReplayMetrics(BaseModel):
    model_config = ConfigDict(extra="allow")

    likes: int = Field(default=0, ge=0, le=2**53)
    reposts: int = Field(default=0, ge=0, le=2**53)
    replies: int = Field(default=0, ge=0, le=2**53)


class ReplayLine(BaseModel):
    """One line of a replay file."""

    model_config = ConfigDict(extra="allow")

    platform: str = Field(min_length=1, max_length=16)
    id: str = Field(min_length=1, max_length=64)
    created_at: datetime
    text: str
    title: str | None = None
    kind: Literal["post", "comment"] = "post"
    lang: str | None = None
    url: str | None = None
    reply_to: str | None = None
    conversation_id: str | None = None
    metrics: ReplayMetrics = Field(default_factory=ReplayMetrics)
    author: ReplayAuthor

    def to_record(self, raw: dict[str, Any]) -> PostRecord:
        return PostRecord(
            platform=self.platform,
            external_id=self.id,
            author=AuthorRecord(
                platform=self.platform,
                external_id=self.author.id,
                handle=self.author.handle,
                display_name=self.author.name,
                bio=self.author.bio,
                location=self.author.location,
                followers=self.author.followers,
                verified=self.author.verified,
            ),
            text=self.text,
            title=self.title,
            kind=self.kind,
            created_at=self.created_at,
            url=self.url,
            language=self.lang,
            reply_to=self.reply_to,
            conversation_id=self.conversation_id or self.id,
            like_count=self.metrics.likes,
            share_count=self.metrics.reposts,
            reply_count=self.metrics.replies,
            raw=raw,
        )


def parse_line(line: bytes) -> PostRecord:
    """Parse one replay line; raises ValueError with a short reason."""
    try:
        raw = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not valid JSON ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(raw, dict):
        raise ValueError("a line must be a JSON object")
    try:
        return ReplayLine.model_validate(raw).to_record(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(line)"
        raise ValueError(f"{field}: {first['msg']}") from None


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
