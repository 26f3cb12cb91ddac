"""Alembic environment, driven programmatically by :mod:`dispatch_geo.storage.migrate`.

The caller passes an open connection in ``config.attributes["connection"]`` (the usual case); as a
fallback, ``sqlalchemy.url`` in the config is used to make an engine. SQLite runs in batch mode
(``render_as_batch``) because it cannot ALTER most things in place.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from dispatch_geo.storage.engine import make_engine
from dispatch_geo.storage.migrate import include_object_for
from dispatch_geo.storage.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object_for(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the caller's connection, or on a new engine from ``sqlalchemy.url``."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection and no sqlalchemy.url given to the Alembic environment")
    engine = make_engine(url)
    try:
        with engine.begin() as new_connection:
            _run(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported; run them against a database")
run_migrations_online()
