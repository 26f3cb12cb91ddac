"""The engine for the configured database, shared by the server and the command line (kept apart from
:mod:`siaga.api.app` so that ``dispatch-geo users …`` need not import the whole API)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, make_url

from dispatch_geo.storage.engine import make_engine
from siaga.settings import Settings


def engine_for(settings: Settings) -> Engine:
    """An engine for ``settings.database_url`` (creating the SQLite file's folder if needed)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    return make_engine(
        url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_pool_timeout_s,
    )
