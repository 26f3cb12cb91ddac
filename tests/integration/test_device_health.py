"""Device health (issue 13): a phone's battery, its clock and its rejected fixes are kept per device,
raise the console's alerts, and survive a restart of the server. Over the OwnTracks HTTP mode and
Traccar Client, on both databases."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from tests.integration.api_fixtures import auth
from tests.integration.test_api_devices import enrol

API = "/api/v1"
AMB, DMK = "AMB-SIAK-01", "DMK-SIAK-01"


def _owntracks(client: TestClient, secret: str, **fields: object) -> int:
    body = {"_type": "location", "lat": 0.80, "lon": 102.04, **fields}
    r = client.post(
        f"{API}/devices/owntracks",
        json=body,
        headers={"X-Limit-U": "amb-siak-01", "X-Limit-D": "phone"},
        auth=("amb-siak-01", secret),
    )
    assert r.status_code in (200, 400), r.text
    return r.status_code


def _health(client: TestClient, unit_id: str) -> dict[str, Any]:
    rows = client.get(f"{API}/devices/health", headers=auth("dispatcher")).json()
    row: dict[str, Any] = next(r for r in rows if r["unit_id"] == unit_id)
    return row


def _codes(row: dict[str, Any]) -> list[str]:
    return [a["code"] for a in row["alerts"]]


def test_battery_clock_and_rejections_raise_alerts_and_survive_a_restart(db_url: str, make_client) -> None:
    client = make_client(db_url)
    secret = enrol(client, AMB, "amb-siak-01/phone")
    time.sleep(1.1)  # ingest re-reads device pairings on a miss, at most once a second
    now = int(time.time())
    assert _owntracks(client, secret, tst=now - 5, batt=12) == 200, "accepted"
    assert _owntracks(client, secret, tst=now + 3600, batt=11) == 400  # the phone's clock is an hour ahead

    row = _health(client, AMB)
    assert row["battery_pct"] == 11  # the newest reading, though its fix was refused
    assert row["app"] == "owntracks"
    assert (row["fixes_today"], row["fixes_rejected_today"]) == (1, 1)
    assert row["last_rejection_reason"] == "future_fix"
    assert row["last_rejection_at"] is not None
    assert _codes(row) == ["device_battery_low", "device_clock_off"]
    battery, clock = row["alerts"]
    assert battery["params"] == {"pct": 11, "limit_pct": 15}
    assert 3590 <= clock["params"]["ahead_s"] <= 3610

    client.__exit__(None, None, None)  # the server stops...
    again = make_client(db_url)  # ...and starts: the figures come from the database
    after = _health(again, AMB)
    for key in ("battery_pct", "fixes_rejected_today", "last_rejection_reason", "clock_ahead_s"):
        assert after[key] == row[key], key
    assert _codes(after) == ["device_battery_low", "device_clock_off"]

    # the phone is charged and its clock set right: the alerts go, the day's rejection stays counted
    assert _owntracks(again, secret, tst=int(time.time()), batt=80) == 200
    fixed = _health(again, AMB)
    assert _codes(fixed) == []
    assert (fixed["battery_pct"], fixed["fixes_rejected_today"]) == (80, 1)


def test_traccar_battery_and_a_replaced_device_start_afresh(db_url: str, make_client) -> None:
    client = make_client(db_url, device_battery_low_pct=30)
    secret = enrol(client, DMK, "dmk-old")
    time.sleep(1.1)  # ingest re-reads device pairings on a miss, at most once a second
    r = client.get(
        f"{API}/devices/traccar",
        params={
            "id": "dmk-old",
            "lat": "0.79",
            "lon": "102.05",
            "timestamp": str(int(time.time())),
            "battery": "25",
            "key": secret,
        },
    )
    assert r.status_code == 200, r.text
    row = _health(client, DMK)
    assert (row["battery_pct"], row["app"]) == (25, "traccar")
    assert _codes(row) == ["device_battery_low"]  # the centre's limit: 30 %

    enrol(client, DMK, "dmk-new")  # a new phone: nothing of the old one's battery is shown for it
    row = _health(client, DMK)
    assert row["battery_pct"] is None
    assert "device_battery_low" not in _codes(row)
