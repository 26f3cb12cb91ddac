"""The history search over closed and cancelled incidents (issue 11): by time, text and kecamatan, on
PostGIS and on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from fastapi.testclient import TestClient

from tests.integration.api_fixtures import SIAK_TOWN, auth, place_unit
from tests.integration.call_steps import create, walk

API = "/api/v1"


def _ids(client: TestClient, **params: object) -> list[int]:
    response = client.get(f"{API}/incidents", headers=auth("planner"), params=params)
    assert response.status_code == 200, response.text
    return [i["id"] for i in response.json()]


def test_history_finds_closed_and_cancelled_incidents_by_time_text_and_kecamatan(client: TestClient) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    place_unit(client, "AMB-SIAK-01", SIAK_TOWN)
    closed = create(
        client, incident_type="medical", landmark="Dekat Masjid Al-Falah", description="sesak napas"
    )
    cancelled = create(
        client, incident_type="crime", lon=SIAK_TOWN[0], lat=SIAK_TOWN[1], address="Jl. Sultan 5"
    )
    open_one = create(client, incident_type="flood", description="banjir 50% rumah")
    assigned = client.post(
        f"{API}/incidents/{closed['id']}/assignments",
        headers=auth("dispatcher"),
        json={"unit_id": "AMB-SIAK-01"},
    )
    assert assigned.status_code == 201
    walk(client, "AMB-SIAK-01", ["en_route", "on_scene"])
    assert (
        client.post(
            f"{API}/incidents/{closed['id']}/close", headers=auth("dispatcher"), json={"reason": "resolved"}
        ).status_code
        == 200
    )
    assert (
        client.post(f"{API}/incidents/{cancelled['id']}/cancel", headers=auth("dispatcher")).status_code
        == 200
    )
    after = datetime.now(UTC) + timedelta(seconds=1)

    everything = {closed["id"], cancelled["id"], open_one["id"]}
    assert set(_ids(client, **{"from": before.isoformat(), "to": after.isoformat()})) == everything
    # in WIB (UTC+7) the same instants
    wib = timezone(timedelta(hours=7))
    assert set(_ids(client, **{"from": before.astimezone(wib).isoformat()})) == everything
    assert _ids(client, **{"to": before.isoformat()}) == []
    assert _ids(client, **{"from": after.isoformat()}) == []
    assert set(_ids(client, status=["closed", "cancelled"])) == {closed["id"], cancelled["id"]}
    assert _ids(client, q="masjid al-falah") == [closed["id"]]  # landmark, any case
    assert _ids(client, q="SESAK") == [closed["id"]]  # description
    assert _ids(client, q="jl. sultan") == [cancelled["id"]]  # address
    assert _ids(client, q="50%") == [open_one["id"]]  # % is text, not a wildcard
    assert _ids(client, q="_") == []
    kecamatan = closed["kecamatan"]
    assert set(_ids(client, q=kecamatan["nama"].upper())) >= {closed["id"], open_one["id"]}
    assert set(_ids(client, kecamatan=kecamatan["kode"])) >= {closed["id"], open_one["id"]}
    assert _ids(client, kecamatan=kecamatan["kode"], status="closed", q="masjid") == [closed["id"]]
    assert _ids(client, kecamatan="14.99.99") == []
    assert _ids(client, incident_type="crime", status="cancelled") == [cancelled["id"]]
    # paging pages the history only: every open incident comes first on every page
    history = _ids(client, status=["closed", "cancelled"])
    assert len(_ids(client, status=["closed", "cancelled"], limit=1)) == 1
    assert (
        _ids(client, status=["closed", "cancelled"], limit=1)
        + _ids(client, status=["closed", "cancelled"], limit=1, offset=1)
        == history
    )
    assert _ids(client, limit=1)[:-1] == [open_one["id"]], "the open incident is on the page, not paged away"

    for bad in (
        {"from": "2026-11-29T10:00:00"},  # naive
        {"from": "yesterday"},
        {"from": after.isoformat(), "to": before.isoformat()},
        {"q": ""},
        {"q": "x" * 101},
        {"q": "a\x00"},
        {"kecamatan": "14.08'; --"},
        {"kecamatan": "1" * 21},
        {"limit": 0},
        {"limit": 501},
        {"offset": -1},
        {"offset": 10**20},
        {"from": "0001-01-01T00:00:00+14:00"},
    ):
        response = client.get(f"{API}/incidents", headers=auth("dispatcher"), params=bad)
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["code"] in {"validation_error", "empty_time_range"}
