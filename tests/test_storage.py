"""The store: migrations, idempotent writes, UTC datetimes."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, inspect, select

from listener.records import AuthorRecord, PostRecord
from storage.engine import make_engine, session_scope
from storage.migrate import current_revision, ensure_current, head_revision
from storage.models import Author, Post, metadata
from storage.repo.posts import store_posts


def record(n: int, *, followers: int = 5, text: str = "hello") -> PostRecord:
    return PostRecord(
        platform="x",
        external_id=str(n),
        author=AuthorRecord(platform="x", external_id="a1", handle="anna", followers=followers),
        text=text,
        created_at=datetime(2026, 10, 1, tzinfo=UTC) + timedelta(minutes=n),
    )


def test_migrations_create_every_table(engine) -> None:
    assert current_revision(engine) == head_revision()
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())


def test_migrations_create_every_index_the_models_declare(engine) -> None:
    inspector = inspect(engine)
    for table in metadata.sorted_tables:
        made = {index["name"] for index in inspector.get_indexes(table.name)}
        assert {index.name for index in table.indexes} <= made, table.name


def test_ensure_current_is_idempotent(engine) -> None:
    ensure_current(engine)
    ensure_current(engine)
    assert current_revision(engine) == head_revision()


def test_same_post_twice_is_stored_once(engine) -> None:
    with session_scope(engine) as session:
        first = store_posts(session, records=[record(1), record(2), record(1)], target="t")
    with session_scope(engine) as session:
        second = store_posts(session, records=[record(2), record(3)], target="t")
        posts = session.scalar(select(func.count()).select_from(Post))
    assert (first.new, first.duplicates) == (2, 1)
    assert (second.new, second.duplicates) == (1, 1)
    assert posts == 3


def test_author_profile_is_refreshed_not_duplicated(engine) -> None:
    with session_scope(engine) as session:
        store_posts(session, records=[record(1, followers=5)], target="t")
    with session_scope(engine) as session:
        store_posts(session, records=[record(2, followers=900)], target="t")
        authors = session.scalars(select(Author)).all()
    assert [(a.handle, a.followers) for a in authors] == [("anna", 900)]


def test_datetimes_come_back_as_utc(engine) -> None:
    moment = datetime(2026, 10, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    with session_scope(engine) as session:
        store_posts(session, records=[record(1).model_copy(update={"created_at": moment})], target="t")
    with session_scope(engine) as session:
        stored = session.scalar(select(Post.created_at))
    assert stored == moment and stored.tzinfo is not None and stored.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        PostRecord(platform="x", external_id="1", text="t", created_at=datetime(2026, 1, 1),
                   author=AuthorRecord(platform="x", external_id="a"))


def test_bad_database_url_is_one_clear_error() -> None:
    from config.errors import ConfigError

    with pytest.raises(ConfigError, match="not a database URL"):
        make_engine("not a url")


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")  # a SQLite store's setting, whatever the suite runs on
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_post_without_the_authors_profile_keeps_the_stored_one(engine) -> None:
    with_profile = record(1, followers=700).model_copy(update={"author": AuthorRecord(
        platform="x", external_id="a1", handle="anna", bio="she/her", location="Uppsala", followers=700)})
    without = record(2).model_copy(update={"author": AuthorRecord(platform="x", external_id="a1", handle="anna")})
    with session_scope(engine) as session:
        store_posts(session, records=[with_profile], target="t")
    with session_scope(engine) as session:
        store_posts(session, records=[without], target="t")
        author = session.scalars(select(Author)).one()
    assert (author.bio, author.location, author.followers) == ("she/her", "Uppsala", 700)


def test_a_new_author_without_a_follower_count_starts_at_zero(engine) -> None:
    unknown = record(1).model_copy(update={"author": AuthorRecord(platform="x", external_id="z", handle="zed")})
    with session_scope(engine) as session:
        store_posts(session, records=[unknown], target="t")
        assert session.scalars(select(Author.followers)).one() == 0


def test_authors_known_from_earlier_batches_are_not_looked_up_or_rewritten(engine) -> None:
    with session_scope(engine) as session:
        first = store_posts(session, records=[record(1, followers=5)], target="t")
    known = dict(first.authors)
    with session_scope(engine) as session:
        session.execute(Author.__table__.update().values(bio="changed elsewhere"))  # the cache does not see this
        store_posts(session, records=[record(2, followers=5)], target="t", known_authors=known)
        unchanged = session.scalars(select(Author.bio)).one()
        third = store_posts(session, records=[record(3, followers=9)], target="t", known_authors=known)
        refreshed = session.scalars(select(Author)).one()
    assert unchanged == "changed elsewhere"  # same profile as cached: not rewritten
    assert refreshed.followers == 9 and third.authors[("x", "a1")][0] == refreshed.id


def test_json_columns_take_numpy_numbers_and_write_nan_as_null() -> None:
    import json

    import numpy as np

    from storage.engine import json_text

    written = json.loads(json_text({"score": np.float32(0.5), "count": np.int64(3), 7: "key", "nan": float("nan"),
                                    "tags": {"b", "a"}}))
    assert written == {"score": 0.5, "count": 3, "7": "key", "nan": None, "tags": ["a", "b"]}
    with pytest.raises(TypeError, match="not JSON serializable"):
        json_text({"x": object()})
