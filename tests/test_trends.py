"""Trends from the hourly buckets: counts and sentiment by period and grouping, share of voice, the funnel and
channels; kept current as posts are enriched (never counted twice); the CLI's table, JSON and PNG; the API."""

import json
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from analytics.rollup import refresh_trends
from analytics.trends import TrendQuery, TrendQueryError, channels, funnel, share_of_voice, totals, trend
from earshot.api.app import create_app
from earshot.cli import app
from enrich.pipeline import enrich_pending
from listener.run import collect
from storage.engine import session_scope
from storage.imports.catalog import CatalogEntry, import_catalog
from tests.factories import api_sign_in, replay_line, replay_settings, write_jsonl

POSTS = [  # (minutes after 2026-10-01 00:00 UTC (a Thursday), text, platform)
    (10, "I love my new aura 12, best phone ever, so happy", "x"),
    (20, "my aura 12 battery died again, so disappointed, worst phone", "x"),
    (30, "thinking about buying the bolt, is it any good?", "reddit"),
    (60 * 24 * 5, "just bought the aura 12 after my friend recommended it, love it", "x"),  # Tuesday next week
    (60 * 24 * 5 + 5, "switching to Zentro, the aura 12 is awful and terrible", "x"),
    (60 * 24 * 5 + 9, "Zentro phones are fine I guess", "reddit"),
]


def line(n: int, minutes: int, text: str, platform: str) -> dict:
    created = datetime(2026, 10, 1, tzinfo=UTC).timestamp() + minutes * 60
    return replay_line(n, text=text, platform=platform, id=f"t{n}",
                       created_at=datetime.fromtimestamp(created, UTC).isoformat().replace("+00:00", "Z"),
                       author={"id": f"a{n}", "handle": f"user{n}"})


@pytest.fixture
def store(tmp_path, engine):
    with session_scope(engine) as session:
        import_catalog(session, entries=[CatalogEntry(sku="NV-A12", name="Nordvik Aura 12", aliases=["aura 12"]),
                                         CatalogEntry(sku="NV-B1", name="Nordvik Bolt", aliases=["bolt"])])
    posts = write_jsonl(tmp_path / "posts.jsonl", [line(n, *post) for n, post in enumerate(POSTS, 1)])
    settings = replay_settings(tmp_path, [posts], brand={"name": "Nordvik", "competitors": ["Zentro"]})
    collect(engine, settings)
    enrich_pending(engine, settings)
    refresh_trends(engine, settings)
    return settings


def test_posts_and_sentiment_per_day_week_and_grouping(store, engine) -> None:
    with session_scope(engine) as session:
        days = trend(session, TrendQuery(interval="day"))
        weeks = trend(session, TrendQuery(interval="week"))
        by_platform = totals(session, TrendQuery(group_by="platform"))
        by_product = totals(session, TrendQuery(group_by="product"))
        one_product = trend(session, TrendQuery(interval="week", product="nv-a12"))
        late = trend(session, TrendQuery(interval="day", since=datetime(2026, 10, 3, tzinfo=UTC)))
    assert [(d.period, d.posts) for d in days] == [("2026-10-01", 3), ("2026-10-06", 3)]
    assert [(w.period, w.posts) for w in weeks] == [("2026-09-28", 3), ("2026-10-05", 3)]  # weeks start on Monday
    assert {p.group: p.posts for p in by_platform} == {"x": 4, "reddit": 2}
    assert {p.group: p.posts for p in by_product} == {"NV-A12": 4, "NV-B1": 1}
    assert [w.posts for w in one_product] == [2, 2]
    assert [d.period for d in late] == ["2026-10-06"]
    first = days[0]
    assert first.positive + first.neutral + first.negative == 3
    polar = first.positive + first.negative
    assert first.net_sentiment == pytest.approx((first.positive - first.negative) / polar, abs=1e-4)


def test_share_of_voice_funnel_and_channels(store, engine) -> None:
    with session_scope(engine) as session:
        voices = {v["brand"]: v for v in share_of_voice(session, TrendQuery())}
        stages = {row["product"]: row for row in funnel(session, TrendQuery())}
        named = channels(session, TrendQuery())
    assert voices["Nordvik"]["posts"] == 5 and voices["Zentro"]["posts"] == 2
    assert voices["Nordvik"]["share"] == pytest.approx(5 / 7, abs=1e-4)
    assert stages["NV-A12"]["purchased"] >= 1 and stages["NV-B1"]["considering"] == 1
    assert stages["NV-B1"]["bought_per_considering"] == 0.0
    assert ("NV-A12", "friend") in {(row["product"], row["channel"]) for row in named}
    with session_scope(engine) as session:
        weekly = funnel(session, TrendQuery(interval="week", product="nv-a12"), over_time=True)
    assert [(row["period"], row["product"]) for row in weekly] == [("2026-09-28", "NV-A12"), ("2026-10-05", "NV-A12")]
    for stage in ("considering", "purchased", "returned", "recommending"):  # the weeks add up to the whole period
        assert sum(row[stage] for row in weekly) == stages["NV-A12"][stage]


