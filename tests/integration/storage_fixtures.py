"""Storage fixtures shared by the repository tests: a migrated database of each test's own, on PostGIS
(a clone of a template migrated once per session) and on a SQLite file; and the example fleet."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dispatch_geo.storage.engine import make_engine
from dispatch_geo.storage.migrate import upgrade_to_head
from tests.support.postgis import TEMPLATE_DB, PostgisServer

FLEET_CSV = Path(__file__).resolve().parents[2] / "data" / "siak_fleet_example.csv"


@pytest.fixture(scope="session")
def migrated_template(postgis_server: PostgisServer) -> str:
    """A PostGIS database migrated to head once per session, cloned by every PostgreSQL test."""
    # unique: each test module importing this fixture gets its own session-scoped copy of it
    name = f"storage_migrated_{uuid.uuid4().hex[:8]}"
    upgrade_to_head(postgis_server.create_database(name, template=TEMPLATE_DB))
    return name


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgis), "sqlite"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database of its own for this test, on each backend; 25 pooled connections."""
    if request.param == "postgresql":
        server: PostgisServer = request.getfixturevalue("postgis_server")
        server.start()
        name = server.clone_database(template=request.getfixturevalue("migrated_template"))
        pg_engine = make_engine(server.url_for(name), pool_size=25)
        yield pg_engine
        pg_engine.dispose()
        server.drop_database(name)
    else:
        sqlite_engine = make_engine(f"sqlite:///{tmp_path / 'siaga.db'}", pool_size=25)
        upgrade_to_head(sqlite_engine)
        yield sqlite_engine
        sqlite_engine.dispose()
