"""Every failure schemathesis found (``test_api_fuzz.py``), kept as a named test on both backends.

Each case is replayed through the same schemathesis checks as the fuzzer (no 5xx; status code,
content type and body as documented in the OpenAPI document), so the test fails again if either the
answer or the document regresses. Found on the code before issue 10's fixes:

1. ``incident_id`` = 2^63 → 500 on 8 operations (``OverflowError`` on SQLite, ``bigint out of range``
   on PostGIS): ids are now bounded to a BIGINT in the signatures (and the document).
2. 401 (and 403) answered by every authenticated operation but documented by none.
3. 422 bodies (``detail`` + ``errors``) violating the documented FastAPI ``HTTPValidationError``
   (a list under ``detail``): the document now describes the bodies the handlers really send.
4. GeoJSON answers (``application/geo+json``) documented as ``application/json`` (7 operations).
5. 400 for a body that is not UTF-8 JSON, undocumented.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.api_fixtures import auth, new_incident, openapi_document

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
API = "/api/v1"
BEYOND_BIGINT = 2**63
SCHEMA = schemathesis.openapi.from_dict(openapi_document())


class Api:
    """The app under test and its OpenAPI document, loaded as schemathesis sees it (the document is the
    same for every app: built once)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.schema = SCHEMA

    def replay(self, method: str, path: str, *, headers: dict[str, str] | None = None, **case: Any) -> Any:
        """Send one case through the app and run the fuzzer's checks on the answer."""
        operation = self.schema[API + path][method]
        response = operation.Case(**case).call_and_validate(
            app=self.client.app, headers=auth("admin") if headers is None else headers, checks=CHECKS
        )
        return response


@pytest.fixture
def api(db_url: str, make_client: Callable[..., TestClient]) -> Api:
    client = make_client(db_url)
    new_incident(client)
    return Api(client)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/incidents/{incident_id}"),
        ("POST", "/incidents/{incident_id}/close"),
        ("POST", "/incidents/{incident_id}/cancel"),
        ("POST", "/incidents/{incident_id}/recommendations"),
        ("GET", "/incidents/{incident_id}/assignments"),
        ("GET", "/incidents/{incident_id}/timeline"),
        ("GET", "/incidents/{incident_id}/replay.geojson"),
        ("GET", "/incidents/{incident_id}/replay-map.html"),
    ],
)
def test_incident_id_beyond_bigint_is_a_422_not_a_500(api: Api, method: str, path: str) -> None:
    body: dict[str, Any] = {"body": None} if method == "POST" else {}
    response = api.replay(method, path, path_parameters={"incident_id": BEYOND_BIGINT}, **body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "incident_id"


def test_a_missing_token_is_a_documented_401(api: Api) -> None:
    response = api.replay("GET", "/graph", headers={})
    assert response.status_code == 401
    assert "missing API token" in response.json()["detail"]


def test_a_role_without_the_right_is_a_documented_403(api: Api) -> None:
    response = api.replay(
        "POST", "/incidents/{incident_id}/cancel", headers=auth("planner"), path_parameters={"incident_id": 1}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "path", "case", "field"),
    [
        ("GET", "/units", {"query": {"unit_type": "tank"}}, "unit_type.0"),
        ("POST", "/incidents/{incident_id}/assignments", {"path_parameters": {"incident_id": 1}}, "body"),
        (
            "POST",
            "/incidents",
            {"body": {"incident_type": "medical", "priority": 9, "place": "Minas"}},
            "priority",
        ),
    ],
)
def test_validation_errors_match_the_documented_error_body(
    api: Api, method: str, path: str, case: dict[str, Any], field: str
) -> None:
    response = api.replay(method, path, **case)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize(
    ("path", "case"),
    [
        ("/units", {"query": {"format": "geojson"}}),
        ("/units.geojson", {}),
        ("/incidents", {"query": {"format": "geojson"}}),
        ("/incidents.geojson", {}),
        ("/map/roads.geojson", {}),
        ("/map/boundaries.geojson", {}),
        ("/incidents/{incident_id}/replay.geojson", {"path_parameters": {"incident_id": 1}}),
    ],
)
def test_geojson_answers_are_documented_as_geojson(api: Api, path: str, case: dict[str, Any]) -> None:
    response = api.replay("GET", path, **case)
    assert response.status_code == 200
    assert response.headers["content-type"] == ["application/geo+json"]  # schemathesis: header → values
    assert response.json()["type"] == "FeatureCollection"


def test_a_body_that_is_not_utf8_is_a_documented_400(api: Api) -> None:
    response = api.client.patch(
        f"{API}/incidents/1",
        content=b"\xff(50\x7fz\x18\xe9\xe9C",
        headers={**auth("admin"), "Content-Type": "application/json"},
    )
    operation = api.schema[f"{API}/incidents/{{incident_id}}"]["PATCH"]
    operation.Case(path_parameters={"incident_id": 1}).validate_response(response, checks=CHECKS)
    assert response.status_code == 400
