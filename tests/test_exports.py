"""`earshot export`: every format read back, personal fields only for an admin or analyst (and audited), filters,
small batches, and an interrupted export that leaves no file behind."""

import csv
import io
import os
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from analytics.exports import ExportError
from analytics.exports.filters import ExportFilters
from analytics.exports.formats import JsonLines, formats
from analytics.exports.sources import Posts, Queue, Trends
from analytics.trends import TrendQuery, trend
from earshot.cli import app
from earshot.services.exports import export
from engage.router import route_pending
from enrich.pipeline import enrich_pending
from listener.run import collect
from storage.engine import make_engine, session_scope
from storage.imports.catalog import CatalogEntry, import_catalog
from storage.imports.customers import import_customers
from storage.migrate import ensure_current
from storage.models.engagement import AuditEvent
from storage.repo.staff import disable_user
from tests.factories import add_user, replay_line, replay_settings, write_jsonl

runner = CliRunner()
FORMULA = "=HYPERLINK(\"http://evil\") my pulse buds are great"
CUSTOMER = {"id": "C7", "name": "Maja Holm", "handles": {"x": "maja_h"},
            "products": [{"sku": "NV-A12", "purchased_at": "2025-03-01"}]}
MAJA = {"id": "m", "handle": "maja_h", "name": "Maja", "bio": "she/her | 34 y/o | nurse"}


def at(day: int, hour: int = 12) -> str:
    return f"2026-10-0{day}T{hour:02d}:00:00Z"


POSTS = [
    replay_line(1, text="my aura 12 battery died again, so disappointed", created_at=at(1), author=MAJA),
    replay_line(2, text=FORMULA, created_at=at(1, 13)),
    replay_line(3, text="the aura 12 pro screen cracked after a week, terrible", created_at=at(2)),
    replay_line(4, text="is the aura 12 waterproof?", created_at=at(2, 14)),
    replay_line(5, platform="reddit", id="r5", title="Pulse Buds review",
                text="great sound, love them", created_at=at(3)),
    *(replay_line(n, created_at=at(3, n)) for n in range(6, 13)),
]
NON_PERSONAL_POSTS = [c.name for c in Posts.columns if not c.personal]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory):
    """A store filled through collect, enrich and route; users of every role; a config file for the CLI."""
    folder = tmp_path_factory.mktemp("shop")
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("EARSHOT_")]:
            patch.delenv(name)
        settings = replay_settings(folder, [write_jsonl(folder / "posts.jsonl", POSTS)])
        engine = make_engine(settings.database_url)
        ensure_current(engine)
        with session_scope(engine) as session:
            import_catalog(session, entries=[
                CatalogEntry(sku="NV-A12", name="Nordvik Aura 12", aliases=["aura 12"]),
                CatalogEntry(sku="NV-A12P", name="Nordvik Aura 12 Pro", aliases=["aura 12 pro"]),
                CatalogEntry(sku="NV-PB2", name="Nordvik Pulse Buds", aliases=["pulse buds"])])
        import_customers(engine, write_jsonl(folder / "crm.jsonl", [CUSTOMER]))
        collect(engine, settings)
        enrich_pending(engine, settings)
        route_pending(engine, settings)
        for role in ("admin", "analyst", "support", "pr"):
            add_user(engine, role, role)
        add_user(engine, "gone", "analyst")
        with session_scope(engine) as session:
            disable_user(session, name="gone")
        config = folder / "cli.toml"
        config.write_text(f'database_url = "{settings.database_url}"\n', encoding="utf-8")
        yield settings, engine, config
        engine.dispose()


def cli(config: Path, *args: str):
    return runner.invoke(app, ["--config", str(config), "export", *args])


def read_back(path: Path, fmt: str) -> list[dict]:
    if fmt == "csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    if fmt == "jsonl":
        return [orjson.loads(line) for line in path.read_bytes().splitlines()]
    if fmt == "json":
        return orjson.loads(path.read_bytes())
    return pq.read_table(path).to_pylist()


def audits(engine, **detail) -> list[AuditEvent]:
    with session_scope(engine) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "export_personal")).all()
    return [e for e in events if all(e.detail.get(k) == v for k, v in detail.items())]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "parquet"])
