"""Facilities as data (issue 11 §2), on PostGIS and on SQLite: seeded from the fleet's stations and the
shipped hospital points, managed by an admin (API, CSV import), and the hospital a transporting
ambulance drives to, with its road ETA, kept in the record and off the unit once it is free again."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.integration.api_fixtures import NEAR_TOWN, SIAK_TOWN, auth, new_incident, place_unit

API = "/api/v1"


def _facilities(client: TestClient, role: str = "planner", **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"{API}/facilities", headers=auth(role), params=params)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


def _status(client: TestClient, unit_id: str, status: str, **extra: Any) -> Any:
    return client.post(
        f"{API}/units/{unit_id}/status", headers=auth("dispatcher"), json={"status": status, **extra}
    )


def test_facilities_are_seeded_from_the_stations_and_the_hospital_points(client: TestClient) -> None:
    every = {f["id"]: f for f in _facilities(client)}
    # the fleet's stations, their kind from the agency that runs them
    assert every["damkar-siak"]["kind"] == "damkar_post"
    assert every["polres-siak"]["kind"] == "police_post"
    assert every["polsek-kandis"]["kind"] == "police_post"
    assert every["puskesmas-minas"]["kind"] == "puskesmas"
    assert every["bpbd-siak"]["kind"] == "bpbd_post"
    assert every["psc119-siak"]["kind"] == "psc_post"
    # the shipped hospital points win over the station's stand-in, and say they are approximate
    rafian = every["rsud-tengku-rafian"]
    assert rafian["kind"] == "hospital"
    assert rafian["location"] == {"lon": 102.04789, "lat": 0.80018}
    assert rafian["approximate"] is True
    assert "REFERENCE.md" in rafian["source"]
    assert every["rsud-perawang"]["location"] == {"lon": 101.57226, "lat": 0.68802}
    assert all(f["source"] for f in every.values())
    hospitals = _facilities(client, kind="hospital")
    assert {f["id"] for f in hospitals} == {"rsud-tengku-rafian", "rsud-perawang"}
    both = _facilities(client, kind=["hospital", "puskesmas"])
    assert {f["kind"] for f in both} == {"hospital", "puskesmas"}


def test_an_admin_adds_and_changes_a_facility_and_others_may_not(
    db_url: str, client: TestClient, make_client: Callable[..., TestClient]
) -> None:
    body = {
        "id": "rs-awal-bros-pekanbaru",
        "name": "RS Awal Bros Pekanbaru",
        "kind": "hospital",
        "lon": 101.45,
        "lat": 0.51,
        "approximate": True,
        "source": "dinas kesehatan list, 2026",
    }
    assert client.post(f"{API}/facilities", headers=auth("dispatcher"), json=body).status_code == 403
    assert client.post(f"{API}/facilities", headers=auth("planner"), json=body).status_code == 403
    created = client.post(f"{API}/facilities", headers=auth("admin"), json=body)
    assert created.status_code == 201, created.text
    assert created.json()["active"] is True
    again = client.post(f"{API}/facilities", headers=auth("admin"), json=body)
    assert again.status_code == 409
    assert again.json()["code"] == "facility_exists"
    patch = {"lon": 101.4512, "lat": 0.5088, "approximate": False, "source": "surveyed 2026-11-30"}
    changed = client.patch(f"{API}/facilities/rs-awal-bros-pekanbaru", headers=auth("admin"), json=patch)
    assert changed.status_code == 200, changed.text
    assert changed.json()["location"] == {"lon": 101.4512, "lat": 0.5088}
    assert changed.json()["approximate"] is False
    half = client.patch(
        f"{API}/facilities/rs-awal-bros-pekanbaru", headers=auth("admin"), json={"lon": 101.5}
    )
    assert half.status_code == 422
    assert half.json()["code"] == "lon_lat_together"
    gone = client.patch(f"{API}/facilities/no-such-place", headers=auth("admin"), json={"active": False})
    assert gone.status_code == 404
    assert gone.json()["code"] == "not_found"
    assert gone.json()["params"]["what"] == "facility"
    swapped = client.post(f"{API}/facilities", headers=auth("admin"), json={**body, "id": "x", "lon": 0.5})
    assert swapped.status_code == 422
    assert (
        client.patch(
            f"{API}/facilities/rs-awal-bros-pekanbaru", headers=auth("dispatcher"), json={"active": False}
        ).status_code
        == 403
    )
    off = client.patch(
        f"{API}/facilities/rs-awal-bros-pekanbaru", headers=auth("admin"), json={"active": False}
    )
    assert off.json()["active"] is False
    assert "rs-awal-bros-pekanbaru" not in {f["id"] for f in _facilities(client, active=True)}
    # a restart adds what is missing and never undoes an admin's change
    fixed = client.patch(
        f"{API}/facilities/rsud-perawang",
        headers=auth("admin"),
        json={"approximate": False, "source": "survey"},
    )
    assert fixed.status_code == 200, fixed.text
    again_started = make_client(db_url)
    every = {f["id"]: f for f in _facilities(again_started)}
    assert every["rsud-perawang"]["approximate"] is False
    assert every["rs-awal-bros-pekanbaru"]["active"] is False
    assert "damkar-siak" in every


def _send_to_scene(client: TestClient, unit_id: str = "AMB-SIAK-01") -> int:
    place_unit(client, unit_id, SIAK_TOWN)
    incident_id = new_incident(client, "medical")
    assigned = client.post(
        f"{API}/incidents/{incident_id}/assignments", headers=auth("dispatcher"), json={"unit_id": unit_id}
    )
    assert assigned.status_code == 201, assigned.text
    for status in ("en_route", "on_scene"):
        assert _status(client, unit_id, status).status_code == 200
    place_unit(client, unit_id, NEAR_TOWN)
    return incident_id


def test_transporting_takes_a_destination_with_its_eta_until_the_unit_is_free(client: TestClient) -> None:
    incident_id = _send_to_scene(client)
    # the chooser: hospitals nearest first by road from the ambulance, with the minutes
    offered = _facilities(client, "dispatcher", kind="hospital", from_unit="AMB-SIAK-01")
    assert [f["id"] for f in offered] == ["rsud-tengku-rafian", "rsud-perawang"]
    assert 0 < offered[0]["eta_min"] < offered[1]["eta_min"]
    assert offered[0]["distance_km"] > 0

    moved = _status(client, "AMB-SIAK-01", "transporting", destination_facility_id="rsud-tengku-rafian")
    assert moved.status_code == 200, moved.text
    destination = moved.json()["unit"]["destination"]
    assert destination["id"] == "rsud-tengku-rafian"
    assert destination["name"] == "RSUD Tengku Rafian"
    assert destination["kind"] == "hospital"
    assert destination["approximate"] is True
    assert destination["eta_min"] == offered[0]["eta_min"]
    assert destination["distance_km"] == offered[0]["distance_km"]
    geojson = client.get(f"{API}/units.geojson", headers=auth("dispatcher")).json()
    props = {f["properties"]["id"]: f["properties"] for f in geojson["features"]}
    assert props["AMB-SIAK-01"]["destination"]["id"] == "rsud-tengku-rafian"
    assert props["AMB-SIAK-02"]["destination"] is None

    timeline = client.get(f"{API}/incidents/{incident_id}/timeline", headers=auth("planner")).json()
    transporting = [
        e
        for e in timeline["entries"]
        if e["kind"] == "unit_status" and e["params"]["to_status"] == "transporting"
    ]
    assert transporting[0]["params"]["destination"] == "RSUD Tengku Rafian"
    assert transporting[0]["detail"]["destination"]["id"] == "rsud-tengku-rafian"
    assert "RSUD Tengku Rafian" in transporting[0]["summary"]

    # at the hospital the destination stays; free again, it leaves the unit and stays in the record
    at = _status(client, "AMB-SIAK-01", "at_hospital")
    assert at.json()["unit"]["destination"]["id"] == "rsud-tengku-rafian"
    free = _status(client, "AMB-SIAK-01", "available")
    assert free.status_code == 200, free.text
    assert free.json()["unit"]["destination"] is None
    assert client.get(f"{API}/units/AMB-SIAK-01", headers=auth("planner")).json()["destination"] is None
    record = client.get(f"{API}/incidents/{incident_id}/assignments", headers=auth("planner")).json()
    assert record[0]["destination_facility_id"] == "rsud-tengku-rafian"
    assert record[0]["released_at"] is not None


def test_a_destination_is_refused_with_another_status_or_an_unknown_facility(client: TestClient) -> None:
    _send_to_scene(client)
    wrong = _status(client, "AMB-SIAK-01", "returning", destination_facility_id="rsud-tengku-rafian")
    assert wrong.status_code == 422, wrong.text
    assert wrong.json()["code"] == "destination_needs_transporting"
    assert wrong.json()["params"]["status"] == "returning"
    unknown = _status(client, "AMB-SIAK-01", "transporting", destination_facility_id="rsud-nowhere")
    assert unknown.status_code == 404, unknown.text
    assert unknown.json()["code"] == "not_found"
    assert unknown.json()["params"] == {"what": "facility", "id": "rsud-nowhere"}
    police = _status(client, "AMB-SIAK-01", "transporting", destination_facility_id="polres-siak")
    assert police.status_code == 422
    assert police.json()["code"] == "destination_not_treating"
    # nothing changed by the refusals
    unit = client.get(f"{API}/units/AMB-SIAK-01", headers=auth("dispatcher")).json()
    assert unit["status"] == "on_scene"
    assert unit["destination"] is None
    # without a destination, transporting is still accepted (the console always asks)
    plain = _status(client, "AMB-SIAK-01", "transporting")
    assert plain.status_code == 200
    assert plain.json()["unit"]["destination"] is None


def test_from_unit_must_name_a_unit(client: TestClient) -> None:
    response = client.get(f"{API}/facilities", headers=auth("dispatcher"), params={"from_unit": "NOPE-1"})
    assert response.status_code == 404
    assert response.json()["params"] == {"what": "unit", "id": "NOPE-1"}


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from siaga.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_csv_import_upserts_by_id_or_reports_every_problem_and_stores_nothing(
    db_url: str, client: TestClient, tmp_path: Path
) -> None:
    env = {**os.environ, "SIAGA_DATABASE_URL": db_url, "COLUMNS": "200"}
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,name,kind,lon,lat,approximate,source\n"
        "pustu-teluk-lanus,Pustu Teluk Lanus,puskesmas,101.93,0.66,true,survey\n"
        "Bad Id,Klinik,clinic,0.66,101.93,maybe,\n"
        "pustu-teluk-lanus,Pustu Teluk Lanus 2,puskesmas,101.93,0.66,true,survey\n",
        encoding="utf-8",
    )
    failed = _cli(env, "facilities", "import", str(bad))
    assert failed.returncode == 2, failed.stdout
    out = " ".join(failed.stderr.split())
    for problem in (
        "line 3: id 'Bad Id'",
        "kind 'clinic'",
        "swapped?",
        "approximate 'maybe'",
        "source must",
        "line 4: id 'pustu-teluk-lanus' is already used on line 2",
    ):
        assert problem in out, (problem, out)
    assert "pustu-teluk-lanus" not in {f["id"] for f in _facilities(client)}

    good = tmp_path / "good.csv"
    good.write_text(
        "id,name,kind,lon,lat,approximate,source,note\n"
        "pustu-teluk-lanus,Pustu Teluk Lanus,puskesmas,101.93,0.66,true,survey 2026,\n"
        "rsud-perawang,RSUD Perawang,hospital,101.5723,0.6881,false,surveyed 2026-11-30,gate on Jl. Raya\n",
        encoding="utf-8",
    )
    done = _cli(env, "facilities", "import", str(good))
    assert done.returncode == 0, done.stderr
    assert "1 facilities added, 1 updated" in done.stdout
    every = {f["id"]: f for f in _facilities(client)}
    assert every["pustu-teluk-lanus"]["kind"] == "puskesmas"
    assert every["rsud-perawang"]["approximate"] is False
    assert every["rsud-perawang"]["location"] == {"lon": 101.5723, "lat": 0.6881}
