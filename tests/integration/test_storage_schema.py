"""The Alembic migrations build the same schema on an empty PostGIS database and on a SQLite file.

What a user notices: QGIS can open the point tables (geometry(Point, 4326) registered in
``geometry_columns``, GiST indexed), the database refuses impossible rows, and the ORM models agree
with the migrations (so queries never meet a missing column).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from dispatch_geo.storage.engine import make_engine
from dispatch_geo.storage.migrate import current_revision, head_revision, include_object_for, upgrade_to_head
from dispatch_geo.storage.models import Base
from dispatch_geo.storage.partitions import PARTITION_TABLE
from tests.support.postgis import PostgisServer

NOW = datetime(2025, 3, 1, 1, 0, tzinfo=UTC)
TABLES = {
    "stations",
    "units",
    "unit_status_changes",
    "incidents",
    "assignments",
    "recommendation_audit",
    "position_fixes",
    "facilities",
}
BACKENDS = [pytest.param("postgresql", marks=pytest.mark.postgis), "sqlite"]
POINT_COLUMNS = {
    ("stations", "location"),
    ("units", "last_position"),
    ("incidents", "location"),
    ("position_fixes", "position"),
    ("facilities", "location"),
}


@pytest.fixture
def empty_pg_engine(postgis_server: PostgisServer) -> Iterator[Engine]:
    """A brand-new database created from ``template1``: no PostGIS extension, no tables."""
    postgis_server.start()
    name = f"empty_{datetime.now(UTC).strftime('%H%M%S%f')}"
    url = postgis_server.create_database(name)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    postgis_server.drop_database(name)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'siaga.db'}")
    yield engine
    engine.dispose()


def _schema_diff(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_object": include_object_for(engine.dialect.name)},
        )
        return list(compare_metadata(context, Base.metadata))


def _insert_incident(engine: Engine, *, priority: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO incidents (incident_type, priority, status, location, address, description, "
                "created_at, created_by) VALUES ('medical', :priority, 'new', :location, '', '', :at, 'op')"
            ),
            {
                "priority": priority,
                "location": "SRID=4326;POINT(102.05 0.80)"
                if engine.dialect.name == "postgresql"
                else "POINT (102.05 0.8)",
                "at": NOW if engine.dialect.name == "postgresql" else "2025-03-01 01:00:00.000000",
            },
        )


def test_upgrade_on_empty_postgis_database_creates_qgis_ready_tables(empty_pg_engine: Engine) -> None:
    assert current_revision(empty_pg_engine) is None
    upgrade_to_head(empty_pg_engine)
    assert current_revision(empty_pg_engine) == head_revision()
    assert set(inspect(empty_pg_engine).get_table_names()) >= TABLES
    with empty_pg_engine.connect() as connection:
        extension = connection.execute(text("SELECT extname FROM pg_extension WHERE extname = 'postgis'"))
        assert extension.scalar_one() == "postgis"
        columns = connection.execute(
            text("SELECT f_table_name, f_geometry_column, type, srid, coord_dimension FROM geometry_columns")
        ).all()
        # the monthly partitions of position_fixes list their column too (QGIS opens the parent)
        columns = [c for c in columns if not PARTITION_TABLE.match(c[0])]
        assert {(t, c) for t, c, *_ in columns} == POINT_COLUMNS
        assert all(kind == "POINT" and srid == 4326 and dim == 2 for _, _, kind, srid, dim in columns)
        gist = connection.execute(
            text("SELECT tablename, indexdef FROM pg_indexes WHERE indexdef LIKE '%USING gist%'")
        ).all()
        indexed = {
            (table, column)
            for table, column in POINT_COLUMNS
            for t, d in gist
            if t == table and f"({column})" in str(d).replace('"', "")
        }
        assert indexed == POINT_COLUMNS
    assert _schema_diff(empty_pg_engine) == []


def test_upgrade_is_idempotent_and_accepts_a_url(empty_pg_engine: Engine) -> None:
    url = empty_pg_engine.url.render_as_string(hide_password=False)
    upgrade_to_head(url)
    upgrade_to_head(url)
    assert current_revision(empty_pg_engine) == head_revision()


def test_same_migrations_build_the_schema_on_sqlite(sqlite_engine: Engine) -> None:
    upgrade_to_head(sqlite_engine)
    assert current_revision(sqlite_engine) == head_revision()
    assert set(inspect(sqlite_engine).get_table_names()) >= TABLES
    assert _schema_diff(sqlite_engine) == []
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_database_refuses_a_priority_outside_one_to_three(
    backend: str, request: pytest.FixtureRequest
) -> None:
    engine: Engine = request.getfixturevalue(
        "empty_pg_engine" if backend == "postgresql" else "sqlite_engine"
    )
    upgrade_to_head(engine)
    _insert_incident(engine, priority=1)
    for bad in (0, 4):
        with pytest.raises(IntegrityError, match="ck_incidents_priority_range"):
            _insert_incident(engine, priority=bad)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT priority FROM incidents")).scalars().all() == [1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_database_refuses_unknown_status_and_dangling_station(
    backend: str, request: pytest.FixtureRequest
) -> None:
    engine: Engine = request.getfixturevalue(
        "empty_pg_engine" if backend == "postgresql" else "sqlite_engine"
    )
    upgrade_to_head(engine)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO units (id, unit_type, agency, station_id, status, status_changed_at) "
                "VALUES ('AMB-X-01', 'ambulance', 'psc_119', 'no-such-station', 'available', :at)"
            ),
            {"at": NOW},
        )
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO stations (id, name, agency, location, approximate, note) "
                "VALUES ('psc', 'PSC', 'ministry_of_magic', :loc, true, '')"
            ),
            {"loc": "SRID=4326;POINT(102 0.8)" if backend == "postgresql" else "POINT (102 0.8)"},
        )
