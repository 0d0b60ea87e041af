"""Property-based tests (hypothesis) over the readers of untrusted input: replay lines, CRM files, post texts.

Whatever arrives — arbitrary Unicode, emoji, right-to-left and zero-width characters, NUL bytes, invalid UTF-8,
huge texts, missing and wrong-typed fields, huge numbers, dates out of range — each record gets a clear error or a
correct result, and nothing stops a batch."""

import json
import tempfile
from datetime import timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from config.errors import EarshotError
from enrich.pipeline import enrich_pending
from listener.records import PostRecord
from listener.replay import parse_line
from listener.run import collect
from storage.engine import make_engine, session_scope
from storage.imports.catalog import CatalogEntry, import_catalog
from storage.imports.crm_csv import import_crm_csv
from storage.imports.customers import CustomerLine, _parse as parse_customer_line
from storage.migrate import ensure_current
from storage.models import Enrichment, Post
from tests.factories import replay_line, replay_settings, write_jsonl
from sqlmodel import func, select

TRICKY = ("\u202e\u200b\u200d\ufeff\u0000\U0001f600"  # right-to-left override, zero-width, BOM, NUL, emoji
          "\u05e9\u05dc\u05d5\u05dd\u0627\u0644\u0633\u0644\u0627\u0645\ud7ff\uffff")  # Hebrew, Arabic, edges
texts = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(TRICKY), max_size=300)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | texts
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(texts, inner, max_size=3), max_leaves=8)
dates = st.one_of(
    st.datetimes().map(lambda value: value.isoformat()),
    st.sampled_from(["0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "10000-01-01T00:00:00Z", "2026-02-30",
                     "1e309", "", "yesterday", "2026-11-23T10:00:00+25:00"]),
    st.integers(min_value=-(10**20), max_value=10**20), texts,
)
PROPERTIES = settings(max_examples=150, deadline=None, derandomize=True,  # the same examples on every run: CI
                      suppress_health_check=[HealthCheck.too_slow])  # never fails on a draw nobody saw locally


def replay_fields() -> st.SearchStrategy[dict]:
    """Replay lines whose every field may be missing, of the wrong type or out of range."""
    author = st.fixed_dictionaries({}, optional={
        "id": texts | scalars, "handle": texts | scalars, "name": texts, "bio": texts,
        "followers": st.integers(min_value=-(10**30), max_value=10**30) | scalars,
        "verified": scalars,
    })
    return st.fixed_dictionaries({}, optional={
        "platform": st.sampled_from(["x", "reddit", "mastodon", ""]) | scalars,
        "id": texts | st.integers(min_value=-(10**30), max_value=10**30),
        "created_at": dates, "text": texts | scalars, "lang": texts | scalars, "title": texts | scalars,
        "author": author | scalars, "metrics": st.dictionaries(st.sampled_from(["likes", "reposts", "replies"]),
                                                               st.integers(min_value=-(10**30), max_value=10**30)
                                                               | scalars) | scalars,
        "kind": texts, "url": texts | scalars, "reply_to": texts | scalars,
    })


@PROPERTIES
@given(st.binary(max_size=400))
def test_any_bytes_as_a_replay_line_give_a_record_or_a_clear_error(line: bytes) -> None:
    _record_or_clear_error(line)


