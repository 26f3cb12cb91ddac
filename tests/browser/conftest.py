"""The console for the whole-call browser tests: the app on a real PostGIS database (a clone of the
migrated template, one per test), the session's real Mosquitto broker and a real ingest worker, so
the units' positions reach the page the way the crews' phones send them (MQTT → ingest → PostGIS)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dispatch_geo.gazetteer import Gazetteer
from dispatch_geo.graph.roadgraph import RoadGraph
from tests.browser.console_server import RunningConsole, running_console
from tests.integration.api_fixtures import api_migrated_template, gazetteer, pg_db_url  # noqa: F401
from tests.support.mosquitto import MosquittoBroker


@pytest.fixture
def pg_console(
    tmp_path: Path,
    siak_grid: RoadGraph,
    gazetteer: Gazetteer,  # noqa: F811
    mosquitto_broker: MosquittoBroker,
    pg_db_url: str,  # noqa: F811
) -> Iterator[RunningConsole]:
    with running_console(
        tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port, database_url=pg_db_url
    ) as console:
        yield console