def test_posts_in_every_format_read_back_with_their_columns(shop, tmp_path: Path, fmt: str) -> None:
    settings, engine, _ = shop
    out = tmp_path / f"posts.{fmt}"
    assert export(engine, settings, kind="posts", fmt=fmt, out=out, batch_size=5) == len(POSTS)
    rows = read_back(out, fmt)
    assert len(rows) == len(POSTS) and list(rows[0]) == NON_PERSONAL_POSTS
    assert [int(r["id"]) for r in rows] == sorted({int(r["id"]) for r in rows})
    first = rows[0]
    if fmt == "csv":
        assert (first["platform"], first["products"], first["complaint"]) == ("x", "NV-A12", "true")
        assert first["created_at"] == "2026-10-01T12:00:00+00:00"
    elif fmt == "parquet":
        schema = pq.read_schema(out)
        assert schema.field("created_at").type == pa.timestamp("us", tz="UTC")
        assert schema.field("products").type == pa.list_(pa.string())
        assert schema.field("likes").type == pa.int64() and schema.field("complaint").type == pa.bool_()
        assert pq.ParquetFile(out).metadata.num_row_groups == 3  # one per batch of 5
        assert first["created_at"] == datetime(2026, 10, 1, 12, tzinfo=UTC) and first["products"] == ["NV-A12"]
    else:
        assert first["created_at"].startswith("2026-10-01T12:00:00") and first["products"] == ["NV-A12"]
        assert first["complaint"] is True and first["sentiment"] == "negative"


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "parquet"])
def test_queue_and_trends_in_every_format(shop, tmp_path: Path, fmt: str) -> None:
    settings, engine, _ = shop
    queue = read_back(out := tmp_path / f"queue.{fmt}", fmt) if export(
        engine, settings, kind="queue", fmt=fmt, out=tmp_path / f"queue.{fmt}") else []
    assert queue and list(queue[0]) == [c.name for c in Queue.columns if not c.personal]
    assert {r["team"] for r in queue} == {"support"} and out.exists()
    count = export(engine, settings, kind="trends", fmt=fmt, out=tmp_path / f"trends.{fmt}",
                   filters=ExportFilters(group_by="platform"))
    points = read_back(tmp_path / f"trends.{fmt}", fmt)
    assert len(points) == count and list(points[0]) == [c.name for c in Trends.columns]
    with session_scope(engine) as session:
        expected = trend(session, TrendQuery(group_by="platform"))
    assert [(p["period"], p["group"], int(p["posts"])) for p in points] == [
        (p.period, p.group, p.posts) for p in expected]
    assert sum(int(p["posts"]) for p in points) == len(POSTS)


def test_a_stream_gets_the_export_too(shop) -> None:
    """What a web download does: write into any binary stream, even one that cannot seek."""
    settings, engine, _ = shop

    class WriteOnly(io.RawIOBase):
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, chunk) -> int:
            self.data += chunk
            return len(chunk)

    stream = WriteOnly()
    assert export(engine, settings, kind="posts", fmt="parquet", out=stream, batch_size=4) == len(POSTS)
    assert pq.read_table(pa.BufferReader(bytes(stream.data))).num_rows == len(POSTS)
    buffer = io.BytesIO()
    export(engine, settings, kind="posts", fmt="csv", out=buffer)
    assert not buffer.closed and buffer.getvalue().startswith(b"id,platform,external_id,")


def test_personal_fields_only_when_asked_by_an_analyst_and_audited(shop, tmp_path: Path) -> None:
    _, engine, config = shop
    plain = tmp_path / "plain.jsonl"
    assert cli(config, "posts", "--out", str(plain)).exit_code == 0
    assert not {c.name for c in Posts.columns if c.personal} & set(read_back(plain, "jsonl")[0])
    before = len(audits(engine))
    out = tmp_path / "personal.csv"
    result = cli(config, "posts", "--out", str(out), "--include-personal", "--as", "analyst")
    assert result.exit_code == 0, result.output
    assert "with personal fields" in result.output
    rows = read_back(out, "csv")
    assert list(rows[0]) == [c.name for c in Posts.columns]
    maja = rows[0]
    assert (maja["author_handle"], maja["customer_id"], maja["customer_name"]) == ("maja_h", "C7", "Maja Holm")
    assert (maja["age"], maja["pronouns"], maja["occupation"]) == ("34", "she/her", "nurse")
    assert rows[1]["text"] == "'" + FORMULA  # a spreadsheet shows it, never runs it
    assert out.stat().st_mode & 0o777 == 0o600
    events = audits(engine)
    assert len(events) == before + 1
    event = events[-1]
    assert (event.actor, event.detail["kind"], event.detail["format"]) == ("analyst", "posts", "csv")
    assert (event.detail["rows"], event.detail["completed"], event.detail["file"]) == (len(POSTS), True, str(out))
    queue = tmp_path / "queue.json"
    assert cli(config, "queue", "--out", str(queue), "--include-personal", "--as", "admin").exit_code == 0
    assert {"post_text", "author_handle", "customer_id"} <= set(read_back(queue, "json")[0])
    assert audits(engine, kind="queue")[-1].actor == "admin"


@pytest.mark.parametrize(("actor", "why"), [("support", "'support' is support"), ("gone", "'gone' is disabled"),
                                            ("nobody", "'nobody' is not a staff user")])