def test_new_and_reenriched_posts_are_counted_once(store, engine, tmp_path) -> None:
    more = write_jsonl(tmp_path / "more.jsonl", [line(20, 15, "the aura 12 is okay", "x")])
    settings = replay_settings(tmp_path, [more], brand={"name": "Nordvik", "competitors": ["Zentro"]})
    collect(engine, settings)
    enrich_pending(engine, settings)
    assert refresh_trends(engine, settings)["hours"] == 1  # only the hour that changed
    assert refresh_trends(engine, settings)["hours"] == 0
    enrich_pending(engine, settings, rerun="all")
    refresh_trends(engine, settings)
    with session_scope(engine) as session:
        assert sum(p.posts for p in trend(session, TrendQuery())) == 7


def test_bad_queries_are_one_clear_error() -> None:
    with pytest.raises(TrendQueryError, match="unknown grouping 'colour'"):
        TrendQuery(group_by="colour")
    with pytest.raises(TrendQueryError, match="unknown interval"):
        TrendQuery(interval="month")


def test_the_cli_prints_json_and_plots_a_png(store, tmp_path) -> None:
    config = tmp_path / "earshot.toml"
    config.write_text(f'database_url = "{store.database_url}"\n[brand]\nname = "Nordvik"\n', encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["--config", str(config), "trends", "--by", "platform", "--json",
                                 "--plot", str(tmp_path / "trend.png")])
    assert result.exit_code == 0, result.output
    rows = [json.loads(row) for row in result.stdout.splitlines()]
    assert {(r["period"], r["group"]): r["posts"] for r in rows}[("2026-10-01", "x")] == 2
    png = (tmp_path / "trend.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
    funnel_png = tmp_path / "funnel.png"
    result = runner.invoke(app, ["--config", str(config), "trends", "--view", "funnel", "--plot", str(funnel_png)])
    assert result.exit_code == 0 and funnel_png.read_bytes()[:4] == b"\x89PNG"
    rebuilt = runner.invoke(app, ["--config", str(config), "trends", "--by", "platform", "--json", "--rebuild"])
    assert rebuilt.exit_code == 0 and [json.loads(row) for row in rebuilt.stdout.splitlines()] == rows  # same counts
    bad = runner.invoke(app, ["--config", str(config), "trends", "--by", "colour"])
    assert bad.exit_code == 1 and "unknown grouping 'colour'" in bad.output


def test_the_api_and_the_analyst_page(store, engine) -> None:
    client = api_sign_in(TestClient(create_app(store, engine)), engine, "analyst")
    answer = client.get("/api/trends", params={"by": "product", "interval": "week"}).json()
    assert {(r["period"], r["group"]): r["posts"] for r in answer["rows"]}[("2026-10-05", "NV-A12")] == 2
    share = client.get("/api/trends", params={"view": "share-of-voice"}).json()["rows"]
    assert [v["brand"] for v in share] == ["Nordvik", "Zentro"]
    assert client.get("/api/trends", params={"by": "colour"}).status_code == 422


def test_the_analyst_page_offers_the_downloads(store, engine) -> None:
    import io

    import pyarrow.parquet as pq
    from sqlalchemy import select

    from storage.models import AuditEvent
    from tests.factories import web_sign_in

    browser = TestClient(create_app(store, engine))
    web_sign_in(browser, engine, "analyst")
    page = browser.get("/analytics", params={"product": "NV-A12", "by": "platform"}).text
    assert 'data-download="posts-parquet"' in page and "product=NV-A12" in page and 'id="trend-spec"' in page
    trends_csv = browser.get("/api/exports/trends", params={"format": "csv", "by": "platform"})
    assert trends_csv.status_code == 200 and trends_csv.text.splitlines()[0].startswith("period,group,posts")
    assert 'filename="trends.csv"' in trends_csv.headers["content-disposition"]
    posts = browser.get("/api/exports/posts", params={"format": "parquet", "product": "NV-A12"})
    table = pq.read_table(io.BytesIO(posts.content))
    assert table.num_rows == 4 and "text" not in table.column_names  # no personal fields unless asked
    personal = browser.get("/api/exports/posts", params={"format": "csv", "personal": "true"})
    assert personal.status_code == 200 and "author_handle" in personal.text.splitlines()[0]
    support = api_sign_in(TestClient(create_app(store, engine)), engine, "support")
    refused = support.get("/api/exports/posts", params={"format": "csv", "personal": "true"})
    assert refused.status_code == 403
    with session_scope(engine) as session:
        audited = session.scalars(select(AuditEvent).where(AuditEvent.action == "export_personal")).all()
    assert [(e.actor, e.detail["rows"], e.detail["completed"]) for e in audited] == [("analyst", 6, True)]
