"""Shared fixtures: a real PostGIS server and a real Mosquitto broker, started by the test run itself.

Nothing is mocked. Services start lazily (only when a test asks for one of these fixtures), listen on
free ports on 127.0.0.1 (never the system PostgreSQL on 5432 or Mosquitto on 1883) and are stopped and
deleted at the end of the session, at interpreter exit, or by the kernel if pytest dies
(``tests/support/processes.py``). A missing binary FAILS the test with install instructions; it is never
skipped.

PostGIS fixtures and isolation
------------------------------
``postgis_server`` (session)
    :class:`tests.support.postgis.PostgisServer`: ``.url`` (session database ``siaga``), ``.url_for(db)``,
    ``.stop(mode="fast"|"immediate")``, ``.start()``, ``.restart()``, ``.port``, ``.log_path``,
    ``.create_database(name, template=..., extensions=...)``, ``.clone_database(template)``,
    ``.drop_database(name)``.
``postgis_url`` (session)
    URL of ``siaga``, one database shared by every test that uses it: read-only use, or data that
    does not collide (unique names).
``pg_url`` / ``pg_engine`` (function)
    Isolation: every test gets its OWN database, ``CREATE DATABASE t_<n> TEMPLATE siaga_template``
    (PostGIS already installed; about 40 ms here), dropped ``WITH (FORCE)`` at teardown. Chosen over
    rolled-back transactions because the code under test owns its transactions, opens several
    connections (API + MQTT ingest) and runs Alembic, none of which a wrapping transaction survives.
    To start each test from a migrated schema, build a migrated template once per session and clone
    it::

        @pytest.fixture(scope="session")
        def migrated_template(postgis_server):
            url = postgis_server.create_database("migrated", template="siaga_template")
            run_alembic_upgrade(url)          # dispose every engine afterwards: a template must be idle
            return "migrated"

        @pytest.fixture
        def db_url(postgis_server, migrated_template):
            name = postgis_server.clone_database(template=migrated_template)
            yield postgis_server.url_for(name)
            postgis_server.drop_database(name)
``postgis_factory`` (function)
    ``postgis_factory() -> PostgisServer``: a dedicated cluster (about 1 s), destroyed after the
    test. Use it for tests that stop/crash the database, so other tests never see a dead server.

Mosquitto fixtures
------------------
``mosquitto_broker`` (session)
    :class:`tests.support.mosquitto.MosquittoBroker`: ``.host``, ``.port``, ``.conf_path``,
    ``.log_path``, ``.stop()``, ``.kill()``, ``.start()``, ``.restart()``. Shared: use unique client
    ids and topics (``mqtt_topic_prefix``).
``mosquitto_factory`` (function)
    ``mosquitto_factory(extra_conf="", *, passwords=None, acl=None, allow_anonymous=None)`` ->
    a started, dedicated broker, destroyed after the test. For restart tests and per-device
    credentials/ACLs.

Markers ``postgis`` and ``mqtt`` (declared in pyproject.toml) are added automatically to every test
that uses these fixtures, so ``pytest -m "not postgis and not mqtt"`` runs the pure tests only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

import pytest
from sqlalchemy import Engine, create_engine

from dispatch_geo.graph.build import BuildResult
from dispatch_geo.graph.roadgraph import RoadGraph
from tests.support.mosquitto import MosquittoBroker, MosquittoFactory, find_mosquitto
from tests.support.postgis import PostgisFactory, PostgisServer, find_postgres_bin
from tests.support.processes import MissingSystemDependencyError
from tests.support.schematic import build_shipped_schematic
from tests.support.siak_grid import siak_grid_road

POSTGIS_FIXTURES = frozenset({"postgis_server", "postgis_url", "pg_url", "pg_engine", "postgis_factory"})
MQTT_FIXTURES = frozenset({"mosquitto_broker", "mosquitto_factory"})

T = TypeVar("T")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by the services they use, so they can be selected with ``-m``."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & POSTGIS_FIXTURES:
            item.add_marker(pytest.mark.postgis)
        if used & MQTT_FIXTURES:
            item.add_marker(pytest.mark.mqtt)


def _require(find: Callable[[], T]) -> T:
    """Locate a system binary or fail the test (CI and local alike) with install instructions."""
    try:
        return find()
    except MissingSystemDependencyError as exc:
        message = str(exc)
    pytest.fail(message, pytrace=False)  # outside the except block: no chained traceback


# -- PostGIS -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgis_server() -> Iterator[PostgisServer]:
    """A PostGIS cluster for the whole session (template + ``siaga`` databases ready)."""
    server = PostgisServer.launch(_require(find_postgres_bin))
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def postgis_url(postgis_server: PostgisServer) -> str:
    """SQLAlchemy URL of the shared session database ``siaga`` (PostGIS enabled)."""
    return postgis_server.url


@pytest.fixture
def pg_url(postgis_server: PostgisServer) -> Iterator[str]:
    """URL of a fresh PostGIS database owned by this test alone."""
    postgis_server.start()  # no-op when running; recovers if an earlier test left it stopped
    name = postgis_server.clone_database()
    yield postgis_server.url_for(name)
    if postgis_server.is_running:
        postgis_server.drop_database(name)


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    """SQLAlchemy engine on this test's own database; disposed before the database is dropped."""
    engine = create_engine(pg_url, pool_pre_ping=True)
    yield engine
    engine.dispose()


