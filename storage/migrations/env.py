"""Alembic environment: runs on the connection `storage.migrate` hands over (or on -x url=...)."""

from alembic import context
from sqlalchemy import create_engine

from storage.models import metadata


def ours(obj, name, type_, reflected, compare_to) -> bool:
    """Only our own tables: APScheduler keeps its job table in the same database."""
    return not (type_ == "table" and reflected and compare_to is None and name not in metadata.tables)


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=ours,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///earshot.db")
    with create_engine(url).begin() as new_connection:
        run(new_connection)
