"""Engine and session factories. Nothing is created at import time: the composition root calls these.

Two databases are supported:

* **PostgreSQL + PostGIS** (production; ``postgresql+psycopg://...``): row locks
  (``SELECT ... FOR UPDATE``) make concurrent assignment of the same unit atomic.
* **SQLite** (the demo's embedded default, ``sqlite:///path/to/siaga.db``): a local file in WAL mode
  with foreign keys on and a busy timeout. Every transaction starts with ``BEGIN IMMEDIATE``, so it holds
  the database's single write lock from its first statement: writers are serialised, a read-then-write
  sequence cannot be interleaved with another writer, and no lock upgrade can deadlock. Readers outside
  a transaction are not blocked (WAL). This is the SQLite counterpart of the row locks.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000
"""How long a SQLite writer waits for the write lock before failing with "database is locked"."""


def make_engine(url: str | URL, *, echo: bool = False, **engine_kwargs: Any) -> Engine:
    """Create an engine for ``url`` (PostgreSQL/PostGIS or SQLite file), configured for this project.

    Parameters
    ----------
    url
        SQLAlchemy URL, e.g. ``postgresql+psycopg://user@host/db`` or ``sqlite:///siaga.db``.
    echo
        Log every SQL statement (debugging).
    engine_kwargs
        Passed to :func:`sqlalchemy.create_engine` (pool sizes and so on).
    """
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, **engine_kwargs)
        _configure_sqlite(engine)
    else:
        engine_kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, echo=echo, **engine_kwargs)
    log.debug("created engine for %s", url.render_as_string(hide_password=True))
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Session factory bound to ``engine``; objects stay usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see the "begin" hook).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            if engine.url.database not in (None, "", ":memory:"):
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
