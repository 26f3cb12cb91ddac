"""Who may call what: every operation of the OpenAPI document × every caller (anonymous and each role).

The operations are read from ``/openapi.json`` of the running app, so a new route without a rule in
:data:`RULES` fails :func:`test_every_operation_has_a_role_rule`, and a rule for a route that is gone
fails too. Each operation is then called as each caller, with real ids in the path (an incident made
for the test, unit AMB-SIAK-01, service ``ambulance``) and a minimal body:

- anonymous → 401 on every non-public operation;
- a role outside the rule → 403;
- a role inside the rule → anything but 401/403 (a 404/409/422 still shows the role check passed).

On both backends (the rules do not depend on the database, the app's start-up does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api_fixtures import ROLES, auth, new_incident

PUBLIC = "public"
"""No token needed; every caller gets past authentication."""
DEVICE_CREDENTIAL = "device-credential"
"""Device ingest (Traccar / OwnTracks HTTP): authenticated by the device's own credential, not by an
API token. Not asserted here: the device-identity tests (issue 10, device credentials) cover them."""

OPS = frozenset({"dispatcher", "admin", "supervisor"})
"""Operational writes (and caller data)."""
READERS = frozenset({"dispatcher", "admin", "planner", "supervisor"})
"""Reads of the operational picture; planners get caller identity redacted, devices nothing."""
ADMIN = frozenset({"admin"})
PLANNING = frozenset({"planner", "admin"})
"""What-if planning (a supervisor role, when it exists, may join)."""
SCENARIO = {"posts": [{"id": "psc119-siak", "name": "PSC 119 Siak", "lon": 102.05, "lat": 0.8, "units": 1}]}
SUPERVISORS = frozenset({"supervisor", "admin"})
"""Shift actions (open, close, acknowledge the handover)."""
PEOPLE = frozenset({"dispatcher", "planner", "admin", "supervisor"})
"""Any person's role: the console's own session, shifts and handovers; never a device."""
KPI_READERS = frozenset({"planner", "supervisor", "admin"})
"""Response-time KPIs (issue 12 §3)."""
KPI_PERIOD = {"from": "2026-11-01T00:00:00+07:00", "to": "2026-12-01T00:00:00+07:00"}


@dataclass(frozen=True)
class Rule:
    """Who may call one operation, and a minimal request for it."""

    allowed: frozenset[str] | str
    """Roles let through, or :data:`PUBLIC`, :data:`DEVICE_CREDENTIAL`."""
    json: Any = None
    params: dict[str, Any] = field(default_factory=dict)


API = "/api/v1"
RULES: dict[tuple[str, str], Rule] = {
    # meta
    ("GET", f"{API}/health"): Rule(PUBLIC),
    # Prometheus: an admin token, or SIAGA_METRICS_TOKEN (tests/integration/test_api_metrics.py)
    ("GET", "/metrics"): Rule(ADMIN),
    ("GET", f"{API}/graph"): Rule(READERS),
    # units and stations
    ("GET", f"{API}/units"): Rule(READERS),
    ("GET", f"{API}/units.geojson"): Rule(READERS),
    ("GET", f"{API}/live"): Rule(READERS),
    ("GET", f"{API}/units/{{unit_id}}"): Rule(READERS),
    ("GET", f"{API}/stations"): Rule(READERS),
    ("POST", f"{API}/units"): Rule(
        ADMIN, json={"id": "AMB-SIAK-09", "unit_type": "ambulance", "station_id": "psc119-siak"}
    ),
    ("POST", f"{API}/units/{{unit_id}}/status"): Rule(OPS, json={"status": "out_of_service"}),
    # the unit's own device (the demo device token is bound to AMB-SIAK-01), or a dispatcher's manual
    # position; a device reporting for another unit: tests/integration/test_device_trust.py
    ("PUT", f"{API}/units/{{unit_id}}/position"): Rule(
        frozenset({"device", "dispatcher", "admin", "supervisor"}), json={"lon": 102.05, "lat": 0.8}
    ),
    # facilities (hospitals, puskesmas, posts): read by all operational roles, managed by admins
    ("GET", f"{API}/facilities"): Rule(READERS),
    ("POST", f"{API}/facilities"): Rule(
        ADMIN,
        json={
            "id": "rs-matrix",
            "name": "RS Matrix",
            "kind": "hospital",
            "lon": 102.0,
            "lat": 0.8,
            "approximate": True,
            "source": "test",
        },
    ),
    ("PATCH", f"{API}/facilities/{{facility_id}}"): Rule(ADMIN, json={"active": True}),
    # incidents
    ("GET", f"{API}/incidents"): Rule(READERS),
    ("GET", f"{API}/incidents.geojson"): Rule(READERS),
    ("GET", f"{API}/incidents/{{incident_id}}"): Rule(READERS),
    ("POST", f"{API}/incidents"): Rule(
        OPS, json={"incident_type": "medical", "priority": 1, "lon": 102.07, "lat": 0.79}
    ),
    ("PATCH", f"{API}/incidents/{{incident_id}}"): Rule(OPS, json={"priority": 2}),
    ("POST", f"{API}/incidents/{{incident_id}}/close"): Rule(OPS),
    ("POST", f"{API}/incidents/{{incident_id}}/cancel"): Rule(OPS),
    ("POST", f"{API}/incidents/{{incident_id}}/requirements"): Rule(
        OPS, json={"unit_types": ["ambulance"], "count": 1}
    ),
    ("POST", f"{API}/incidents/{{incident_id}}/notes"): Rule(
        OPS, json={"text": "penelepon menunggu di jalan"}
    ),
    # dispatch
    ("POST", f"{API}/incidents/{{incident_id}}/recommendations"): Rule(OPS),
    ("POST", f"{API}/incidents/{{incident_id}}/assignments"): Rule(OPS, json={"unit_id": "AMB-SIAK-01"}),
    ("GET", f"{API}/incidents/{{incident_id}}/assignments"): Rule(READERS),
    ("GET", f"{API}/incidents/{{incident_id}}/timeline"): Rule(READERS),
    ("GET", f"{API}/incidents/{{incident_id}}/routes/{{unit_id}}"): Rule(READERS),
    ("GET", f"{API}/incidents/{{incident_id}}/replay.geojson"): Rule(READERS),
    ("GET", f"{API}/incidents/{{incident_id}}/replay-map.html"): Rule(READERS),
    # coverage
    ("GET", f"{API}/coverage/{{service}}"): Rule(READERS),
    ("GET", f"{API}/coverage/{{service}}/move-up"): Rule(READERS, params={"unit_id": "AMB-SIAK-01"}),
    # what-if planning
    ("GET", f"{API}/planning/{{service}}"): Rule(PLANNING),
    ("POST", f"{API}/planning/{{service}}/evaluate"): Rule(PLANNING, json=SCENARIO),
    ("POST", f"{API}/planning/{{service}}/isochrones"): Rule(PLANNING, json=SCENARIO),
    ("POST", f"{API}/planning/{{service}}/suggest"): Rule(PLANNING, json=SCENARIO),
    ("GET", f"{API}/planning-scenarios"): Rule(PLANNING),
    ("POST", f"{API}/planning-scenarios"): Rule(
        PLANNING, json={**SCENARIO, "name": "matrix", "service": "ambulance"}
    ),
    ("GET", f"{API}/planning-scenarios/{{scenario_id}}"): Rule(PLANNING),
    ("DELETE", f"{API}/planning-scenarios/{{scenario_id}}"): Rule(PLANNING),
    # response-time KPIs (Kinerja): planners and admins (and a supervisor role once it exists)
    ("GET", f"{API}/kpi"): Rule(KPI_READERS, params=KPI_PERIOD),
    ("GET", f"{API}/kpi.csv"): Rule(KPI_READERS, params=KPI_PERIOD),
    ("GET", f"{API}/kpi.xlsx"): Rule(KPI_READERS, params=KPI_PERIOD),
    ("GET", f"{API}/kpi/charts/{{kind}}.svg"): Rule(KPI_READERS, params=KPI_PERIOD),
    # console data (the console pages and static files are public and outside the OpenAPI document)
    ("GET", f"{API}/places"): Rule(READERS, params={"q": "siak"}),
    ("GET", f"{API}/locate"): Rule(READERS, params={"lon": 102.05, "lat": 0.8}),
    ("GET", f"{API}/map/roads.geojson"): Rule(READERS),
    ("GET", f"{API}/map/boundaries.geojson"): Rule(READERS),
    # devices
    ("GET", f"{API}/devices/traccar"): Rule(DEVICE_CREDENTIAL),
    ("POST", f"{API}/devices/traccar"): Rule(DEVICE_CREDENTIAL),
    ("POST", f"{API}/devices/owntracks"): Rule(DEVICE_CREDENTIAL),
    ("GET", f"{API}/devices/unknown"): Rule(ADMIN),
    ("GET", f"{API}/devices"): Rule(ADMIN),
    ("POST", f"{API}/devices"): Rule(ADMIN, json={"unit_id": "AMB-SIAK-02", "device_id": "amb-siak-02"}),
    ("POST", f"{API}/devices/{{login}}/credential"): Rule(ADMIN),
    ("DELETE", f"{API}/devices/{{login}}/credential"): Rule(ADMIN),
    ("GET", f"{API}/device/assignment"): Rule(frozenset({"device"})),
    # operator accounts and console sessions (a bearer token may ask who it is; the login is public)
    # (a malformed username: 422 shows the login is reachable; a wrong password's 401 is its own test)
    ("POST", f"{API}/auth/login"): Rule(PUBLIC, json={"username": "?", "password": "wrong-password"}),
    ("POST", f"{API}/auth/logout"): Rule(PUBLIC),
    ("GET", f"{API}/auth/session"): Rule(PEOPLE),
    ("POST", f"{API}/auth/password"): Rule(
        PEOPLE, json={"current_password": "x", "new_password": "new-password-1"}
    ),
    ("GET", f"{API}/operators"): Rule(ADMIN),
    ("POST", f"{API}/operators"): Rule(
        ADMIN, json={"username": "matrix", "password": "matrix-password", "roles": ["dispatcher"]}
    ),
    ("PATCH", f"{API}/operators/{{username}}"): Rule(ADMIN, json={"disabled": True}),
    ("POST", f"{API}/operators/{{username}}/password"): Rule(ADMIN, json={"password": "new-password-1"}),
    ("GET", f"{API}/account-events"): Rule(ADMIN),
    # shifts and handovers
    ("GET", f"{API}/shifts/current"): Rule(PEOPLE),
    ("POST", f"{API}/shifts"): Rule(SUPERVISORS, json={}),
    ("POST", f"{API}/shifts/{{shift_id}}/close"): Rule(SUPERVISORS, json={"notes": "aman"}),
    ("GET", f"{API}/shifts/{{shift_id}}/handover"): Rule(PEOPLE),
    ("POST", f"{API}/shifts/{{shift_id}}/acknowledge"): Rule(SUPERVISORS),
    # the crew page (issue 13): the unit's own device only
    ("GET", f"{API}/crew/assignment"): Rule(frozenset({"device"})),
    ("POST", f"{API}/crew/status"): Rule(frozenset({"device"}), json={"status": "en_route"}),
    # devices an operator manages (issue 13; supervisor later)
    ("DELETE", f"{API}/units/{{unit_id}}/device"): Rule(ADMIN),
    ("POST", f"{API}/devices/{{login}}/setup-sheet"): Rule(ADMIN),
    ("GET", f"{API}/devices/health"): Rule(OPS),
    ("POST", f"{API}/units/position-requests"): Rule(OPS, json={"unit_types": ["water_tanker"]}),
    # road closures: dispatchers, supervisors and admins close and lift; every reader sees them
    ("GET", f"{API}/closures"): Rule(READERS),
    ("POST", f"{API}/closures"): Rule(
        OPS, json={"reason": "banjir", "expires_at": "2099-01-01T00:00:00+00:00", "points": []}
    ),
    ("POST", f"{API}/closures/{{closure_id}}/lift"): Rule(OPS),
    ("GET", f"{API}/arrival-proposals"): Rule(OPS),
}
NOT_ASSERTED = {DEVICE_CREDENTIAL}
CALLERS = ("anonymous", *ROLES)
METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def _operations(client: TestClient) -> set[tuple[str, str]]:
    document = client.get("/openapi.json")
    assert document.status_code == 200, document.text
    paths: dict[str, dict[str, Any]] = document.json()["paths"]
    return {(method.upper(), path) for path, item in paths.items() for method in item if method in METHODS}


@pytest.fixture
def client(db_url: str, make_client: Callable[..., TestClient]) -> TestClient:
    """The app on each backend, without the failed-auth limit: this test sends ~50 anonymous calls
    from one address on purpose (the limit has its own tests in test_api_auth_rate_limit.py)."""
    return make_client(db_url, auth_failure_limit=0)


@pytest.fixture
def sqlite_client(tmp_path: Path, make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(f"sqlite:///{tmp_path / 'siaga.db'}")


def test_every_operation_has_a_role_rule(sqlite_client: TestClient) -> None:
    operations = _operations(sqlite_client)
    missing = sorted(operations - RULES.keys())
    gone = sorted(RULES.keys() - operations)
    problems = []
    if missing:
        problems.append(
            f"operations without a role rule: {missing}. Add each to RULES in {__name__} with the "
            "roles that may call it (and update the roles section of docs/dispatch.md)"
        )
    if gone:
        problems.append(f"RULES names operations no longer in the OpenAPI document, remove them: {gone}")
    assert not problems, "\n".join(problems)


def _url(path: str, incident_id: int) -> str:
    values = {
        "incident_id": str(incident_id),
        "unit_id": "AMB-SIAK-01",
        "service": "ambulance",
        "login": "amb-siak-02",
        "facility_id": "rsud-perawang",
        "scenario_id": "1",
        "username": "nobody",
        "shift_id": "1",
        "kind": "weekly",
        "closure_id": "1",
    }
    unknown = set(re.findall(r"{(\w+)}", path)) - values.keys()
    assert not unknown, f"{path}: add a real value for path parameter(s) {unknown} to _url"
    return path.format(**values)


def _call(client: TestClient, method: str, url: str, rule: Rule, caller: str) -> Any:
    headers = {} if caller == "anonymous" else auth(caller)
    kwargs: dict[str, Any] = {"headers": headers, "params": rule.params}
    if rule.json is not None:
        kwargs["json"] = rule.json
    return client.request(method, url, **kwargs)


def test_each_caller_gets_only_what_its_role_allows(client: TestClient) -> None:
    operations = _operations(client)
    assert operations <= RULES.keys(), "see test_every_operation_has_a_role_rule"
    incident_id = new_incident(client)
    problems: list[str] = []
    for (method, path), rule in RULES.items():
        if rule.allowed in NOT_ASSERTED or (method, path) not in operations:
            continue
        url = _url(path, incident_id)
        for caller in CALLERS:
            status = _call(client, method, url, rule, caller)
            if rule.allowed == PUBLIC or (caller != "anonymous" and caller in rule.allowed):
                expected = "not 401/403"
                ok = status.status_code not in {401, 403}
            elif caller == "anonymous":
                expected = "401"
                ok = status.status_code == 401
            else:
                expected = "403"
                ok = status.status_code == 403 and f"role {caller} may not" in status.json()["detail"]
            if not ok:
                problems.append(f"{method} {path} as {caller}: {status.status_code}, expected {expected}")
    assert not problems, "\n".join(problems)


def test_allowed_readers_really_read(client: TestClient) -> None:
    """Past the role check is not enough for a read: each allowed role gets the data (2xx)."""
    operations = _operations(client)
    incident_id = new_incident(client)
    opened = client.post(f"{API}/shifts", headers=auth("supervisor"), json={})  # shift #1 (its handover)
    assert opened.status_code == 201, opened.text
    problems = []
    for (method, path), rule in RULES.items():
        skipped = rule.allowed in NOT_ASSERTED or rule.allowed == PUBLIC
        if method != "GET" or skipped or (method, path) not in operations:
            continue
        if path.endswith("/move-up"):
            continue  # needs an available unit with a position: tests/integration/test_api_coverage.py
        if "{scenario_id}" in path:
            continue  # needs a saved scenario: tests/integration/test_api_planning.py
        if path.endswith("/routes/{unit_id}"):
            continue  # needs a unit with a position: tests/integration/test_api_routes_on_demand.py
        for role in sorted(rule.allowed):
            response = _call(client, method, _url(path, incident_id), rule, role)
            if not 200 <= response.status_code < 300:
                problems.append(f"GET {path} as {role}: {response.status_code} {response.text[:200]}")
    assert not problems, "\n".join(problems)