def test_personal_fields_are_refused_to_others_and_nothing_is_written(shop, tmp_path: Path, actor: str,
                                                                      why: str) -> None:
    _, engine, config = shop
    before = len(audits(engine))
    out = tmp_path / "personal.parquet"
    result = cli(config, "posts", "--out", str(out), "--include-personal", "--as", actor)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "admin or analyst" in lines[0] and why in lines[0]
    assert list(tmp_path.iterdir()) == [] and len(audits(engine)) == before


def test_filters_by_product_period_and_platform(shop, tmp_path: Path) -> None:
    _, _, config = shop
    everything = {r["id"]: r for r in read_back(_export(shop, tmp_path, "all.jsonl"), "jsonl")}
    named = _export(shop, tmp_path, "a12.jsonl", product="nv-a12")
    expected = sorted(i for i, r in everything.items() if "NV-A12" in r["products"])
    assert [r["id"] for r in read_back(named, "jsonl")] == expected
    assert any("NV-A12P" in r["products"] for r in everything.values())  # and those are not NV-A12's
    day2 = _export(shop, tmp_path, "day2.jsonl", since="2026-10-02", until="2026-10-03")
    assert [r["created_at"][:10] for r in read_back(day2, "jsonl")] == ["2026-10-02", "2026-10-02"]
    reddit = _export(shop, tmp_path, "reddit.jsonl", platform="reddit")
    assert [r["external_id"] for r in read_back(reddit, "jsonl")] == ["r5"]
    queue = tmp_path / "queue.jsonl"
    result = cli(config, "queue", "--out", str(queue), "--product", "NV-A12")
    assert result.exit_code == 0, result.output
    assert {everything[r["post_id"]]["products"][0] for r in read_back(queue, "jsonl")} == {"NV-A12"}
    trends = tmp_path / "trends.csv"
    result = cli(config, "trends", "--out", str(trends), "--interval", "week", "--product", "NV-PB2")
    assert result.exit_code == 0, result.output
    assert [(r["group"], r["posts"]) for r in read_back(trends, "csv")] == [("*", "2")]


def _export(shop, folder: Path, name: str, **filters: str) -> Path:
    _, _, config = shop
    options = [item for key, value in filters.items() for item in (f"--{key}", value)]
    result = cli(config, "posts", "--out", str(folder / name), *options)
    assert result.exit_code == 0, result.output
    return folder / name


def test_small_batches_yield_every_row_exactly_once(shop, tmp_path: Path) -> None:
    settings, engine, _ = shop
    sizes: list[int] = []
    totals: list[int] = []
    out = tmp_path / "posts.jsonl"
    rows = export(engine, settings, kind="posts", fmt="jsonl", out=out, batch_size=5,
                  on_total=totals.append, on_rows=sizes.append)
    ids = [r["id"] for r in read_back(out, "jsonl")]
    assert rows == totals[0] == len(POSTS) and sizes == [5, 5, 2]
    assert len(ids) == len(set(ids)) == len(POSTS)


def test_the_cli_shows_progress_and_takes_the_format_from_the_suffix(shop, tmp_path: Path) -> None:
    _, _, config = shop
    result = cli(config, "posts", "--out", str(tmp_path / "posts.parquet"), "--batch-size", "3")
    assert result.exit_code == 0, result.output
    assert "exporting posts" in result.output and f"exported {len(POSTS)} posts rows as parquet" in result.output
    assert pq.read_table(tmp_path / "posts.parquet").num_rows == len(POSTS)
    piped = cli(config, "trends", "--out", "-", "--format", "jsonl", "--by", "platform")
    assert piped.exit_code == 0, piped.output
    assert {orjson.loads(line)["group"] for line in piped.stdout.splitlines()} == {"x", "reddit"}
    unknown = cli(config, "posts", "--out", str(tmp_path / "posts.txt"))
    assert unknown.exit_code == 1 and "say which format with --format" in unknown.output
    bad = cli(config, "posts", "--out", str(tmp_path / "posts.txt"), "--format", "xml")
    assert bad.exit_code == 1 and "unknown export format 'xml'" in bad.output
    assert not (tmp_path / "posts.txt").exists()


