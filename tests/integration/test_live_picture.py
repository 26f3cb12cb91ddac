"""The live picture under a shift's load: no open incident drops out, no late status undoes a dispatch.

Issue 16, findings 1 and 2, on both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from dispatch_geo.domain.incidents import IncidentStatus, IncidentType
from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage import incident_repo
from tests.integration.api_fixtures import NEAR_TOWN, SIAK_TOWN, auth, new_incident, place_unit

API = "/api/v1"
OPEN = "status=new&status=dispatched&status=on_scene"


def seed_cancelled(app_client: TestClient, count: int) -> None:
    """``count`` cancelled P1 incidents of the last hours (a long shift's history), written directly."""
    seed_cancelled_in(app_client.app.state.siaga.sessions, count)  # type: ignore[attr-defined]


def seed_cancelled_in(sessions: sessionmaker[Session], count: int) -> None:
    """:func:`seed_cancelled` through a session factory (e.g. a running console's)."""
    start = datetime.now(UTC) - timedelta(hours=6)
    with sessions.begin() as session:
        for i in range(count):
            row = incident_repo.create_incident(
                session,
                incident_type=IncidentType.MEDICAL,
                priority=1,
                location=LonLat(*NEAR_TOWN),
                created_at=start + timedelta(seconds=20 * i),
                created_by="test",
            )
            incident_repo.change_incident_status(
                session,
                incident_id=row.id,
                new_status=IncidentStatus.CANCELLED,
                at=start + timedelta(seconds=20 * i + 5),
            )


def test_an_open_incident_is_never_capped_out_of_the_live_picture(client: TestClient) -> None:
    seed_cancelled(client, 600)
    newest = new_incident(client, "other", NEAR_TOWN)
    client.patch(f"{API}/incidents/{newest}", headers=auth("dispatcher"), json={"priority": 3})
    # what the console polls, and the unfiltered list and map layer with their default caps
    for path in (f"/incidents?{OPEN}", "/incidents", "/incidents.geojson", "/incidents?format=geojson"):
        body = client.get(API + path, headers=auth("dispatcher")).json()
        items = body["features"] if isinstance(body, dict) else body
        ids = [(f["properties"]["id"] if "properties" in f else f["id"]) for f in items]
        assert newest in ids, f"{path}: the open P3 incident is missing behind 600 closed ones"
        assert ids[0] == newest, f"{path}: open incidents come first"
    page = client.get(
        f"{API}/incidents?status=cancelled&limit=50&offset=100", headers=auth("dispatcher")
    ).json()
    assert len(page) == 50, "history is paged"
    created = [p["created_at"] for p in page]
    assert created == sorted(created, reverse=True), "history newest first"


def test_a_late_status_update_for_a_reassigned_unit_changes_nothing(client: TestClient) -> None:
    place_unit(client, "AMB-SIAK-01", SIAK_TOWN)
    first = new_incident(client, "medical", NEAR_TOWN)
    assign = client.post(
        f"{API}/incidents/{first}/assignments", headers=auth("dispatcher"), json={"unit_id": "AMB-SIAK-01"}
    )
    assert assign.status_code == 201, assign.text
    # the crew finishes the first call: the unit is free again...
    done = client.post(
        f"{API}/units/AMB-SIAK-01/status",
        headers=auth("dispatcher"),
        json={"status": "available", "expected_status": "dispatched", "expected_incident_id": first},
    )
    assert done.status_code == 200, done.text
    # ...and is sent to a second incident at once
    second = new_incident(client, "medical", NEAR_TOWN)
    assert (
        client.post(
            f"{API}/incidents/{second}/assignments",
            headers=auth("dispatcher"),
            json={"unit_id": "AMB-SIAK-01"},
        ).status_code
        == 201
    )
    # a late "available" based on the first call (a second console, a retried request) is refused
    late = client.post(
        f"{API}/units/AMB-SIAK-01/status",
        headers=auth("dispatcher"),
        json={"status": "available", "expected_status": "dispatched", "expected_incident_id": first},
    )
    assert late.status_code == 409, late.text
    assert late.json()["code"] == "unit_reassigned"
    assert late.json()["params"] == {
        "unit_id": "AMB-SIAK-01",
        "expected_incident_id": first,
        "actual_incident_id": second,
    }
    stale_status = client.post(
        f"{API}/units/AMB-SIAK-01/status",
        headers=auth("dispatcher"),
        json={"status": "on_scene", "expected_status": "en_route", "expected_incident_id": second},
    )
    assert stale_status.status_code == 409
    assert stale_status.json()["code"] == "unit_status_changed"
    assert stale_status.json()["params"]["actual"] == "dispatched"
    unit = client.get(f"{API}/units/AMB-SIAK-01", headers=auth("dispatcher")).json()
    assert unit["status"] == "dispatched"
    incident = client.get(f"{API}/incidents/{second}", headers=auth("dispatcher")).json()
    assert incident["status"] == "dispatched"
    assert incident["assigned_units"] == ["AMB-SIAK-01"]
