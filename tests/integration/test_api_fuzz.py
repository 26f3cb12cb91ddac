"""Schemathesis fuzzes every operation of the OpenAPI document against the real app (issue 10).

Property-based: for each operation Hypothesis generates requests from the schema, valid ones and
invalid ones (wrong types, out-of-range numbers, NUL characters, missing fields), sends them with
an admin token through the whole app (auth, validation, services, database) and checks that no
answer is a 5xx and every answer is documented: its status code, content type and body schema.

Schemathesis runs its three phases per operation: the schema's examples, "coverage" (boundary and
just-out-of-bounds values of every parameter and field, e.g. ids 0 and 2^63) and "fuzzing" (random
requests, valid and invalid). Bounded and reproducible for CI: ``MAX_EXAMPLES`` random requests per
operation, ``derandomize`` (the same requests on every run), no deadline (timing never fails a
test), no example database. One app and one database per backend (PostGIS, SQLite) for the whole
module, so requests build on what earlier ones stored, as in real use; on the small ``siak_grid``
road graph. Select it alone with ``-m fuzz``.

Excluded: the device ingest endpoints (``/devices/traccar``, ``/devices/owntracks``). They take a
device's own credential, not an API token, and free-form device payloads that the decoders (with
their own corpus and hostile-payload tests) judge rather than the schema. ``PUT
/units/{unit_id}/position`` is fuzzed: with the admin token it is a dispatcher's manual position
through the ingest filters.

Every failure the fuzzer found is kept as a named regression test in
``test_api_found_by_fuzzing.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dispatch_geo.gazetteer import Gazetteer
from dispatch_geo.graph.roadgraph import RoadGraph
from siaga.api import create_app
from siaga.settings import Settings
from tests.integration.api_fixtures import auth, new_incident, openapi_document
from tests.support.postgis import PostgisServer

pytestmark = pytest.mark.fuzz

MAX_EXAMPLES = 25
"""Random requests per operation (the coverage phase adds its boundary cases)."""
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
DEVICE_INGEST = r"^/api/v1/devices/(traccar|owntracks)$"

EXAMPLES: Counter[str] = Counter()
"""Requests sent per backend and operation (printed at the end of the module with ``-s``)."""


schema = schemathesis.openapi.from_dict(openapi_document()).exclude(path_regex=DEVICE_INGEST)


@pytest.fixture(scope="module", params=[pytest.param("postgresql", marks=pytest.mark.postgis), "sqlite"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database per backend for the whole module: a clone of the migrated PostGIS template, or a
    fresh SQLite file."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'siaga.db'}"
        return
    server: PostgisServer = request.getfixturevalue("postgis_server")
    server.start()
    name = server.clone_database(template=request.getfixturevalue("api_migrated_template"))
    yield server.url_for(name)
    server.drop_database(name)


@pytest.fixture(scope="module")
def app_client(backend: str, siak_grid: RoadGraph, gazetteer: Gazetteer) -> Iterator[TestClient]:
    with TestClient(
        create_app(Settings(database_url=backend), road=siak_grid, gazetteer=gazetteer)
    ) as client:
        for _ in range(3):  # ids 1..3 exist, so small generated ids also reach the "found" paths
            new_incident(client)
        yield client
    kind = backend.split(":", 1)[0].split("+", 1)[0]
    counts = {k: n for k, n in EXAMPLES.items() if k.startswith(kind + " ")}
    print(f"\nschemathesis on {kind}: {len(counts)} operations, {sum(counts.values())} requests")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_schema_and_never_5xx(
    case: Any, app_client: TestClient, backend: str
) -> None:
    EXAMPLES[f"{backend.split(':', 1)[0].split('+', 1)[0]} {case.operation.label}"] += 1
    case.call_and_validate(app=app_client.app, headers=auth("admin"), checks=CHECKS)