def test_a_failure_mid_export_leaves_no_file_and_keeps_the_old_one(shop, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    settings, engine, config = shop
    written = JsonLines.write

    def fail_on_second_batch(self, rows):
        if getattr(self, "batches", 0):
            raise OSError("disk full")
        self.batches = 1
        written(self, rows)

    monkeypatch.setattr(JsonLines, "write", fail_on_second_batch)
    out = tmp_path / "posts.jsonl"
    with pytest.raises(OSError, match="disk full"):
        export(engine, settings, kind="posts", fmt="jsonl", out=out, batch_size=5)
    assert list(tmp_path.iterdir()) == []
    out.write_text("the export of yesterday\n")
    result = cli(config, "posts", "--out", str(out), "--batch-size", "5")
    assert result.exit_code == 1 and "disk full" in result.output
    assert list(tmp_path.iterdir()) == [out] and out.read_text() == "the export of yesterday\n"


def test_bad_requests_are_one_line_errors(shop, tmp_path: Path) -> None:
    settings, engine, config = shop
    with pytest.raises(ExportError, match="no personal fields"):
        export(engine, settings, kind="trends", fmt="csv", out=tmp_path / "t.csv", include_personal=True,
               actor="analyst")
    with pytest.raises(ExportError, match="for trends only"):
        export(engine, settings, kind="posts", fmt="csv", out=tmp_path / "p.csv", filters=ExportFilters(group_by="city"))
    with pytest.raises(ExportError, match="does not exist"):
        export(engine, settings, kind="posts", fmt="csv", out=tmp_path / "missing" / "p.csv")
    backwards = cli(config, "posts", "--out", str(tmp_path / "p.csv"), "--since", "2026-10-03", "--until", "2026-10-01")
    assert backwards.exit_code == 1 and "must be before its end" in backwards.output
    grouping = cli(config, "trends", "--out", str(tmp_path / "t.csv"), "--by", "mood")
    assert grouping.exit_code == 1 and "unknown grouping 'mood'" in grouping.output
    assert list(tmp_path.iterdir()) == [] and sorted(formats.names()) == ["csv", "json", "jsonl", "parquet"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.parametrize("filters", [ExportFilters(), ExportFilters(product="NV-A12")], ids=["all", "product"])
def test_shares_written_side_by_side_make_the_same_file(shop, tmp_path: Path, fmt: str,
                                                        filters: ExportFilters) -> None:
    settings, engine, _ = shop
    one = tmp_path / f"one.{fmt}"
    expected = export(engine, settings, kind="posts", fmt=fmt, out=one, filters=filters, batch_size=2, shares=1)
    assert expected > 1
    for shares in (2, 3, expected + 4):  # more shares than rows: as many as there are rows at most
        progress: list[int] = []
        out = tmp_path / f"shared{shares}.{fmt}"
        rows = export(engine, settings, kind="posts", fmt=fmt, out=out, filters=filters, batch_size=2,
                      shares=shares, on_rows=progress.append)
        assert rows == expected and sum(progress) == expected
        assert out.read_bytes() == one.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [one.name, *(f"shared{n}.{fmt}" for n in (2, 3, expected + 4))])  # no share files left


def test_a_split_source_covers_every_row_once_in_order(shop) -> None:
    settings, engine, _ = shop
    from analytics.exports.sources import ExportJob

    source = Posts(ExportJob(engine=engine, settings=settings, batch_size=3))
    total = source.count()
    shares = source.split(3)
    ids = [row[0] for share in shares for batch in share.batches() for row in batch]
    assert len(shares) == 3 and ids == sorted(ids) and len(ids) == len(set(ids)) == total
    assert [len([r for b in share.batches() for r in b]) for share in shares] == [4, 4, 4]


@pytest.mark.parametrize("how", ["error", "killed"])
def test_a_failed_share_fails_the_export_and_keeps_the_old_file(shop, tmp_path: Path, how: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import signal

    settings, engine, _ = shop
    parent, written = os.getpid(), JsonLines.write

    def fail_in_a_share(self, rows):
        if os.getpid() != parent:
            if how == "killed":
                os.kill(os.getpid(), signal.SIGKILL)
            raise OSError("disk full")
        written(self, rows)

    monkeypatch.setattr(JsonLines, "write", fail_in_a_share)
    out = tmp_path / "posts.jsonl"
    out.write_text("the export of yesterday\n")
    message = "share 1 of the export failed: disk full" if how == "error" else "share 1 of 2 of the export stopped"
    with pytest.raises(ExportError, match=message):
        export(engine, settings, kind="posts", fmt="jsonl", out=out, batch_size=2, shares=2)
    assert list(tmp_path.iterdir()) == [out] and out.read_text() == "the export of yesterday\n"


def test_formats_that_do_not_join_are_written_by_one_process(shop, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    settings, engine, _ = shop
    parent, pids = os.getpid(), set()
    for fmt in ("json", "parquet"):
        writer = formats.get(fmt)
        original = writer.write
        monkeypatch.setattr(writer, "write", lambda self, rows, original=original: (pids.add(os.getpid()),
                                                                                   original(self, rows))[1])
        out = tmp_path / f"posts.{fmt}"
        assert export(engine, settings, kind="posts", fmt=fmt, out=out, batch_size=2, shares=2) == len(POSTS)
        assert len(read_back(out, fmt)) == len(POSTS)
    assert pids == {parent}
