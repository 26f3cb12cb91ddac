"""Run the Alembic migrations programmatically (no ``alembic.ini`` needed).

Alembic is the only source of the schema: a new database is created with :func:`upgrade_to_head`, on
PostgreSQL/PostGIS and on SQLite alike. The migration scripts live in the package
(``dispatch_geo.storage:migrations``), so an installed copy can migrate its own database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from dispatch_geo.storage.engine import make_engine
from dispatch_geo.storage.models import POSTGRESQL_ONLY_INDEX_NAMES
from dispatch_geo.storage.partitions import PARTITION_TABLE

log = logging.getLogger(__name__)

SCRIPT_LOCATION = "dispatch_geo.storage:migrations"
"""Where Alembic finds ``env.py`` and ``versions/`` (package-resource notation)."""


POSTGIS_TABLES = frozenset({"spatial_ref_sys", "geometry_columns", "geography_columns", "raster_columns"})
"""Tables PostGIS owns; autogenerate must never propose dropping them."""


IncludeObject = Callable[[object, "str | None", str, bool, "object | None"], bool]


def include_object_for(dialect_name: str) -> IncludeObject:
    """Alembic ``include_object`` hook for ``dialect_name``, used by autogenerate and comparisons.

    Leaves out PostGIS's own tables, and on SQLite the GiST indexes that the models declare for
    PostgreSQL only (:data:`~dispatch_geo.storage.models.POSTGRESQL_ONLY_INDEX_NAMES`), and the
    monthly partitions of ``position_fixes`` (the models know only the parent table).
    """

    def include_object(
        obj: object, name: str | None, type_: str, reflected: bool, compare_to: object | None
    ) -> bool:
        if type_ == "table" and reflected and name in POSTGIS_TABLES:
            return False
        if type_ == "table" and reflected and name is not None and PARTITION_TABLE.match(name):
            return False  # monthly partitions of position_fixes (dispatch_geo.storage.partitions)
        return not (dialect_name != "postgresql" and type_ == "index" and name in POSTGRESQL_ONLY_INDEX_NAMES)

    return include_object


def alembic_config() -> Config:
    """An Alembic :class:`~alembic.config.Config` pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("path_separator", "os")
    return config


def head_revision() -> str:
    """The newest revision id in the packaged migrations."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no Alembic revisions found in {SCRIPT_LOCATION}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database at ``engine`` is at, or None if it was never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine_or_url: Engine | str | URL, *, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (default: the newest), in one transaction where possible.

    Parameters
    ----------
    engine_or_url
        An engine (not disposed afterwards) or a URL (an engine is made with
        :func:`~dispatch_geo.storage.engine.make_engine` and disposed afterwards).
    revision
        Target revision; ``"head"`` for the newest.
    """
    owns_engine = not isinstance(engine_or_url, Engine)
    engine = make_engine(engine_or_url) if not isinstance(engine_or_url, Engine) else engine_or_url
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        log.info("database %s migrated to %s", engine.url.render_as_string(hide_password=True), revision)
    finally:
        if owns_engine:
            engine.dispose()
