"""The engine factory: one per process, built from settings (never at import), SQLite in WAL mode."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session

from config.errors import ConfigError


def make_engine(url: str, *, mapped_bytes: int = 0, **kwargs: Any) -> Engine:
    """Build an engine for `url`; a SQLite file's folder is created and the file put in WAL mode. `mapped_bytes`:
    SQLite reads up to that much of the file through memory mapping instead of copying each page it reads (the
    server's queue views read about half as fast without it); those pages count towards the process's RSS."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"database_url {url!r} is not a database URL; use e.g. sqlite:///earshot.db "
            "or postgresql+psycopg://user:pass@host/db"
        ) from None
    kwargs = {"json_serializer": json_text, "json_deserializer": orjson.loads, **kwargs}
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, mapped_bytes, **kwargs)
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "psycopg":
        event.listen(engine, "connect", _text_without_nul)
    return engine


def _text_without_nul(dbapi_connection: Any, _record: Any) -> None:
    """PostgreSQL's text cannot hold a NUL character, and psycopg refuses any string with one: on this store a
    NUL in a note, a reply, a name or a filter is dropped as the text is sent, instead of failing the request."""
    from psycopg.types.string import StrDumperUnknown

    class TextWithoutNul(StrDumperUnknown):
        def dump(self, obj: str):  # noqa: ANN201 - psycopg's Buffer
            return super().dump(obj.replace("\x00", ""))

    dbapi_connection.adapters.register_dumper(str, TextWithoutNul)


def json_text(value: Any) -> str:
    """JSON columns, written with orjson (several times faster than json: the enrich stage writes three per post);
    numpy scalars become plain numbers, and NaN becomes null (valid JSON for PostgreSQL). NUL characters are dropped
    from strings: PostgreSQL's jsonb cannot hold them (and a raw payload may carry any)."""
    text = orjson.dumps(value, default=_plain, option=orjson.OPT_NON_STR_KEYS).decode()
    if "\\u0000" in text:  # rare: look again, string by string (a backslash before "u0000" is no NUL)
        text = orjson.dumps(_without_nul(value), default=_plain, option=orjson.OPT_NON_STR_KEYS).decode()
    return text


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_nul(item) for item in value]
    return value


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _sqlite_engine(url: str, database: str | None, mapped_bytes: int, **kwargs: Any) -> Engine:
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA wal_autocheckpoint=10000")
        if mapped_bytes:
            cursor.execute(f"PRAGMA mmap_size={int(mapped_bytes)}")
        cursor.close()

    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        with session.begin():
            yield session