@pytest.fixture
def postgis_factory() -> Iterator[PostgisFactory]:
    """Start dedicated PostGIS clusters, for tests that stop or crash the database."""
    servers: list[PostgisServer] = []

    def launch() -> PostgisServer:
        servers.append(PostgisServer.launch(_require(find_postgres_bin)))
        return servers[-1]

    yield launch
    for server in servers:
        server.destroy()


# -- Mosquitto -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def mosquitto_broker() -> Iterator[MosquittoBroker]:
    """A Mosquitto broker for the whole session (anonymous access, persistence, unlimited queues)."""
    broker = MosquittoBroker(_require(find_mosquitto))
    try:
        broker.start()
    except BaseException:
        broker.destroy()
        raise
    yield broker
    broker.destroy()


@pytest.fixture
def mosquitto_factory() -> Iterator[MosquittoFactory]:
    """Start dedicated brokers with extra configuration, passwords and ACLs; destroyed after the test."""
    brokers: list[MosquittoBroker] = []

    def launch(
        extra_conf: str = "",
        *,
        passwords: Mapping[str, str] | None = None,
        acl: str | None = None,
        allow_anonymous: bool | None = None,
    ) -> MosquittoBroker:
        broker = MosquittoBroker(
            _require(find_mosquitto),
            extra_conf=extra_conf,
            passwords=passwords,
            acl=acl,
            allow_anonymous=allow_anonymous,
        )
        brokers.append(broker)
        broker.start()
        return broker

    yield launch
    for broker in brokers:
        broker.destroy()


@pytest.fixture
def mqtt_topic_prefix() -> str:
    """A topic prefix no other test uses, for tests sharing ``mosquitto_broker``."""
    return f"test/{uuid.uuid4().hex[:12]}"


# -- Road graphs ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def siak_grid(tmp_path_factory: pytest.TempPathFactory) -> RoadGraph:
    """A coarse two-way road grid over Siak (real coordinates, schematic label); builds in ~1 s."""
    return siak_grid_road(tmp_path_factory.mktemp("siak-grid"))


@pytest.fixture(scope="session")
def schematic_build() -> BuildResult:
    """The shipped schematic stand-in through the real pipeline, built once per run (several seconds)."""
    return build_shipped_schematic()


@pytest.fixture(scope="session")
def schematic_road(schematic_build: BuildResult) -> RoadGraph:
    """The road graph of :func:`schematic_build`."""
    return schematic_build.road
