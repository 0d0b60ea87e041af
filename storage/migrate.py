"""Alembic migrations, applied programmatically: `upgrade` to head, `is_current` to check."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from config.errors import EarshotError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_current(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision` in one transaction.

    On SQLite the transaction is begun explicitly (the sqlite3 module would otherwise run DDL outside it, so a failed
    migration would leave half its tables behind), and foreign keys are off meanwhile: changing a column rebuilds its
    table, which SQLite allows only so; every reference is checked before the commit."""
    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                if sqlite:
                    connection.exec_driver_sql("BEGIN")
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise EarshotError(f"migrating left {len(broken)} broken references (first: {broken[0]}); "
                                           f"nothing was changed")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def ensure_current(engine: Engine) -> None:
    """Upgrade the schema if it is behind; every command calls this before touching the store."""
    try:
        if not is_current(engine):
            upgrade(engine)
    except OperationalError as exc:
        raise EarshotError(
            f"cannot open the database {engine.url.render_as_string(hide_password=True)}: "
            f"{exc.orig}; check EARSHOT_DATABASE_URL"
        ) from exc