@PROPERTIES
@given(replay_fields())
def test_replay_lines_with_wrong_or_missing_fields_give_a_record_or_a_clear_error(fields: dict) -> None:
    record = _record_or_clear_error(json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    if record is not None:  # what was accepted is what was sent, made safe to store
        assert record.created_at.tzinfo == timezone.utc
        assert "\x00" not in (record.text or "") and "\x00" not in record.author.handle
        if isinstance(fields.get("text"), str):
            assert record.text == fields["text"].replace("\x00", "")


def _record_or_clear_error(line: bytes) -> PostRecord | None:
    try:
        return parse_line(line)
    except ValueError as exc:
        message = str(exc)
        assert message and "\n" not in message and len(message) < 2_000, message  # one line, not a dump
        return None


def test_a_megabyte_of_text_is_read_whole() -> None:
    text = "Aura 12 \u202e\u200b💔 " * 80_000
    record = parse_line(json.dumps(replay_line(1, text=text)).encode())
    assert record.text == text and len(record.text.encode()) > 1_000_000


@PROPERTIES
@given(st.binary(max_size=300) | st.builds(lambda fields: json.dumps(fields, ensure_ascii=False).encode(
    "utf-8", "surrogatepass"), st.fixed_dictionaries({}, optional={
        "id": texts | scalars, "name": texts | scalars, "email": texts | scalars, "country": texts | scalars,
        "lifetime_value": scalars, "first_purchase": dates, "status": texts | scalars,
        "handles": st.dictionaries(texts, texts | scalars, max_size=3) | scalars,
        "products": st.lists(st.dictionaries(st.sampled_from(["sku", "purchased_at", "channel"]), dates | scalars),
                             max_size=3) | scalars,
        "consent": json_values, "extra": json_values,
    })))
def test_any_customers_line_gives_a_customer_or_a_clear_problem(line: bytes) -> None:
    parsed = parse_customer_line(line)
    if isinstance(parsed, str):
        assert parsed and "\n" not in parsed and len(parsed) < 2_000, parsed
    else:
        assert isinstance(parsed, CustomerLine) and parsed.id and parsed.name


_CSV_ENGINE: dict[str, object] = {}


def _csv_engine():
    """One store for every example (a fresh one each would take most of the test's time)."""
    if "engine" not in _CSV_ENGINE:
        folder = Path(tempfile.mkdtemp(prefix="earshot-properties-"))
        engine = make_engine(f"sqlite:///{folder / 'crm.db'}")
        ensure_current(engine)
        _CSV_ENGINE.update(engine=engine, folder=folder)
    return _CSV_ENGINE["engine"], _CSV_ENGINE["folder"]


csv_cells = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(TRICKY + ',"\r\n'), max_size=40)


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.sampled_from(["id,name,email,lifetime_value,first_purchase,status,handle_x",
                            "customer,sku,purchased_at,channel", "id,customer,sku,category,opened_at,summary"]),
    rows=st.lists(st.lists(csv_cells, min_size=0, max_size=8), max_size=12),
    garbage=st.binary(max_size=60),
)
def test_any_crm_csv_imports_its_good_rows_and_reports_the_rest(header: str, rows: list, garbage: bytes) -> None:
    engine, folder = _csv_engine()
    path = folder / "customers.csv"
    body = "\n".join([header, *(",".join(json.dumps(cell, ensure_ascii=False) for cell in row) for row in rows)])
    path.write_bytes(body.encode("utf-8", "surrogatepass") + b"\n" + garbage)
    try:
        report = import_crm_csv(engine, path)
    except EarshotError as exc:  # the whole file refused: one clear line
        assert "\n" not in str(exc) and str(path) in str(exc)
        return
    lines = len(path.read_bytes().splitlines())
    assert report.imported <= lines - 1  # at most one record per row below the header
    for problem in report.problems:  # each names a line of the file, in one line
        assert problem.startswith(f"{path}:") and "\n" not in problem, problem
        assert 2 <= int(problem.removeprefix(f"{path}:").split(":", 1)[0]) <= lines + 1, problem
    with engine.connect() as connection:  # nothing half-written
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texts | st.sampled_from(["", " ", "\u200b", "\x00\x00", "💔" * 500, TRICKY * 20,
                                         "Aura 12 \u202e kaputt, returned it"]), min_size=1, max_size=25))
def test_every_post_is_enriched_whatever_its_text(post_texts: list[str]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="earshot-properties-"))
    lines = [replay_line(n, text=text, lang=None) for n, text in enumerate(post_texts)]
    posts = folder / "posts.jsonl"
    posts.write_bytes(b"\n".join(json.dumps(line, ensure_ascii=False).encode("utf-8", "surrogatepass")
                                 for line in lines) + b"\n")
    run_settings = replay_settings(folder, [posts])
    engine = make_engine(run_settings.database_url)
    ensure_current(engine)
    collect(engine, run_settings)
    enrich_pending(engine, run_settings)
    with session_scope(engine) as session:
        stored = session.scalar(select(func.count()).select_from(Post))
        enriched = session.scalar(select(func.count()).select_from(Enrichment))
    assert stored == enriched and stored >= 1  # a line may be refused with its reason; none is left unenriched
    engine.dispose()


def test_a_csv_row_that_is_not_utf8_is_reported_and_the_others_imported(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'crm.db'}")
    ensure_current(engine)
    path = tmp_path / "customers.csv"
    path.write_bytes(b"id,name\nC-1,Ann\nC-2,Bj\xf6rn\nC-3,Cai\n")  # Latin-1 in the middle
    report = import_crm_csv(engine, path)
    assert report.imported == 2
    assert report.problems == [f"{path}:3: not UTF-8 text; save the file as UTF-8 and import it again"]
    path.write_bytes(b"id,n\xe4me\nC-1,Ann\n")
    try:
        import_crm_csv(engine, path)
    except EarshotError as exc:
        assert str(exc) == f"{path}: the header is not UTF-8; save the file as UTF-8 and import it again"
    else:
        raise AssertionError("a header that is not UTF-8 was accepted")


def test_a_megabyte_post_is_stored_and_enriched(tmp_path: Path) -> None:
    text = "my Aura 12 broke \u202e\u200b💔 " * 45_000  # over a million characters (spaCy's default limit)
    posts = write_jsonl(tmp_path / "posts.jsonl", [replay_line(1, text=text), replay_line(2)])
    run_settings = replay_settings(tmp_path, [posts])
    engine = make_engine(run_settings.database_url)
    ensure_current(engine)
    with session_scope(engine) as session:
        import_catalog(session, entries=[CatalogEntry(sku="NV-A12", name="Nordvik Aura 12", aliases=["aura 12"])])
    collect(engine, run_settings)
    enrich_pending(engine, run_settings)
    with session_scope(engine) as session:
        stored = {post.external_id: post for post in session.scalars(select(Post))}
        enriched = {row.post_id: row for row in session.scalars(select(Enrichment))}
    assert stored["1001"].text == text and set(enriched) == {post.id for post in stored.values()}
    assert "NV-A12" in enriched[stored["1001"].id].products
